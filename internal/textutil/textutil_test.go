package textutil

import (
	"testing"
	"time"
)

func TestDaysIn(t *testing.T) {
	for _, year := range []int{1900, 1999, 2000, 2019, 2020, 2100} {
		for m := 1; m <= 12; m++ {
			want := time.Date(year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if got := DaysIn(year, m); got != want {
				t.Errorf("DaysIn(%d, %d) = %d, want %d", year, m, got, want)
			}
		}
	}
}

func TestUnhex(t *testing.T) {
	for c := 0; c < 256; c++ {
		v, ok := Unhex(byte(c))
		const digits = "0123456789abcdef"
		want := -1
		for i := range 16 {
			if byte(c) == digits[i] || byte(c) == digits[i]-'a'+'A' && i >= 10 {
				want = i
			}
		}
		if ok != (want >= 0) || ok && int(v) != want {
			t.Errorf("Unhex(%q) = %d, %v", byte(c), v, ok)
		}
	}
}
