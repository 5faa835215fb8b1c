package dataset

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// globCase is a P= pattern, a name, and whether the engine shows the
// name in a listing with that pattern.
type globCase struct {
	pattern, name string
	blind, shown  bool
}

// engineGlob reads every pattern against every name with the engine's
// reading of Apache's P= (exposure.ListingView.Visible).
func engineGlob(patterns, names []string) []globCase {
	entries := make([]exposure.ListingEntry, len(names))
	for i, name := range names {
		entries[i] = exposure.ListingEntry{Name: name, Size: 1}
	}
	var out []globCase
	for _, blind := range []bool{false, true} {
		for _, p := range patterns {
			v := exposure.ListingView{Server: exposure.ListingServerApache, Pattern: p, CaseBlind: blind}
			vis := v.Visible(entries, true, nil)
			for i, name := range names {
				out = append(out, globCase{p, name, blind, vis[i] == exposure.Shown})
			}
		}
	}
	return out
}

// globShown is the SQL's reading: the expression over the name's bytes
// in hexadecimal, and the leading-period rule.
func globShown(re *regexp.Regexp, c globCase) bool {
	return re.MatchString(HexName(c.name)) && (!strings.HasPrefix(c.name, ".") || strings.HasPrefix(c.pattern, "."))
}

var (
	globPatterns = []string{"*.wav", "*", "?", "x*", "*.WAV", "c200*_467*.mp3", "[abc]*", "[!a]*", "[^a-c]*", "[]]*", "[a-]*",
		"[z-a]*", "[!z-a]*", "[*", "a[", "[a", `\*`, `a\b`, ".*", ".?*", "*.[mw][pa][3v]", "(x)+.wav", "$^|{1}", "[.]*", "*[&~]*",
		"x.wav", "**", "*?", "[[]*", "[A-Z]*",
		// Non-ASCII: Apache's '?' and sets match one byte of UTF-8.
		"?.wav", "??.wav", "???.wav", "*ä*", "Ä*", "ä*", "[ä]*", "[!a]?.wav", "[\xc3]*", "[\xc3][\xa4]*", "[\x80-\xff]*", "s*", "k*", "K*"}
	globNames = []string{"x.wav", "x.WAV", "X.wav", "c2001_46701.mp3", "a", "b", "d", "]", "-", "[x", "a[", "[a", `\x`, `a\b`, "*",
		".hidden", ".", "..", "x.mp3", "(x)+.wav", "$^|{1}", "&", "~", "z", "[", "A", "Z.wav", "a-b",
		"ä.wav", "Ä.wav", "äx.wav", "åäö", "ſ.wav", "\u212a.wav", "k.wav", "s.wav", "\u20ac.wav", "\xff.wav"}
)

// TestGlobRegexpAgrees checks GlobRegexp, over the names' bytes in
// hexadecimal and with the leading-period rule the SQL adds, against the
// engine's reading of Apache's P= patterns, on chosen patterns and names
// (non-ASCII letters, case, sets of bytes) and on random ones.
func TestGlobRegexpAgrees(t *testing.T) {
	check := func(cases []globCase) int {
		n := 0
		res := map[string]*regexp.Regexp{}
		for _, c := range cases {
			expr := GlobRegexp(c.pattern, c.blind)
			re := res[expr]
			if re == nil {
				var err error
				if re, err = regexp.Compile(expr); err != nil {
					t.Fatalf("%q: %v", c.pattern, err)
				}
				res[expr] = re
			}
			if got := globShown(re, c); got != c.shown {
				t.Errorf("P=%q case-blind %v, name %q: the expression %s says %v, the engine %v", c.pattern, c.blind, c.name, expr, got, c.shown)
			} else if got {
				n++
			}
		}
		return n
	}
	if check(engineGlob(globPatterns, globNames)) == 0 {
		t.Fatal("nothing matched: the test checks nothing")
	}

	// Random patterns (an empty one filters nothing: no expression) and
	// names over an alphabet of ASCII letters of
	// both cases, the glob's operators and the bytes of 'ä' and '€'.
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "A", "b", "z", "Z", ".", "-", "]", "[", "!", "^", "*", "?", "ä", "€", "\xc3", "\xa4", "\x82"}
	word := func(max int) string { // 1 to max symbols
		var b strings.Builder
		for range 1 + r.IntN(max) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	var patterns, names []string
	for range 300 {
		patterns = append(patterns, word(6))
	}
	for range 60 {
		names = append(names, word(5))
	}
	if check(engineGlob(patterns, names)) == 0 {
		t.Fatal("no random name matched: the test checks nothing")
	}
}

// TestGlobRegexpDuckDB runs the chosen patterns' expressions in DuckDB,
// as the decision SQL does (regexp_matches over hex(name)), and compares
// them with the engine.
func TestGlobRegexpDuckDB(t *testing.T) {
	cases := engineGlob(globPatterns, globNames)
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var rows []string
	for i, c := range cases {
		if !strings.HasPrefix(c.name, ".") || strings.HasPrefix(c.pattern, ".") {
			// The name in hexadecimal: DuckDB's VARCHAR must be UTF-8,
			// and "\xff.wav" is not; hex(name) gives the same digits.
			rows = append(rows, fmt.Sprintf("(%d, from_hex(%s), %s)", i, quote(HexName(c.name)), quote(GlobRegexp(c.pattern, c.blind))))
		}
	}
	script := "CREATE TEMPORARY TABLE g(i INTEGER, name BLOB, re VARCHAR);\n" +
		"INSERT INTO g VALUES " + strings.Join(rows, ",\n") + ";\n" +
		"SELECT i, regexp_matches(hex(name), re) AS shown FROM g ORDER BY i;\n"
	got := testutil.RunDuckDB(t, script)
	if len(got) != len(rows) {
		t.Fatalf("DuckDB gave %d rows for %d cases", len(got), len(rows))
	}
	shown := 0
	for _, row := range got {
		i := int(row["i"].(float64))
		c := cases[i]
		if row["shown"] != c.shown {
			t.Errorf("P=%q case-blind %v, name %q: DuckDB says %v, the engine %v", c.pattern, c.blind, c.name, row["shown"], c.shown)
		}
		if c.shown {
			shown++
		}
	}
	if shown == 0 {
		t.Fatal("nothing shown: the test checks nothing")
	}
}
