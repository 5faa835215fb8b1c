package exposure

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
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

// TestSwedishFastPath checks the hand-written fast path against
// libphonenumber on generated numbers until 100,000 fast validity
// verdicts and 100,000 written forms (NormalizePhone) decided by the fast
// path have been compared; the numbers the fast path leaves undecided go
// to libphonenumber anyway.
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
		if valid, ok := seFastValid(n); ok {
			decided++
			if valid != libValid(n) {
				t.Fatalf("fast verdict %v on a %d-digit national number starting %.2s differs from libphonenumber", valid, len(n), n)
			}
		}
		s := write(n)
		if nat, ok := swedishNational(s); ok {
			if _, fast := seFastValid(nat); fast {
				compared++
				got, gotOK := NormalizePhone(s)
				want, wantOK := parsePhone(s)
				if got != want || gotOK != wantOK {
					t.Fatalf("NormalizePhone(%q) = %q %v, libphonenumber %q %v", MaskPhone(s), MaskPhone(got), gotOK, MaskPhone(want), wantOK)
				}
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
			if nat, ok := swedishNational(s); ok {
				if _, fast := seFastValid(nat); fast {
					n++
					got, gotOK := NormalizePhone(s)
					want, wantOK := parsePhone(s)
					if got != want || gotOK != wantOK {
						t.Errorf("%s: a phone form differs from libphonenumber", filepath.Base(p))
					}
				}
			}
		}
		return nil
	})
	t.Logf("%d corpus forms on the fast path", n)
}
