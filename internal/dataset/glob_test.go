package dataset

import (
	"regexp"
	"strings"
	"testing"

	"github.com/forensiclog/forensics/pkg/exposure"
)

// TestGlobRegexpAgrees checks GlobRegexp, with the leading-period rule
// the SQL adds, against the engine's reading of Apache's P= patterns
// (exposure.ListingView.Visible).
func TestGlobRegexpAgrees(t *testing.T) {
	patterns := []string{"*.wav", "*", "?", "x*", "*.WAV", "c200*_467*.mp3", "[abc]*", "[!a]*", "[^a-c]*", "[]]*", "[a-]*",
		"[z-a]*", "[!z-a]*", "[*", "a[", "[a", `\*`, `a\b`, ".*", ".?*", "*.[mw][pa][3v]", "(x)+.wav", "$^|{1}", "[.]*", "*[&~]*",
		"x.wav", "**", "*?", "[[]*", "[A-Z]*"}
	names := []string{"x.wav", "x.WAV", "X.wav", "c2001_46701.mp3", "a", "b", "d", "]", "-", "[x", "a[", "[a", `\x`, `a\b`, "*",
		".hidden", ".", "..", "x.mp3", "(x)+.wav", "$^|{1}", "&", "~", "z", "[", "A", "Z.wav", "a-b"}
	n := 0
	for _, blind := range []bool{false, true} {
		for _, p := range patterns {
			re, err := regexp.Compile(GlobRegexp(p, blind))
			if err != nil {
				t.Errorf("%q: %v", p, err)
				continue
			}
			entries := make([]exposure.ListingEntry, len(names))
			for i, name := range names {
				entries[i] = exposure.ListingEntry{Name: name, Size: 1}
			}
			v := exposure.ListingView{Server: exposure.ListingServerApache, Pattern: p, CaseBlind: blind}
			vis := v.Visible(entries, true, nil)
			for i, name := range names {
				got := re.MatchString(name) && (!strings.HasPrefix(name, ".") || strings.HasPrefix(p, "."))
				if want := vis[i] == exposure.Shown; got != want {
					t.Errorf("P=%q case-blind %v, name %q: the regexp %s says %v, the engine %v", p, blind, name, GlobRegexp(p, blind), got, want)
				}
				if got {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("nothing matched: the test checks nothing")
	}
}
