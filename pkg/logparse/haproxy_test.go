package logparse

import (
	"os"

	"github.com/google/go-cmp/cmp"
	"strings"
	"testing"
	"time"
)

const haLine = `198.51.100.70:33317 [18/Feb/2019:21:02:31.655] http-in static/srv1 10/0/30/69/109 206 65871 - - ---- 1/1/1/1/0 0/0 {example.org|bytes=0-65535} {bytes 0-65535/2390282} "GET /samtal/a%20b.mp3?x=1 HTTP/1.1"`

func haBase() Record {
	want := fxRec()
	want.Time = fxDate("2019-02-18T21:02:31.655Z")
	want.Client = fxAddr("198.51.100.70")
	want.Method, want.Target, want.Path, want.Query, want.Protocol = "GET", "/samtal/a%20b.mp3?x=1", "/samtal/a b.mp3", "x=1", "HTTP/1.1"
	want.Status, want.WireBytes, want.Duration = 206, 65871, 109*time.Millisecond
	want.Completion = CompletionComplete
	want.Range, want.ContentRange = "bytes=0-65535", "bytes 0-65535/2390282"
	want.Extra = []Field{{"client_port", "33317"}, {"frontend", "http-in"}, {"backend", "static"}, {"server", "srv1"},
		{"timers", "10/0/30/69/109"}, {"termination_state", "----"}, {"connections", "1/1/1/1/0"}, {"queues", "0/0"},
		{"captured_request_headers", "example.org|bytes=0-65535"}, {"captured_response_headers", "bytes 0-65535/2390282"}}
	return want
}

func TestHAProxySuccess(t *testing.T) {
	f := HAProxyFormat{}
	t.Run("bare", func(t *testing.T) { fxSuccess(t, f, haLine+"\n", haBase()) })
	t.Run("rfc3164", func(t *testing.T) {
		fxSuccess(t, f, "Feb 18 21:02:31 lb1 haproxy[14389]: "+haLine+"\n", haBase())
	})
	t.Run("rfc3164-location", func(t *testing.T) {
		loc := time.FixedZone("CET", 3600)
		want := haBase()
		want.Time = time.Date(2019, 2, 18, 21, 2, 31, 655e6, loc)
		fxSuccess(t, HAProxyFormat{Location: loc}, "Feb  8 21:02:31 lb1 haproxy[14389]: "+haLine+"\n", want)
	})
	t.Run("rfc5424-zone", func(t *testing.T) {
		want := haBase()
		want.Time = time.Date(2019, 2, 18, 21, 2, 31, 655e6, time.FixedZone("+0100", 3600))
		fxSuccess(t, f, "<134>1 2019-02-18T21:02:31.700+01:00 lb1 haproxy 14389 - - "+haLine+"\n", want)
	})
	t.Run("iso-header-utc", func(t *testing.T) {
		fxSuccess(t, f, "2019-02-18T21:02:31Z lb1 haproxy[1]: "+haLine+"\n", haBase())
	})
	t.Run("client-abort-logasap-no-captures", func(t *testing.T) {
		want := haBase()
		want.Range, want.ContentRange = "", ""
		want.Completion, want.Duration, want.WireBytes = CompletionAborted, 2000*time.Millisecond, 120000
		want.Extra = []Field{{"client_port", "33317"}, {"frontend", "http-in"}, {"backend", "static"}, {"server", "srv1"},
			{"timers", "0/0/1/5/+2000"}, {"logasap", "true"}, {"termination_state", "CD--"}, {"connections", "2/2/0/0/0"}, {"queues", "0/0"}}
		fxSuccess(t, f, `198.51.100.70:33317 [18/Feb/2019:21:02:31.655] http-in static/srv1 0/0/1/5/+2000 206 +120000 - - CD-- 2/2/0/0/0 0/0 "GET /samtal/a%20b.mp3?x=1 HTTP/1.1"`+"\n", want)
	})
	t.Run("badreq-unix-socket", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2019-02-18T21:02:31Z")
		want.Status, want.WireBytes, want.Duration, want.Completion = 408, 212, 6001*time.Millisecond, CompletionAborted
		want.Extra = []Field{{"client_port", "22222"}, {"frontend", "fe"}, {"backend", "fe"}, {"server", "<NOSRV>"},
			{"timers", "-1/-1/-1/-1/6001"}, {"termination_state", "cR--"}, {"connections", "1/1/0/0/0"}, {"queues", "0/0"},
			{"request", "<BADREQ>"}}
		fxSuccess(t, f, `-:22222 [18/Feb/2019:21:02:31.000] fe fe/<NOSRV> -1/-1/-1/-1/6001 408 212 - - cR-- 1/1/0/0/0 0/0 "<BADREQ>"`+"\n", want)
	})
	t.Run("truncated-request-ipv6-cookies", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2019-02-18T21:02:31Z")
		want.Client = fxAddr("2001:db8::7")
		want.Method, want.Target, want.Path = "GET", "/very/long", "/very/long"
		want.Status, want.WireBytes, want.Duration, want.Completion = 200, 10, 0, CompletionComplete
		want.Extra = []Field{{"client_port", "443"}, {"frontend", "fe"}, {"backend", "be"}, {"server", "s"},
			{"timers", "0/0/0/0/0"}, {"captured_request_cookie", "SID=1"}, {"captured_response_cookie", "SID=2"},
			{"termination_state", "--NI"}, {"connections", "1/1/0/0/0"}, {"queues", "0/0"}, {"request_truncated", "true"}}
		fxSuccess(t, f, `2001:db8::7:443 [18/Feb/2019:21:02:31.000] fe be/s 0/0/0/0/0 200 10 SID=1 SID=2 --NI 1/1/0/0/0 0/0 "GET /very/long`+"\n", want)
	})
}

func TestHAProxySkipped(t *testing.T) {
	for _, in := range []string{
		"Feb 18 21:02:33 lb1 haproxy[14389]: Proxy http-in started.\n",
		"198.51.100.71:50033 [18/Feb/2019:21:02:31.123] frontend/bind: SSL handshake failure\n",
		"   \n",
	} {
		_, _, st := fxRead(t, HAProxyFormat{}, in)
		if st.Skipped != 1 || st.Lines != 1 {
			t.Errorf("%q: stats %+v, want one skipped line", strings.TrimSpace(in)[:10], st)
		}
	}
}

// TestHAProxyCaptures reads lines that a real HAProxy wrote with
// captured Range and Content-Range headers (testdata/haproxy/captures.md
// says how they were made).
func TestHAProxyCaptures(t *testing.T) {
	type got struct {
		Status              int
		Range, ContentRange string
	}
	read := func(f Format, file string) []got {
		t.Helper()
		data, err := os.ReadFile("testdata/haproxy/" + file)
		if err != nil {
			t.Fatal(err)
		}
		recs, rejs, _ := fxRead(t, f, string(data))
		if len(rejs) != 0 {
			t.Fatalf("%s: rejects %v", file, rejs)
		}
		var out []got
		for _, r := range recs {
			out = append(out, got{r.Status, r.Range, r.ContentRange})
		}
		return out
	}
	want := []got{
		{200, "", ""},
		{206, "bytes=0-65535", "bytes 0-65535/100000"},
		{206, "bytes=65536-", "bytes 65536-99999/100000"},
		{206, "bytes=-500", "bytes 99500-99999/100000"},
		{206, "bytes=0-9,20-29", ""}, // multipart/byteranges: no Content-Range header
		{416, "bytes=200000-", "bytes */100000"},
		{200, "", ""}, // HEAD
		{200, "", ""}, // listing
		{206, "bytes=0-49999", "bytes 0-49999/100000"},
		{206, "bytes=50000-", "bytes 50000-99999/100000"}, // resumed
		{206, "bytes=0-24999", "bytes 0-24999/100000"},
		{206, "bytes=25000-49999", "bytes 25000-49999/100000"},
		{206, "bytes=50000-74999", "bytes 50000-74999/100000"},
		{206, "bytes=75000-99999", "bytes 75000-99999/100000"},
	}
	// By content (the default), and by position: Host is the first
	// request capture, Range the second.
	for _, f := range []Format{HAProxyFormat{}, HAProxyFormat{RangeCapture: 2, ContentRangeCapture: 1}} {
		if diff := cmp.Diff(want, read(f, "captures.log")); diff != "" {
			t.Errorf("%s: captures.log (-want +got)\n%s", f.Name(), diff)
		}
	}
	// A wrong position reads the wrong value, as configured.
	if g := read(HAProxyFormat{RangeCapture: 1, ContentRangeCapture: -1}, "captures.log")[1]; g.Range != "127.0.0.1:18080" || g.ContentRange != "" {
		t.Errorf("range=1,content_range=none: %+v", g)
	}
	// Only the response block is logged.
	wantResp := []got{{206, "", "bytes 0-999/100000"}, {206, "", "bytes 1000-99999/100000"}, {200, "", ""}}
	for _, f := range []Format{HAProxyFormat{}, HAProxyFormat{RangeCapture: -1, ContentRangeCapture: 1}} {
		if diff := cmp.Diff(wantResp, read(f, "captures-response-only.log")); diff != "" {
			t.Errorf("%s: captures-response-only.log (-want +got)\n%s", f.Name(), diff)
		}
	}
	// Detect reads them by content.
	data, _ := os.ReadFile("testdata/haproxy/captures.log")
	if f, _, err := Detect(data); err != nil || f.Name() != "haproxy" {
		t.Errorf("Detect: %v, %v", f, err)
	}
}

func TestHAProxyOptions(t *testing.T) {
	f := func(spec string, want HAProxyFormat) {
		t.Helper()
		got, err := ParseFormat(spec)
		if err != nil {
			t.Fatalf("ParseFormat(%q): %v", spec, err)
		}
		if got != want {
			t.Errorf("ParseFormat(%q) = %+v, want %+v", spec, got, want)
		}
		if again, err := ParseFormat(got.Name()); err != nil || again != want {
			t.Errorf("ParseFormat(%q) (its name) = %+v, %v", got.Name(), again, err)
		}
	}
	f("haproxy", HAProxyFormat{})
	f("haproxy:range=2,content_range=1", HAProxyFormat{RangeCapture: 2, ContentRangeCapture: 1})
	f("haproxy:content_range=3", HAProxyFormat{ContentRangeCapture: 3})
	f("haproxy:range=none,content_range=auto", HAProxyFormat{RangeCapture: -1})
	for _, bad := range []string{"haproxy:range=0", "haproxy:range", "haproxy:size=1", "haproxy:range=1,range=2", "haproxy:range=x"} {
		if _, err := ParseFormat(bad); err == nil {
			t.Errorf("ParseFormat(%q): no error", bad)
		}
	}
}

func TestHAProxyFailure(t *testing.T) {
	f := HAProxyFormat{}
	cases := []struct {
		name     string
		old, new string
		kind     error
	}{
		{"no-date", "[18/Feb/2019:21:02:31.655]", "18/Feb/2019:21:02:31.655", ErrLiteral},
		{"bad-date", "21:02:31.655", "25:02:31.655", ErrTimestamp},
		{"bad-client", "198.51.100.70:33317", "client:33317", ErrAddress},
		{"no-port", "198.51.100.70:33317", "198.51.100.70", ErrAddress},
		{"tcplog-timers", "10/0/30/69/109", "-1/-1/1", ErrLiteral},
		{"bad-timer", "10/0/30/69/109", "10/0/30/69/x", ErrNumber},
		{"bad-status", " 206 ", " 2060 ", ErrStatus},
		{"bad-bytes", " 65871 ", " -5 ", ErrNumber},
		{"bad-termination", " ---- ", " --- ", ErrLiteral},
		{"bad-conns", "1/1/1/1/0", "1/1/1", ErrLiteral},
		{"no-request", ` {example.org|bytes=0-65535} {bytes 0-65535/2390282} "GET /samtal/a%20b.mp3?x=1 HTTP/1.1"`, "", ErrFieldCount},
		{"unquoted-request", `"GET /samtal/a%20b.mp3?x=1 HTTP/1.1"`, `GET`, ErrQuote},
		{"unknown-syslog-header", "198.51.100.70:33317 [", "what is this 198.51.100.70:33317 [", ErrLiteral},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := strings.Replace(haLine, c.old, c.new, 1)
			if in == haLine {
				t.Fatal("replacement did not apply")
			}
			fxFailure(t, f, in+"\n", c.kind, 0)
		})
	}
}

func TestHAProxyTestdata(t *testing.T) {
	data, _ := os.ReadFile("testdata/haproxy/httplog.log")
	recs, rejs, st := fxRead(t, HAProxyFormat{}, string(data))
	if len(recs) != 2 || st.Skipped != 1 {
		t.Fatalf("%d records, stats %+v", len(recs), st)
	}
	if diff := fxRejects(ErrNotHTTP, 4); len(rejs) != 1 || rejs[0] != diff[0] {
		t.Errorf("rejects %v, want the tcplog line 4", rejs)
	}
	if _, off := recs[1].Time.Zone(); off != 3600 || recs[1].Completion != CompletionAborted {
		t.Errorf("second record: zone offset %d completion %v", off, recs[1].Completion)
	}
}

// TestHAProxyRealWorld: the tcplog files are HAProxy's TCP-mode log
// ("option tcplog"): no HTTP status line or request, three timers; a person
// would not read them as HTTP requests either: they are rejected as
// ErrNotHTTP, recognised as HAProxy's but not HTTP.
func TestHAProxyRealWorld(t *testing.T) {
	fxCorpus(t, HAProxyFormat{}, "haproxy", []fxCorpusCase{
		// Lines 3-5 are SSL handshake failures: connection errors, no request.
		{file: "crowdsec-hub-haproxy-logs.log", records: 2, skipped: 3},
		{file: "crowdsec-hub-haproxy-nextcloud-whitelist.log", records: 1},
		// Lines 2-10 log a host name after backend/server (custom format).
		{file: "filebeat-haproxy-log-haproxy.log", records: 10},
		{file: "filebeat-haproxy-log-httplog-no-headers.log", records: 3, skipped: 1},
		{file: "filebeat-haproxy-log-tcplog.log", rejected: fxRejects(ErrNotHTTP, 1)},
		// Lines 1-3 are "Proxy ... started." daemon messages; line 14 an SSL handshake failure.
		{file: "lnav-logfile_haproxy.0.log", records: 13, skipped: 4},
		{file: "logstash-patterns-core-haproxy_spec-lines.log", records: 7, rejected: fxRejects(ErrNotHTTP, 8)},
	})
}

func BenchmarkHAProxy(b *testing.B) {
	fxBench(b, HAProxyFormat{}, fxBenchData("", "Feb 18 21:02:31 lb1 haproxy[14389]: "+haLine+"\n", 2000))
}
