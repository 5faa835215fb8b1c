package luhn_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/forensiclog/forensics/internal/luhn"
)

func TestDigit(t *testing.T) {
	// 121212-1212 is the Swedish Tax Agency's well-known test person.
	for _, tc := range []struct {
		nine string
		want byte
	}{
		{"121212121", '2'},
		{"000000000", '0'},
		{"900101980", '2'}, // 18->9 +0+0+1+0+1 +18->9 +8+0 = 28
		{"811218987", '6'}, // 16->7, 1, 2, 2, 2, 8, 18->9, 8, 14->5 = 44
	} {
		if got := luhn.Digit(tc.nine); got != tc.want {
			t.Errorf("Digit(%s) = %c, want %c", tc.nine, got, tc.want)
		}
		v := []byte(tc.nine)
		for i := range v {
			v[i] -= '0'
		}
		if got := luhn.Check(v); '0'+got != tc.want {
			t.Errorf("Check(%s) = %d, want %c", tc.nine, got, tc.want)
		}
	}
	if !luhn.Valid("1212121212") || luhn.Valid("1212121213") || luhn.Valid("12121212") || luhn.Valid("12121212x2") {
		t.Error("Valid disagrees with the known test person")
	}
}

// standard is the textbook Luhn test over all ten digits (doubling every
// second digit from the right), written independently of the package.
func standard(ten string) bool {
	sum := 0
	for i := len(ten) - 1; i >= 0; i-- {
		d := int(ten[i] - '0')
		if (len(ten)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// FuzzDigit checks Digit against the textbook Luhn test, and Valid
// against Digit.
func FuzzDigit(f *testing.F) {
	f.Add("121212121")
	f.Add("000000000")
	f.Add("999999999")
	f.Fuzz(func(t *testing.T, nine string) {
		if len(nine) != 9 || strings.Trim(nine, "0123456789") != "" {
			t.Skip()
		}
		ten := nine + string(luhn.Digit(nine))
		if !standard(ten) || !luhn.Valid(ten) {
			t.Fatal("check digit fails the Luhn test")
		}
		for c := byte('0'); c <= '9'; c++ {
			if c != ten[9] && luhn.Valid(nine+string(c)) {
				t.Fatal("two check digits pass")
			}
		}
	})
}

func ExampleDigit() {
	// 121212-1212 is the Swedish Tax Agency's test person Tolvan Tolvansson.
	fmt.Printf("%c %v\n", luhn.Digit("121212121"), luhn.Valid("1212121212"))
	// Output: 2 true
}
