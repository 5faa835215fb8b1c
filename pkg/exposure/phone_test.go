package exposure

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Phone numbers below are from the range 070-1740xxx that the Swedish
// Post and Telecom Authority (PTS) sets aside for fiction and tests.
const (
	ixMobileNat = "0701740605" // national form
	ixMobileE   = "+46701740605"
)

func TestNormalizePhone(t *testing.T) {
	ok := func(in, want string) {
		t.Helper()
		got, good := NormalizePhone(in)
		if !good || got != want {
			t.Errorf("NormalizePhone(%s) = %s, %v; want %s, true", MaskPhone(in), MaskPhone(got), good, MaskPhone(want))
		}
	}
	bad := func(in string) {
		t.Helper()
		if got, good := NormalizePhone(in); good {
			t.Errorf("NormalizePhone(%s) = %s, true; want false", MaskPhone(in), MaskPhone(got))
		}
	}
	ok("070-174 06 05", ixMobileE)
	ok("0701740605", ixMobileE)
	ok("0046701740605", ixMobileE)
	ok("+46 70-174 06 05", ixMobileE)
	ok("+46701740605", ixMobileE)
	ok("46701740605", ixMobileE)
	ok(" (070) 174 06 05 ", ixMobileE)
	ok("08-465 004 00", "+46846500400")      // Stockholm landline
	ok("+44 20 7946 0018", "+442079460018")  // a foreign number stays foreign
	ok("0044 20 7946 0018", "+442079460018") // international prefix 00
	bad("")
	bad("abc")
	bad("070")
	bad("+46 0")
	bad("0000000000")
	bad("46")
	bad("+4670174060512345678")
}

func TestPhoneFromFileName(t *testing.T) {
	f := func(name, want string) {
		t.Helper()
		got, ok := PhoneFromFileName(name)
		if ok != (want != "") || got != want {
			t.Errorf("PhoneFromFileName(%s) = %s, %v; want %s", MaskPhone(name), MaskPhone(got), ok, MaskPhone(want))
		}
	}
	f("C123_46701740605.mp3", ixMobileE)
	f("20190201-0930_0701740605.wav", ixMobileE)
	f("/rec/2019/02/01/20190201-0930_0701740605.wav", ixMobileE)
	f("rec\\2019\\C1_0046701740605.mp3", ixMobileE)
	f("0701740605.mp3", ixMobileE)
	f("20190201_093000_0846500400.mp3", "+46846500400")
	// A country-code run wins over an earlier national one.
	f("0313900600_46701740605.mp3", ixMobileE)
	// Dates, times, call ids: no phone.
	f("20190201-093000.mp3", "")
	f("C1234567.mp3", "")
	f("call_2019-02-01_09-30.wav", "")
	f("", "")
	// A child's personnummer that is also a plausible phone number is
	// not taken for one (10 digits, 0 + not 7).
	child := ixPnr("050101", "123")
	f("20190201_"+child+".mp3", "")
	// The directory is not searched.
	f("/46701740605/C1.mp3", "")
}

func TestPhoneMasking(t *testing.T) {
	p := Phone(ixMobileE)
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "phone", p)
	text, _ := p.MarshalText()
	for how, out := range map[string]string{"String": p.String(), "%v": fmt.Sprintf("%v", p),
		"slog": logged.String(), "text": string(text)} {
		if strings.Contains(out, "01740") || !strings.Contains(out, "05") {
			t.Errorf("%s: not masked to the last two digits: %q", how, out)
		}
	}
	if p.String() != "+*********05" {
		t.Errorf("String() = %q", p.String())
	}
	if p.Reveal() != ixMobileE {
		t.Errorf("Reveal() is not the number")
	}
	if got := MaskPhone("070-174 06 05"); got != "***-*** ** 05" {
		t.Errorf("MaskPhone keeps separators: got %q", got)
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NormalizePhone("46701740605")
	}
}
