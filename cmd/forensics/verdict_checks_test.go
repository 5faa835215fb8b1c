package main

import (
	"strings"
	"testing"
)

func TestPrefixDifference(t *testing.T) {
	f := func(req, idx, strip, add string, ok bool) {
		t.Helper()
		s, a, o := prefixDifference(req, idx)
		if s != strip || a != add || o != ok {
			t.Errorf("prefixDifference(%q, %q) = %q, %q, %v; want %q, %q, %v", req, idx, s, a, o, strip, add, ok)
		}
	}
	f("/recordings/S/2016/a.mp3", "/data/recordings/S/2016/a.mp3", "", "/data", true)
	f("/public/recordings/S/a.mp3", "/recordings/S/a.mp3", "/public", "", true)
	f("/rec/S/a.mp3", "/volume1/1177/rec/S/a.mp3", "", "/volume1/1177", true)
	f("/a.mp3", "/x/y/a.mp3", "", "/x/y", true)
	// Equal: no difference to fix.
	f("/x/a.mp3", "/x/a.mp3", "", "", false)
	// Only the file name in common, the folders above differ: no prefix.
	f("/x/1/a.mp3", "/y/2/a.mp3", "", "", false)
}

func TestHasLongDigitRun(t *testing.T) {
	for s, want := range map[string]bool{"/data": false, "/2016/01": false, "/volume1/1177": false, "/070174066": true, "/x/123456": true} {
		if got := hasLongDigitRun(s); got != want {
			t.Errorf("hasLongDigitRun(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestByteCause(t *testing.T) {
	line := []byte(`203.0.113.1 - - [17/Feb/2019:10:00:00 +0100] "GET / HTTP/1.1" 200 2 "-" "x"`)
	var lf, cr []byte
	for range 20 {
		lf = append(append(lf, line...), '\n')
		cr = append(append(cr, line...), '\r')
	}
	f := func(name string, b []byte, want string) {
		t.Helper()
		got := byteCause(b)
		if (want == "") != (got == "") || want != "" && !strings.Contains(got, want) {
			t.Errorf("%s: byteCause = %q, want %q", name, got, want)
		}
	}
	f("text", lf, "")
	f("CRLF", []byte(string(lf[:len(lf)-1])+"\r\n"), "")
	f("CR only", cr, "CR only")
	f("UTF-16LE", utf16LE(lf)[2:], "UTF-16")
	f("UTF-16 BOM", utf16LE(lf), "UTF-16")
	f("binary", randomBytes(4096), "not text")
	f("empty", nil, "")
}

// BenchmarkPathTallyObserve measures what the no-match check adds to each
// record of the read loop.
func BenchmarkPathTallyObserve(b *testing.B) {
	tl := &pathTally{exts: []string{".mp3", ".wav"}, workers: make([]tallyShard, 1)}
	paths := []string{"/recordings/Stockholm/2016/01/07/STO100001_0701740665.mp3", "/healthz", "/recordings/Stockholm/2016/01/", "/favicon.ico"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tl.observe(0, paths[i&3])
		i++
	}
}
