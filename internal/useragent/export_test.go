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
