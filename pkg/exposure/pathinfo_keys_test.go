package exposure

import (
	"testing"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// TestPathInfoSizesAgree checks PathInfoSizes, through which the engine
// decides (pathInfoDelivery), against pathInfoDeliveryRef, the rule
// written out case by case, over records and sizes around their bounds.
func TestPathInfoSizesAgree(t *testing.T) {
	nl := int64(logparse.NotLogged)
	var recs []logparse.Record
	for _, method := range []string{"GET", "HEAD", "POST"} {
		for _, status := range []int{200, 206, 404} {
			for _, bw := range [][2]int64{{1000, nl}, {0, nl}, {nl, 1150}, {nl, 3000}, {nl, 100}, {nl, nl}, {999, 1200}} {
				for _, cr := range []string{"", "bytes 0-999/1000", "bytes 0-499/*", "bytes 100-199/5000", "nonsense", "bytes */1000"} {
					for _, c := range []logparse.Completion{logparse.CompletionNotLogged, logparse.CompletionAborted} {
						recs = append(recs, logparse.Record{Method: method, Status: status, BodyBytes: bw[0], WireBytes: bw[1], ContentRange: cr, Completion: c})
					}
				}
			}
		}
	}
	n := 0
	for i := range recs {
		rec := &recs[i]
		lo, hi, ok := PathInfoSizes(rec, 150)
		for _, size := range []int64{-1, 0, 1, 100, 499, 500, 999, 1000, 1001, 1150, 3000, 4999, 5000, 5001, 1 << 40} {
			want := pathInfoDeliveryRef(rec, size, 150)
			got := ok && size >= lo && (hi < 0 || size <= hi)
			if eng := pathInfoDelivery(rec, size, 150); got != want || eng != want {
				t.Errorf("%s %d body %d wire %d %q completion %v, size %d: PathInfoSizes says %v (%d, %d, %v), the engine %v, the rule %v",
					rec.Method, rec.Status, rec.BodyBytes, rec.WireBytes, rec.ContentRange, rec.Completion, size, got, lo, hi, ok, eng, want)
			}
			if want {
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no case is a delivery: the test checks nothing")
	}
}

// TestPathInfoKeysMatch checks that the shortest of PathInfoKeys that is
// a recording's key is the recording MatchPathInfo finds.
func TestPathInfoKeysMatch(t *testing.T) {
	for _, m := range []PathMapper{{}, {StripPrefix: "/pub", AddPrefix: "/rec", FoldCase: true}} {
		ix := pathInfoIndex(t, IndexOptions{PathMapper: m})
		keys := map[string]int{}
		for i := range ix.Len() {
			keys[ix.Key(i)] = i
		}
		found := 0
		for _, p := range []string{"/rec/a/x_0701740001.wav/extra.mp3", "/rec/a/x_0701740001.wav/", "/rec/a/x_0701740001%2Ewav/extra",
			"/rec/a/y_0701740002.mp3/z.mp3/more", "/PUB/a/X_0701740001.WAV/extra", "/pub/a/y_0701740002.mp3/z.mp3/x",
			"/rec/a/x_0701740001.wav/../y", "/rec/a/x_0701740001.wav", "/rec/a/", "/", ""} {
			want, wok := ix.MatchPathInfo(p)
			got, gok := -1, false
			for _, k := range PathInfoKeys(p, m) {
				if i, ok := keys[k]; ok {
					got, gok = i, true
					break
				}
			}
			if gok != wok || gok && got != want {
				t.Errorf("mapper %+v, %s: the keys find %d %v, MatchPathInfo %d %v", m, p, got, gok, want, wok)
			}
			if wok {
				found++
			}
		}
		if found < 2 {
			t.Errorf("mapper %+v: only %d paths are path info: the test checks little", m, found)
		}
	}
}

// pathInfoDeliveryRef is the path-info delivery rule written out case by
// case (the engine's own code before PathInfoSizes served it): a GET or
// POST answered 200 with exactly the file's length (with only wire bytes
// logged: the length plus headers between headerBytes and
// pathInfoHeaderSlack; an aborted 200 at most the length), or 206 with at
// most the length and, where logged, a Content-Range inside the file.
func pathInfoDeliveryRef(rec *logparse.Record, size, headerBytes int64) bool {
	if rec.Method != "GET" && rec.Method != "POST" || size <= 0 {
		return false
	}
	if rec.Status != 200 && rec.Status != 206 {
		return false
	}
	// lo and hi bound the body the count allows.
	var lo, hi int64
	switch {
	case rec.BodyBytes != logparse.NotLogged:
		lo, hi = rec.BodyBytes, rec.BodyBytes
	case rec.WireBytes != logparse.NotLogged:
		lo, hi = rec.WireBytes-pathInfoHeaderSlack, rec.WireBytes-headerBytes
	default:
		return false
	}
	if hi <= 0 {
		return false
	}
	if rec.Status == 200 {
		if rec.Completion == logparse.CompletionAborted {
			return lo <= size
		}
		return lo <= size && size <= hi
	}
	if lo > size {
		return false
	}
	if rec.ContentRange != "" {
		sp, total, ok := parseContentRange(rec.ContentRange)
		if !ok || total >= 0 && total != size || sp.End > size {
			return false
		}
	}
	return true
}
