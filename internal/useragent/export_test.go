package useragent

import "github.com/ua-parser/uap-go/uaparser"

var testParser = New(-1)

// Parsed is what the tests compare between the prefiltered rules and
// ua-parser's own Parse methods.
type Parsed struct {
	UA     uaparser.UserAgent
	Device string
	Spider bool // the device family is "Spider" (the prefiltered answer from isSpider)
}

// FilteredForTest parses s with the prefiltered rules.
func FilteredForTest(s string) Parsed {
	f := fold(s)
	return Parsed{testParser.f.userAgent(s, f), testParser.f.deviceFamily(s, f), testParser.f.isSpider(s, f)}
}

// LibraryForTest parses s with ua-parser's own methods.
func LibraryForTest(s string) Parsed {
	dev := testParser.uap.ParseDevice(s).Family
	return Parsed{*testParser.uap.ParseUserAgent(s), dev, dev == "Spider"}
}

// TokenFilterMisses returns the tokens whose expression matches s but
// whose prefilter would pass s over: always empty when the prefilter is
// right.
func TokenFilterMisses(s string) []string {
	var miss []string
	f := fold(s)
	for _, list := range [][]token{tools, crawlers, players} {
		for i := range list {
			if t := &list[i]; t.re.MatchString(s) && !t.f.mayMatch(f) {
				miss = append(miss, t.name)
			}
		}
	}
	return miss
}

// TokenNames returns every token's name, and those whose prefilter
// knows no literal (and so never skips the expression).
func TokenNames() (all, unfiltered []string) {
	for _, list := range [][]token{tools, crawlers, players} {
		for i := range list {
			all = append(all, list[i].name)
			if list[i].f.all {
				unfiltered = append(unfiltered, list[i].name)
			}
		}
	}
	return all, unfiltered
}
