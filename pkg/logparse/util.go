package logparse

import (
	"bytes"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/textutil"
)

// maxDuration is the longest time.Duration.
const maxDuration = time.Duration(1<<63 - 1)

// millis returns n milliseconds as a Duration; ok is false when n does not
// fit.
func millis(n int64) (time.Duration, bool) {
	if n > int64(maxDuration/time.Millisecond) || n < -int64(maxDuration/time.Millisecond) {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// Small helpers shared by the formats: bytes, digits, calendar. A helper
// that more than one file needs lives here, once.

// isHex reports whether c is a hex digit.
func isHex(c byte) bool {
	_, ok := textutil.Unhex(c)
	return ok
}

// hex4 decodes the four hex digits at b[i:i+4] (as in "\u00e9"); ok is
// false when b ends before them or they are not hex digits.
func hex4(b []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		h, ok := textutil.Unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

// hexByte decodes the two hex digits at b[i:i+2] (as in "%41" or "\x41");
// ok is false when b ends before them or they are not hex digits.
func hexByte(b []byte, i int) (byte, bool) {
	if i < 0 || i+2 > len(b) {
		return 0, false
	}
	h, ok1 := textutil.Unhex(b[i])
	l, ok2 := textutil.Unhex(b[i+1])
	return h<<4 | l, ok1 && ok2
}

func indexByte(b []byte, c byte) int { return bytes.IndexByte(b, c) }

func lastIndexByte(b []byte, c byte) int { return bytes.LastIndexByte(b, c) }

// indexByteString is strings.IndexByte.
func indexByteString(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// trimSpace removes leading and trailing spaces and tabs.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// hasPrefixFold reports whether b begins with p, which is lower case,
// without regard to ASCII case.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// isBlank reports whether b holds only spaces and tabs.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// lowerASCII returns s with ASCII upper-case letters in lower case,
// without allocating when there are none.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFold reports whether b equals s without regard to ASCII case.
func equalFold(b []byte, s string) bool {
	return len(b) == len(s) && strings.EqualFold(bstr(b), s)
}
