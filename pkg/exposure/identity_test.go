package exposure

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/luhn"
)

// ixPnr builds a 10-digit number YYMMDD + nnn + check digit from a date
// (yymmdd, 6 digits) and a serial (3 digits), with a good check digit. It
// generates numbers for tests; none is looked up or taken from a person.
func ixPnr(yymmdd, serial string) string {
	d := []byte(yymmdd + serial)
	v := make([]byte, len(d))
	for i, c := range d {
		v[i] = c - '0'
	}
	return yymmdd + serial + string('0'+luhn.Check(v))
}

// ixBadCheck returns the number with its check digit changed.
func ixBadCheck(n string) string {
	last := n[len(n)-1]
	return n[:len(n)-1] + string('0'+(last-'0'+1)%10)
}

func ixDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ixMaskedIdentity is an Identity as a test may print it: numbers
// masked, with a short hash that tells different numbers apart.
type ixMaskedIdentity struct {
	Given, Canonical string
	Kind             IdentityKind
	Birth            time.Time
}

func ixMasked(id Identity) ixMaskedIdentity {
	return ixMaskedIdentity{Given: ixMaskString(id.Given), Canonical: ixMaskString(id.Canonical), Kind: id.Kind, Birth: id.Birth}
}

// ixMaskString masks s, keeping its length and a hash of it.
func ixMaskString(s string) string {
	if s == "" {
		return ""
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	return fmt.Sprintf("%d chars #%08x", len(s), h.Sum32())
}

func TestParseIdentity(t *testing.T) {
	call := time.Date(2019, 2, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	a := ixPnr("800101", "123") // born 1980-01-01
	c := ixPnr("150505", "987") // a child born 2015-05-05
	s := ixPnr("800161", "224") // samordningsnummer, 1980-01-01
	o := ixPnr("180320", "111") // 2018-03-20 or 1918 with '+'
	f := ixPnr("190201", "456") // 2019-02-01: the call date itself
	g := ixPnr("190202", "456") // 2019-02-02: after the call date -> 1919
	l := ixPnr("000229", "333") // 2000-02-29 (leap year)

	ok := func(given string, ref time.Time, want Identity) {
		t.Helper()
		want.Given = strings.TrimSpace(given)
		got := ParseIdentity(given, ref)
		if !cmp.Equal(want, got) {
			t.Errorf("ParseIdentity(%s) mismatch (-want +got):\n%s", got, cmp.Diff(ixMasked(want), ixMasked(got)))
		}
	}
	ok(a[:6]+"-"+a[6:], call, Identity{Canonical: "19" + a, Kind: Personnummer, Birth: ixDate(1980, 1, 1)})
	ok(a, call, Identity{Canonical: "19" + a, Kind: Personnummer, Birth: ixDate(1980, 1, 1)})
	ok("19"+a[:6]+"-"+a[6:], call, Identity{Canonical: "19" + a, Kind: Personnummer, Birth: ixDate(1980, 1, 1)})
	ok("19"+a, call, Identity{Canonical: "19" + a, Kind: Personnummer, Birth: ixDate(1980, 1, 1)})
	ok("  "+a+"\t", call, Identity{Canonical: "19" + a, Kind: Personnummer, Birth: ixDate(1980, 1, 1)})
	ok(c[:6]+"-"+c[6:], call, Identity{Canonical: "20" + c, Kind: Personnummer, Birth: ixDate(2015, 5, 5)})
	ok(s, call, Identity{Canonical: "19" + s, Kind: Samordningsnummer, Birth: ixDate(1980, 1, 1)})
	// Century around the call date.
	ok(o, call, Identity{Canonical: "20" + o, Kind: Personnummer, Birth: ixDate(2018, 3, 20)})
	ok(o, ixDate(2018, 3, 19), Identity{Canonical: "19" + o, Kind: Personnummer, Birth: ixDate(1918, 3, 20)})
	ok(o[:6]+"+"+o[6:], call, Identity{Canonical: "19" + o, Kind: Personnummer, Birth: ixDate(1918, 3, 20)})
	ok(a[:6]+"+"+a[6:], call, Identity{Canonical: "18" + a, Kind: Personnummer, Birth: ixDate(1880, 1, 1)})
	ok(f, call, Identity{Canonical: "20" + f, Kind: Personnummer, Birth: ixDate(2019, 2, 1)})
	ok(g, call, Identity{Canonical: "19" + g, Kind: Personnummer, Birth: ixDate(1919, 2, 2)})
	ok(l, call, Identity{Canonical: "20" + l, Kind: Personnummer, Birth: ixDate(2000, 2, 29)})
	// 1900 is no leap year: with '+' the 29th of February does not exist.
	ok(l[:6]+"+"+l[6:], call, Identity{Kind: Invalid})
	// Zero reference: 10-digit century unknown, 12-digit known.
	ok(a, time.Time{}, Identity{Kind: Personnummer})
	ok("19"+a, time.Time{}, Identity{Canonical: "19" + a, Kind: Personnummer, Birth: ixDate(1980, 1, 1)})
	// Failures that are still kept.
	ok(ixBadCheck(a), call, Identity{Kind: Invalid})
	ok("19"+ixBadCheck(a), call, Identity{Kind: Invalid})
	ok(ixPnr("801301", "123"), call, Identity{Kind: Invalid}) // month 13
	ok(ixPnr("800230", "123"), call, Identity{Kind: Invalid}) // 30 February
	ok(ixPnr("800100", "123"), call, Identity{Kind: Invalid}) // day 0
	ok(ixPnr("800192", "123"), call, Identity{Kind: Invalid}) // day 92 (32 + 60)
	ok("RES-4711-X", call, Identity{Kind: Reserve})
	ok("970000123", call, Identity{Kind: Reserve})          // 9 digits
	ok("1234567890123", call, Identity{Kind: Reserve})      // 13 digits
	ok(a[:4]+"-"+a[4:], call, Identity{Kind: Reserve})      // separator misplaced
	ok(a[:6]+"--"+a[6:], call, Identity{Kind: Reserve})     // two separators
	ok(a[:6]+" "+a[6:], call, Identity{Kind: Reserve})      // space separator
	ok("19"+a[:4]+"-"+a[4:], call, Identity{Kind: Reserve}) // 12 digits, separator misplaced
	ok("", call, Identity{Kind: Reserve})
}

func TestIdentityMasking(t *testing.T) {
	call := ixDate(2019, 2, 1)
	a := ixPnr("800101", "123")
	s := ixPnr("800161", "224")
	cases := []struct {
		given, want string
	}{
		{a[:6] + "-" + a[6:], "19800101-****"},
		{s, "19800161-****"},
		{ixBadCheck(a), "invalid-****"},
		{"RES-4711-X", "reserve-****"},
		{"", ""},
	}
	for _, c := range cases {
		id := ParseIdentity(c.given, call)
		var logged strings.Builder
		slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "id", id)
		js, err := json.Marshal(struct{ ID Identity }{id})
		if err != nil {
			t.Fatal(err)
		}
		outs := map[string]string{
			"String":   id.String(),
			"%v":       fmt.Sprintf("%v", id),
			"%+v":      fmt.Sprintf("%+v", id),
			"%#v":      fmt.Sprintf("%#v", id),
			"%s":       fmt.Sprintf("%s", id),
			"slog":     logged.String(),
			"json":     string(js),
			"LogValue": id.LogValue().String(),
		}
		if id.String() != c.want {
			t.Errorf("String() = %q, want %q", id.String(), c.want)
		}
		for how, out := range outs {
			if c.given != "" && strings.Contains(out, strings.TrimPrefix(c.given, "19")[6:]) {
				t.Errorf("%s shows the last digits of a %v: %q", how, id.Kind, out)
			}
		}
		if id.Reveal() != id.ID() {
			t.Errorf("Reveal() differs from ID() for a %v", id.Kind)
		}
	}
}

func TestIdentityIDAndChild(t *testing.T) {
	call := ixDate(2019, 2, 1)
	c := ixPnr("010201", "555") // born 2001-02-01: 18 on the call date
	d := ixPnr("010202", "555") // born 2001-02-02: 17 on the call date
	if got := ParseIdentity(c[:6]+"-"+c[6:], call).ID(); got != "20"+c {
		t.Errorf("ID() of a 10-digit form is not the 12-digit canonical form")
	}
	if got := ParseIdentity("20"+c, call).ID(); got != "20"+c {
		t.Errorf("ID() of a 12-digit form is not the canonical form")
	}
	if got := ParseIdentity("RES-4711-X", call).ID(); got != "RES-4711-X" {
		t.Errorf("ID() of a reserve number is not the given form")
	}
	if ParseIdentity(c, call).Child(call) {
		t.Errorf("a person 18 today is a child")
	}
	if !ParseIdentity(d, call).Child(call) {
		t.Errorf("a person 17 today is not a child")
	}
	if ParseIdentity("RES-4711-X", call).Child(call) {
		t.Errorf("a reserve number is a child")
	}
	if age, ok := ParseIdentity(d, call).Age(call); !ok || age != 17 {
		t.Errorf("Age = %d, %v; want 17, true", age, ok)
	}
	if _, ok := ParseIdentity(d, call).Age(ixDate(2000, 1, 1)); ok {
		t.Errorf("Age before birth reported ok")
	}
	for k, want := range map[IdentityKind]string{Invalid: "invalid", Personnummer: "personnummer",
		Samordningsnummer: "samordningsnummer", Reserve: "reserve", 9: "kind(9)"} {
		if k.String() != want {
			t.Errorf("IdentityKind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
}

// TestLuhnHelper checks the test helper itself against a number whose
// check digit is worked out by hand: 811218-987 -> weights 2,1,2,...:
// 16->7, 1, 2, 2, 2, 8, 18->9, 8, 14->5 = 44 -> check digit 6.
func TestLuhnHelper(t *testing.T) {
	if got := ixPnr("811218", "987"); got != "8112189876" {
		t.Errorf("pnr helper = %s-****, want check digit 6", got[:6])
	}
}

func FuzzParseIdentity(f *testing.F) {
	a := ixPnr("800101", "123")
	for _, s := range []string{a, a[:6] + "-" + a[6:], a[:6] + "+" + a[6:], "19" + a, "19" + a[:6] + "-" + a[6:],
		ixPnr("800161", "224"), ixBadCheck(a), "RES-4711-X", "", "+", "-", "000000-0000", "99999999-9999"} {
		f.Add(s, int64(1548970200))
	}
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		ref := time.Unix(unix%(1<<40), 0).UTC()
		id := ParseIdentity(s, ref)
		if id.Given != strings.TrimSpace(s) {
			t.Fatalf("Given changed")
		}
		if id.Canonical != "" {
			if !id.Valid() || len(id.Canonical) != 12 || id.Birth.IsZero() {
				t.Fatalf("canonical form without a valid kind and birth: %v", id.Kind)
			}
			// The canonical form parses to itself.
			again := ParseIdentity(id.Canonical, ref)
			if again.Canonical != id.Canonical || again.Kind != id.Kind {
				t.Fatalf("canonical form does not round-trip")
			}
		}
		if id.Kind == Reserve && id.Canonical != "" {
			t.Fatalf("reserve number with a canonical form")
		}
		if m := id.String(); len(id.Given) >= 4 && id.Given[len(id.Given)-4:] != "****" && strings.HasSuffix(m, id.Given[len(id.Given)-4:]) {
			t.Fatalf("String shows the last four characters")
		}
	})
}

func TestParseIdentityFarReference(t *testing.T) {
	a := ixPnr("800101", "123")
	for _, ref := range []time.Time{time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-50, 1, 1, 0, 0, 0, 0, time.UTC)} {
		id := ParseIdentity(a, ref)
		if id.Kind != Personnummer || id.Canonical != "" || !id.Birth.IsZero() {
			t.Errorf("reference year %d: got %v %s, want a personnummer of unknown century", ref.Year(), id.Kind, id)
		}
	}
}
