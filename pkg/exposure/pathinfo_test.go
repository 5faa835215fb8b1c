package exposure

import (
	"strings"
	"testing"

	"github.com/forensiclog/forensics/pkg/logparse"
)

func pathInfoIndex(t *testing.T, opt IndexOptions) *Index {
	t.Helper()
	csv := "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n" +
		"/rec/a/x_0701740001.wav,c1,2019-01-20T10:00:00+01:00,60,1000,Stockholm,,caller:" + adult + "\n" +
		"/rec/a/y_0701740002.mp3,c2,2019-01-21T10:00:00+01:00,60,2000,Stockholm,,caller:" + other + "\n" +
		"/rec/a/y_0701740002.mp3/z.mp3,c3,2019-01-21T10:00:00+01:00,60,2000,Stockholm,,caller:" + other + "\n"
	opt.Format = "csv"
	ix, err := ReadIndex(strings.NewReader(csv), opt)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestMatchPathInfo(t *testing.T) {
	ix := pathInfoIndex(t, IndexOptions{})
	f := func(req string, want string) {
		t.Helper()
		got := ""
		if i, ok := ix.MatchPathInfo(req); ok {
			got = ix.Recording(i).CallID
		}
		if got != want {
			t.Errorf("MatchPathInfo(%q) = %q, want %q", req, got, want)
		}
	}
	// Success.
	f("/rec/a/x_0701740001.wav/extra.mp3", "c1")
	f("/rec/a/x_0701740001.wav/", "c1")
	f("/rec/a/x_0701740001.wav/deeper/still.mp3", "c1")
	f("/rec/a/x_0701740001.wav//extra", "c1")
	f("/rec/a/x_0701740001%2Ewav/extra", "c1")
	f("/rec/./a/x_0701740001.wav/extra", "c1")
	// The shortest recording prefix wins: the server stops at the first file.
	f("/rec/a/y_0701740002.mp3/z.mp3/more", "c2")
	// Failure.
	f("/rec/a/x_0701740001.wav", "")   // the recording itself: Match's
	f("/rec/a/x_0701740001.wa/x", "")  // not a segment boundary
	f("/rec/a/x_0701740001.wavx/", "") // not a segment boundary
	f("/rec/a/x_0701740001.wav/../y", "")
	f("/rec/a/", "")
	f("/", "")
	f("", "")
}

func TestMatchPathInfoMapped(t *testing.T) {
	ix := pathInfoIndex(t, IndexOptions{PathMapper: PathMapper{StripPrefix: "/pub", AddPrefix: "/rec", FoldCase: true}})
	if i, ok := ix.MatchPathInfo("/PUB/a/X_0701740001.WAV/extra"); !ok || ix.Recording(i).CallID != "c1" {
		t.Errorf("mapped, case-folded path info: %v %v", i, ok)
	}
	if _, ok := ix.MatchPathInfo("/rec/a/x_0701740001.wav/extra"); ok {
		t.Error("a path outside StripPrefix matched")
	}
}

func TestPathInfoDelivery(t *testing.T) {
	const size = 1000
	f := func(name string, rec *logparse.Record, want bool) {
		t.Helper()
		if got := pathInfoDelivery(rec, size, 150); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	wire := func(status int, n int64) *logparse.Record {
		r := req("GET", status, logparse.NotLogged)
		r.WireBytes = n
		return r
	}
	// Success.
	f("200 with the file's length", req("GET", 200, size), true)
	f("POST 200", req("POST", 200, size), true)
	f("200, wire bytes with headers", wire(200, size+260), true)
	f("206 inside the file", req("GET", 206, 400), true)
	r := req("GET", 206, 400)
	r.ContentRange = "bytes 600-999/1000"
	f("206 with a fitting Content-Range", r, true)
	f("206, wire bytes", wire(206, 400+250), true)
	r = req("GET", 200, 300)
	r.Completion = logparse.CompletionAborted
	f("aborted 200 short of the length", r, true)
	// Failure.
	f("200 shorter than the file", req("GET", 200, size-1), false)
	f("200 longer than the file", req("GET", 200, size+1), false)
	f("200 empty", req("GET", 200, 0), false)
	f("200, wire bytes of another size", wire(200, size+5000), false)
	f("200, wire bytes too short for headers", wire(200, size+100), false)
	f("206 longer than the file", req("GET", 206, size+1), false)
	r = req("GET", 206, 400)
	r.ContentRange = "bytes 0-399/5000"
	f("206 of a file of another size", r, false)
	f("404 page", req("GET", 404, 300), false)
	f("HEAD", req("HEAD", 200, 0), false)
	f("304", req("GET", 304, 0), false)
	f("no byte count", req("GET", 200, logparse.NotLogged), false)
	if pathInfoDelivery(req("GET", 200, size), 0, 150) {
		t.Error("size unknown: a fit cannot be checked")
	}
}
