package useragent

import "github.com/ua-parser/uap-go/uaparser"

var testParser = New(-1)

// Parsed is what the tests compare between the prefiltered rules and
// ua-parser's own Parse methods.
type Parsed struct {
	UA     uaparser.UserAgent
	Device string
}

// FilteredForTest parses s with the prefiltered rules.
func FilteredForTest(s string) Parsed {
	f := fold(s)
	return Parsed{testParser.f.userAgent(s, f), testParser.f.deviceFamily(s, f)}
}

// LibraryForTest parses s with ua-parser's own methods.
func LibraryForTest(s string) Parsed {
	return Parsed{*testParser.uap.ParseUserAgent(s), testParser.uap.ParseDevice(s).Family}
}
