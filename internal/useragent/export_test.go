package useragent

var testParser = New(-1)

// IsSpiderForTest exposes the Spider shortcut to the external tests.
func IsSpiderForTest(s string) bool { return testParser.isSpider(s) }

// FullDeviceForTest returns ua-parser's device family for s.
func FullDeviceForTest(s string) string { return testParser.uap.ParseDevice(s).Family }
