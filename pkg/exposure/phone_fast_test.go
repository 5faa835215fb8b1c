package exposure

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/forensiclog/forensics/internal/testutil"
)

// libValid is libphonenumber's verdict on a Swedish national significant
// number.
func libValid(nat string) bool {
	n, err := phonenumbers.Parse("+46"+nat, phoneRegion)
	return err == nil && phonenumbers.IsValidNumber(n)
}

// TestSwedishFastPath checks the fast path (the hand-written reading of
// the common written forms, and seNumbers' verdicts) against
// libphonenumber on generated numbers until 100,000 validity verdicts
// and 100,000 written forms (NormalizePhone) read by the fast path have
// been compared.
func TestSwedishFastPath(t *testing.T) {
	if testing.Short() {
		t.Skip("300,000 libphonenumber parses; not in -short mode")
	}
	r := rand.New(rand.NewPCG(46, 7))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		return string(b)
	}
	// National significant numbers: mobile, Stockholm, other prefixes,
	// lengths around the valid ones.
	nat := func() string {
		switch r.IntN(10) {
		case 0, 1, 2, 3, 4:
			return "7" + string("0123456789"[r.IntN(10)]) + digits(6+r.IntN(3))
		case 5, 6, 7:
			return "8" + digits(4+r.IntN(7))
		case 8:
			return string("123456789"[r.IntN(9)]) + digits(4+r.IntN(9))
		}
		return "7" + digits(5+r.IntN(6))
	}
	// A written form: prefix, then the digits with separators.
	write := func(n string) string {
		prefix := []string{"+46", "+46 ", "0046", "0046 ", "0", "0", "0", "0", "00 46 ", "46", "+46 0", "+46-", "(0)", "+ 46"}[r.IntN(14)]
		var b strings.Builder
		b.WriteString(prefix)
		for i := 0; i < len(n); i++ {
			b.WriteByte(n[i])
			if i+1 < len(n) {
				switch r.IntN(8) {
				case 0:
					b.WriteByte(' ')
				case 1:
					b.WriteByte('-')
				case 2:
					if r.IntN(20) == 0 {
						b.WriteString("  ") // two separators: not the fast path
					}
				}
			}
		}
		if r.IntN(50) == 0 {
			b.WriteByte('-')
		}
		return b.String()
	}
	decided, compared := 0, 0
	for i := 0; i < 2_000_000 && (decided < 100_000 || compared < 100_000); i++ {
		n := nat()
		decided++
		if valid := seValid(n); valid != libValid(n) {
			t.Fatalf("fast verdict %v on a %d-digit national number starting %.2s differs from libphonenumber", valid, len(n), n)
		}
		s := write(n)
		if _, ok := swedishNational(s); ok {
			compared++
			got, gotOK := NormalizePhone(s)
			want, wantOK := parsePhone(s)
			if got != want || gotOK != wantOK {
				t.Fatalf("NormalizePhone(%q) = %q %v, libphonenumber %q %v", MaskPhone(s), MaskPhone(got), gotOK, MaskPhone(want), wantOK)
			}
		}
	}
	if decided < 100_000 || compared < 100_000 {
		t.Errorf("too few numbers on the fast path: %d verdicts, %d written forms", decided, compared)
	}
	t.Logf("%d fast verdicts and %d written forms equal libphonenumber's", decided, compared)
}

// TestSwedishFastPathCorpus runs the fast path on the digit runs of the
// real-world log corpus, where it has one.
func TestSwedishFastPathCorpus(t *testing.T) {
	dir := testutil.Corpus(t) // skips with the reason, fails under CI
	runs := regexp.MustCompile(`[+0-9][0-9 -]{6,18}[0-9]`)
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, s := range runs.FindAllString(string(data), 2000) {
			if _, ok := swedishNational(s); ok {
				n++
				got, gotOK := NormalizePhone(s)
				want, wantOK := parsePhone(s)
				if got != want || gotOK != wantOK {
					t.Errorf("%s: a phone form differs from libphonenumber", filepath.Base(p))
				}
			}
		}
		return nil
	})
	t.Logf("%d corpus forms on the fast path", n)
}

// TestSwedishAutomaton compares seNumbers' verdict with libphonenumber's
// on national numbers of every length from 1 to 14 digits under every
// prefix of up to four digits (and two random completions of each), so
// that every branch of SE's patterns, which decide on the first digits
// and the length, is walked at least once.
func TestSwedishAutomaton(t *testing.T) {
	if testing.Short() {
		t.Skip("about 300,000 libphonenumber verdicts; not in -short mode")
	}
	a := seNumbers()
	if a == nil {
		t.Fatal("no automaton from libphonenumber's metadata for SE")
	}
	r := rand.New(rand.NewPCG(46, 8))
	valid, n := 0, 0
	var b []byte
	for length := 1; length <= 14; length++ {
		for prefix := range 11110 { // "", 0-9, 00-99, 000-999, 0000-9999
			p := strconv.Itoa(prefix)
			switch {
			case prefix == 0:
				p = ""
			case prefix <= 10:
				p = strconv.Itoa(prefix - 1)
			case prefix <= 110:
				p = fmt.Sprintf("%02d", prefix-11)
			case prefix <= 1110:
				p = fmt.Sprintf("%03d", prefix-111)
			default:
				p = fmt.Sprintf("%04d", prefix-1111)
			}
			if len(p) > length || strings.HasPrefix(p, "0") {
				continue // a national significant number has no trunk 0
			}
			for range 2 {
				b = append(b[:0], p...)
				if len(b) == 0 {
					b = append(b, byte('1'+r.IntN(9)))
				}
				for len(b) < length {
					b = append(b, byte('0'+r.IntN(10)))
				}
				nat := string(b)
				got, want := a.valid(nat), libValid(nat)
				if got != want {
					t.Fatalf("automaton %v, libphonenumber %v on a %d-digit number starting %.4s", got, want, len(nat), nat)
				}
				n++
				if got {
					valid++
				}
			}
		}
	}
	if valid < 1000 || valid == n {
		t.Errorf("%d valid of %d: the set does not test both verdicts", valid, n)
	}
	t.Logf("%d numbers (%d valid) agree with libphonenumber; %d states", n, valid, len(a.next))
}
