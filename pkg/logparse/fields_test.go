package logparse

import (
	"testing"
	"time"
)

func TestParseCLFTime(t *testing.T) {
	var z zoneCache
	f := func(in string, ok bool, want string) {
		t.Helper()
		got, gotOK := parseCLFTime([]byte(in), &z)
		if gotOK != ok {
			t.Fatalf("%q: ok %v, want %v", in, gotOK, ok)
		}
		if ok && got.Format(time.RFC3339Nano) != want {
			t.Errorf("%q: %s, want %s", in, got.Format(time.RFC3339Nano), want)
		}
	}
	f("10/Oct/2000:13:55:36 -0700", true, "2000-10-10T13:55:36-07:00")
	f("29/Feb/2020:00:00:00 +0100", true, "2020-02-29T00:00:00+01:00")
	f("01/Jan/2019:10:00:00.123 +0000", true, "2019-01-01T10:00:00.123Z")
	f("31/Feb/2019:10:00:00 +0000", false, "") // time.Date would say 3 March
	f("29/Feb/2019:10:00:00 +0000", false, "")
	f("31/Apr/2019:10:00:00 +0000", false, "")
	f("10/Foo/2000:13:55:36 -0700", false, "")
	f("10/Oct/2000:25:55:36 -0700", false, "")
	f("10/Oct/2000:13:55:36 -2500", false, "")
	f("10/Oct/2000:13:55:36", false, "")
}

// TestParseHAProxyDate checks HAProxy's accept date, which shares the
// date and clock of the Common Log Format (parseDMYClock): a day that
// does not exist is refused, not moved into the next month.
func TestParseHAProxyDate(t *testing.T) {
	f := func(in string, ok bool, want string) {
		t.Helper()
		got, gotOK := parseHAProxyDate([]byte(in), time.UTC)
		if gotOK != ok || (ok && got.Format(time.RFC3339Nano) != want) {
			t.Errorf("%q: %s %v, want %s %v", in, got.Format(time.RFC3339Nano), gotOK, want, ok)
		}
	}
	f("06/Feb/2009:12:14:14.655", true, "2009-02-06T12:14:14.655Z")
	f("06/Feb/2009:12:14:14", true, "2009-02-06T12:14:14Z")
	f("29/Feb/2020:00:00:00.000", true, "2020-02-29T00:00:00Z")
	f("30/Feb/2009:12:14:14.655", false, "") // time.Date would say 2 March
	f("31/Jun/2009:12:14:14.655", false, "")
	f("06/Feb/2009:24:14:14.655", false, "")
	f("06/Feb/2009:12:14:14.", false, "")
	f("06/Feb/2009:12:14", false, "")
}
