package report

import "testing"

func TestScrubNumbers(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ScrubNumbers(in); got != want {
			t.Errorf("ScrubNumbers(%q) = %q, want %q", in, got, want)
		}
	}
	// Addresses and short numbers stay.
	f("203.0.113.77", "203.0.113.77")
	f("2001:db8::1234", "2001:db8::1234")
	f("Firefox 115.0", "Firefox 115.0")
	f("crawl-66-249-66-1.googlebot.com", "crawl-66-249-66-1.googlebot.com")
	// Identity and phone numbers in any written form go.
	f("pnr-197411237055.dyn.example.net", "pnr-#.dyn.example.net")
	f("0701740665.cust.example.net", "#.cust.example.net")
	f("19741123-7055", "#")
	f("caller 741123-7055; tel 070-174 06 65", "caller #; tel #")
	f("+46 70-174 06 65", "+#")
	f("", "")
}
