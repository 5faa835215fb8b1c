package exposure

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/pkg/logparse"
)

func TestSpanSetAdd(t *testing.T) {
	f := func(name string, adds [][2]int64, want spanSet, size, covered int64) {
		t.Helper()
		var s spanSet
		for _, a := range adds {
			s = s.add(a[0], a[1])
		}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("%s: spans (-want +got):\n%s", name, diff)
		}
		if got := s.covered(size); got != covered {
			t.Errorf("%s: covered(%d) = %d, want %d", name, size, got, covered)
		}
	}
	f("complementary halves", [][2]int64{{0, 50}, {50, 100}}, spanSet{{0, 100}}, 100, 100)
	f("reverse order", [][2]int64{{50, 100}, {0, 50}}, spanSet{{0, 100}}, 100, 100)
	f("hole", [][2]int64{{0, 40}, {60, 100}}, spanSet{{0, 40}, {60, 100}}, 100, 80)
	f("overlap", [][2]int64{{0, 60}, {40, 100}, {10, 20}}, spanSet{{0, 100}}, 100, 100)
	f("bridge three", [][2]int64{{0, 10}, {20, 30}, {40, 50}, {5, 45}}, spanSet{{0, 50}}, 100, 50)
	f("insert middle", [][2]int64{{0, 10}, {40, 50}, {20, 30}}, spanSet{{0, 10}, {20, 30}, {40, 50}}, 100, 30)
	f("beyond size", [][2]int64{{0, 200}}, spanSet{{0, 200}}, 100, 100)
	f("empty span ignored", [][2]int64{{5, 5}}, nil, 100, 0)
}

func TestParseRangeHeader(t *testing.T) {
	f := func(h string, size int64, want []span) {
		t.Helper()
		var got []span
		for _, r := range parseRangeHeader(h, nil) {
			if sp, ok := r.resolve(size); ok {
				got = append(got, sp)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q: (-want +got):\n%s", h, diff)
		}
	}
	f("bytes=0-99", 1000, []span{{0, 100}})
	f("bytes=500-", 1000, []span{{500, 1000}})
	f("bytes=-100", 1000, []span{{900, 1000}})
	f("bytes=0-99,200-299", 1000, []span{{0, 100}, {200, 300}})
	f("bytes=900-2000", 1000, []span{{900, 1000}})
	f("bytes=2000-", 1000, nil) // unsatisfiable
	f("", 1000, nil)
	f("-", 1000, nil)
	f("items=0-5", 1000, nil)
	f("bytes=5-1", 1000, nil)
	f("bytes=abc", 1000, nil)
}

func TestParseContentRange(t *testing.T) {
	sp, size, ok := parseContentRange("bytes 100-199/1000")
	if !ok || sp != (span{100, 200}) || size != 1000 {
		t.Errorf("got %v %d %v", sp, size, ok)
	}
	if _, size, ok := parseContentRange("bytes 0-9/*"); !ok || size != -1 {
		t.Errorf("unknown total: size %d ok %v", size, ok)
	}
	for _, bad := range []string{"", "bytes */1000", "bytes 9-0/10", "items 0-1/2"} {
		if _, _, ok := parseContentRange(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// req builds a record the way a parser would.
func req(method string, status int, body int64) *logparse.Record {
	return &logparse.Record{Method: method, Status: status, BodyBytes: body,
		WireBytes: logparse.NotLogged, RequestBytes: logparse.NotLogged, Duration: logparse.NotLogged}
}

func TestClassify(t *testing.T) {
	const size = 1000
	type want struct {
		kind      deliveryKind
		span      span
		spanKnown bool
		extra     int64
		unc       Uncertainty
		prior     bool
	}
	f := func(name string, rec *logparse.Record, w want) {
		t.Helper()
		d := classify(rec, size, 150, nil)
		got := want(d)
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{}, span{})); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", name, diff)
		}
	}
	f("200 full", req("GET", 200, size), want{kind: deliverContent, span: span{0, size}, spanKnown: true, unc: UncertainCompletionUnknown})
	r := req("GET", 200, size)
	r.Completion = logparse.CompletionComplete
	f("200 full, logged complete", r, want{kind: deliverContent, span: span{0, size}, spanKnown: true})
	f("200 aborted short", req("GET", 200, 300), want{kind: deliverContent, span: span{0, 300}, spanKnown: true})
	f("POST 200", req("POST", 200, size), want{kind: deliverContent, span: span{0, size}, spanKnown: true, unc: UncertainCompletionUnknown})
	f("HEAD", req("HEAD", 200, 0), want{kind: deliverMetadata})
	f("304", req("GET", 304, 0), want{kind: deliverMetadata, prior: true})
	f("416", req("GET", 416, 0), want{kind: deliverMetadata})
	f("416 with its error page", req("GET", 416, 380), want{kind: deliverMetadata})
	f("HEAD 416", req("HEAD", 416, 0), want{kind: deliverMetadata})
	f("OPTIONS 416", req("OPTIONS", 416, 0), want{})
	f("404", req("GET", 404, 209), want{})
	f("301", req("GET", 301, 0), want{})
	f("500", req("GET", 500, 100), want{})
	f("OPTIONS", req("OPTIONS", 200, 10), want{})
	f("200 empty body", req("GET", 200, 0), want{kind: deliverMetadata})

	r = req("GET", 206, 100)
	r.Range = "bytes=200-299"
	f("206 with range", r, want{kind: deliverContent, span: span{200, 300}, spanKnown: true})

	r = req("GET", 206, 50)
	r.Range = "bytes=200-"
	f("206 open range cut short", r, want{kind: deliverContent, span: span{200, 250}, spanKnown: true})

	r = req("GET", 206, 100)
	r.ContentRange = "bytes 500-599/1000"
	f("206 content-range", r, want{kind: deliverContent, span: span{500, 600}, spanKnown: true})

	f("206 no range, partial count", req("GET", 206, 100), want{kind: deliverContent, extra: 100, unc: UncertainRangeUnknown})
	f("206 no range, whole count", req("GET", 206, size), want{kind: deliverContent, span: span{0, size}, spanKnown: true, unc: UncertainCompletionUnknown})

	r = req("GET", 206, 260)
	r.Range = "bytes=0-99,500-599"
	f("206 multipart", r, want{kind: deliverContent, extra: 260, unc: UncertainMultipart})

	r = req("GET", 200, logparse.NotLogged)
	r.WireBytes = size + 240
	f("wire bytes full", r, want{kind: deliverContent, span: span{0, size}, spanKnown: true, unc: UncertainWireBytes | UncertainCompletionUnknown})

	r = req("GET", 200, logparse.NotLogged)
	r.WireBytes = 650
	f("wire bytes partial", r, want{kind: deliverContent, span: span{0, 500}, spanKnown: true, unc: UncertainWireBytes})

	r = req("GET", 200, logparse.NotLogged)
	r.WireBytes = 120
	f("wire bytes headers only", r, want{kind: deliverMetadata, unc: UncertainWireBytes})

	r = req("GET", 200, size)
	r.Completion = logparse.CompletionAborted
	f("aborted full count", r, want{kind: deliverContent, span: span{0, size - 1}, spanKnown: true, unc: UncertainAborted})

	// Apache: %b is the length it meant to send, %X=X, %O what went out.
	r = req("GET", 206, size)
	r.Range, r.Completion, r.WireBytes = "bytes=0-", logparse.CompletionAborted, 400+150
	f("aborted range, wire count believed", r, want{kind: deliverContent, span: span{0, 400}, spanKnown: true, unc: UncertainAborted})

	r = req("GET", 206, 500)
	r.Range, r.Completion = "bytes=500-", logparse.CompletionAborted
	f("aborted range to the end", r, want{kind: deliverContent, span: span{500, size - 1}, spanKnown: true, unc: UncertainAborted})

	// HTTP/2 and HTTP/3: a logged completion and count say what the
	// server wrote into the stream, not what the client received.
	r = req("GET", 206, size)
	r.Range, r.Completion, r.Protocol = "bytes=0-", logparse.CompletionComplete, "HTTP/2.0"
	f("h2 logged complete", r, want{kind: deliverContent, span: span{0, size}, spanKnown: true, unc: UncertainCompletionUnknown})
	r = req("GET", 206, 100)
	r.Range, r.Completion, r.Protocol = "bytes=0-99", logparse.CompletionComplete, "HTTP/3.0"
	f("h3 partial", r, want{kind: deliverContent, span: span{0, 100}, spanKnown: true, unc: UncertainCompletionUnknown})
	r = req("GET", 200, size)
	r.Completion, r.Protocol = logparse.CompletionComplete, "HTTP/1.1"
	f("HTTP/1.1 logged complete", r, want{kind: deliverContent, span: span{0, size}, spanKnown: true})
	r = req("HEAD", 200, 0)
	r.Protocol = "HTTP/2.0"
	f("h2 HEAD", r, want{kind: deliverMetadata})

	r = req("GET", 200, logparse.NotLogged)
	f("no byte count", r, want{kind: deliverContent, span: span{0, size}, spanKnown: true, unc: UncertainBytesNotLogged | UncertainCompletionUnknown})
}

func TestMultiplexed(t *testing.T) {
	for _, p := range []string{"HTTP/2.0", "HTTP/2", "http/2.0", "HTTP/3.0", "HTTP/3", "h2", "h2c", "h3"} {
		if !multiplexed(p) {
			t.Errorf("%q: not recognised as HTTP/2 or HTTP/3", p)
		}
	}
	for _, p := range []string{"", "HTTP/1.1", "HTTP/1.0", "HTTP/0.9", "HTTP/", "HTTP/20", "HTTP/2x", "h1", "SPDY/3"} {
		if multiplexed(p) {
			t.Errorf("%q: taken for HTTP/2 or HTTP/3", p)
		}
	}
}

func TestPairLevel(t *testing.T) {
	f := func(name string, p pairAgg, size int64, wantL Level, wantB int64, wantC float64) {
		t.Helper()
		l, b, c := p.level(size)
		if l != wantL || b != wantB || c != wantC {
			t.Errorf("%s: got %v %d %.2f, want %v %d %.2f", name, l, b, c, wantL, wantB, wantC)
		}
	}
	f("ranges adding up", pairAgg{kind: deliverContent, spans: spanSet{{0, 1000}}}, 1000, Full, 1000, 1)
	f("ranges with holes", pairAgg{kind: deliverContent, spans: spanSet{{0, 400}, {600, 1000}}}, 1000, Partial, 800, 0.8)
	f("unknown positions never full", pairAgg{kind: deliverContent, spans: spanSet{{0, 500}}, extra: 700}, 1000, Partial, 1000, 0.5)
	f("metadata", pairAgg{kind: deliverMetadata}, 1000, Metadata, 0, 0)
	f("attempts only", pairAgg{requests: 3}, 1000, None, 0, 0)
	f("size unknown whole", pairAgg{kind: deliverContent, spans: spanSet{{0, 10}}, flags: pfWhole}, 0, Full, 10, 1)
}

// TestUncertaintyString: String is Strings joined by commas for every set
// of flags, the known ones from a table and any other by joining.
func TestUncertaintyString(t *testing.T) {
	for u := range Uncertainty(1<<len(uncertaintyNames) + 3) {
		if got, want := u.String(), strings.Join(u.Strings(), ","); got != want {
			t.Errorf("%#x: String %q, Strings joined %q", uint16(u), got, want)
		}
	}
	if got := (UncertainAborted | UncertainListingUnknown).String(); got != "aborted,listing_unknown" {
		t.Errorf("aborted|listing_unknown: %q", got)
	}
}
