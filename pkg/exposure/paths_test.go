package exposure

import (
	"strings"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	f := func(in string, m PathMapper, want string) {
		t.Helper()
		if got := NormalizePath(in, m); got != want {
			t.Errorf("NormalizePath(%q, %+v) = %q, want %q", in, m, got, want)
		}
	}
	none := PathMapper{}
	f("/rec/2019/a.mp3", none, "/rec/2019/a.mp3")
	f("rec/a.mp3", none, "/rec/a.mp3")
	f("", none, "/")
	f("/", none, "/")
	// Double and triple encoding (logparse decoded once already).
	f("/rec%2F2019%2Fa.mp3", none, "/rec/2019/a.mp3")
	f("/rec%252F2019%252Fa.mp3", none, "/rec/2019/a.mp3")
	f("/rec/%2e%2e/rec/a.mp3", none, "/rec/a.mp3")
	f("/rec/%41.mp3", none, "/rec/A.mp3")
	f("/rec/100%.mp3", none, "/rec/100%.mp3")     // malformed escape kept
	f("/rec/%zz%4", none, "/rec/%zz%4")           // malformed escapes kept
	f("/rec/a%20b.mp3", none, "/rec/a b.mp3")     // space
	f("/rec/%C3%B6.mp3", none, "/rec/\u00f6.mp3") // UTF-8
	// Dot segments, duplicate slashes, trailing slash.
	f("/rec/./2019/../2019/a.mp3", none, "/rec/2019/a.mp3")
	f("/../../etc/passwd", none, "/etc/passwd")
	f("//rec///2019//a.mp3", none, "/rec/2019/a.mp3")
	f("/rec/2019/", none, "/rec/2019/")
	f("/rec/2019//", none, "/rec/2019/")
	f("/rec/2019/.", none, "/rec/2019/")
	f("/rec/2019/..", none, "/rec/")
	f("/rec/..", none, "/")
	f("\\rec\\2019\\a.mp3", none, "/rec/2019/a.mp3")
	// Query dropped; an encoded '?' stays part of the name.
	f("/rec/?C=N;O=D", none, "/rec/")
	f("/rec/a.mp3?x=1", none, "/rec/a.mp3")
	f("/rec/a%253Fb.mp3", none, "/rec/a?b.mp3")
	// Prefix mapping, whole segments only.
	m := PathMapper{StripPrefix: "/rec", AddPrefix: "/volume1/1177/rec"}
	f("/rec/2019/a.mp3", m, "/volume1/1177/rec/2019/a.mp3")
	f("/rec", m, "/volume1/1177/rec/")
	f("/records/a.mp3", m, "/records/a.mp3")
	f("/other/a.mp3", m, "/other/a.mp3")
	f("/rec/../other/a.mp3", m, "/other/a.mp3") // normalised before mapping
	f("/x/a.mp3", PathMapper{StripPrefix: "/x/"}, "/a.mp3")
	f("/a.mp3", PathMapper{AddPrefix: "nas/"}, "/nas/a.mp3")
	// Case folding, also of the prefixes.
	fc := PathMapper{StripPrefix: "/REC", AddPrefix: "/Vol", FoldCase: true}
	f("/Rec/2019/A.MP3", fc, "/vol/2019/a.mp3")
	f("/REC/\u00d6.MP3", fc, "/vol/\u00f6.mp3")
	f("/Other/A.mp3", PathMapper{FoldCase: true}, "/other/a.mp3")
}

func TestNormalizePathNoAlloc(t *testing.T) {
	m := PathMapper{}
	if n := testing.AllocsPerRun(100, func() { NormalizePath("/rec/2019/02/01/C123_x.mp3", m) }); n != 0 {
		t.Errorf("NormalizePath allocates %v times for a clean path", n)
	}
}

func TestIsListingRequest(t *testing.T) {
	f := func(p, q string, want bool) {
		t.Helper()
		if got := IsListingRequest(p, q); got != want {
			t.Errorf("IsListingRequest(%q, %q) = %v, want %v", p, q, got, want)
		}
	}
	f("/", "", true)
	f("/rec/2019/", "", true)
	f("/rec/2019/", "C=N;O=D", true)
	f("/rec/2019/", "whatever=1", true)
	f("/rec/2019/?C=M;O=A", "", true)
	f("/rec/2019", "C=M;O=A", true)
	f("/rec/2019", "C=S&O=D&F=2&V=1", true)
	f("/rec/2019", "P=*.mp3", true)
	f("/rec/2019/.", "", true)
	f("/rec%2F2019%2F", "", true)
	f("/rec/2019", "", false)
	f("/rec/a.mp3", "", false)
	f("/rec/a.mp3", "download=1", false)
	f("/rec/2019", "C=X", false)
	f("/rec/2019", "O=Z", false)
	f("/rec/2019", "C", false)
}

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/rec/a.mp3", "/rec%252F..%252Fx", "//a/./b/../c/", "\\a\\b", "?x", "%", "/a/%2e%2e/%2e%2e/b", "/\u00d6/x"} {
		f.Add(s, "/rec", "/vol", true)
	}
	f.Fuzz(func(t *testing.T, p, strip, add string, fold bool) {
		m := PathMapper{StripPrefix: strip, AddPrefix: add, FoldCase: fold}
		got := NormalizePath(p, m)
		if !strings.HasPrefix(got, "/") {
			t.Fatalf("result not rooted")
		}
		base := NormalizePath(p, PathMapper{FoldCase: fold})
		// Without prefixes the result is a fixed point, has no empty,
		// "." or ".." segment (but a final empty one).
		if again := NormalizePath(base, PathMapper{FoldCase: fold}); again != base && !strings.Contains(base, "%") && !strings.Contains(base, "?") {
			t.Fatalf("not idempotent: %q -> %q", base, again)
		}
		if strings.Contains(base, "//") {
			t.Fatalf("duplicate slash in %q", base)
		}
		for _, seg := range strings.Split(strings.Trim(base, "/"), "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("dot segment left in %q", base)
			}
		}
		IsListingRequest(p, strip)
	})
}
