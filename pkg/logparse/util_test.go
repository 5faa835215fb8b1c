package logparse

import (
	"testing"
)

func TestHexByte(t *testing.T) {
	f := func(in string, i int, want byte, wantOK bool) {
		t.Helper()
		got, ok := hexByte([]byte(in), i)
		if ok != wantOK || (ok && got != want) {
			t.Errorf("hexByte(%q, %d) = %#x, %v; want %#x, %v", in, i, got, ok, want, wantOK)
		}
	}
	f("%41", 1, 0x41, true)
	f("\\xfF", 2, 0xff, true)
	f("%0a%", 1, 0x0a, true)
	f("%4", 1, 0, false)
	f("%4g", 1, 0, false)
	f("%g4", 1, 0, false)
	f("", 0, 0, false)
	f("41", -1, 0, false)
}
