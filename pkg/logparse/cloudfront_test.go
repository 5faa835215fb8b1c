package logparse

import (
	"os"
	"strings"
	"testing"
	"time"
)

// cfLine joins values with tabs.
func cfLine(v ...string) string { return strings.Join(v, "\t") + "\n" }

// cfStd returns the 33 values of a standard log line with the given
// overrides (by field name).
func cfStd(over map[string]string) string {
	vals := map[string]string{
		"date": "2019-02-18", "time": "21:02:31", "x-edge-location": "ARN1-C1",
		"sc-bytes": "65900", "c-ip": "198.51.100.44", "cs-method": "GET",
		"cs(Host)": "d111111abcdef8.cloudfront.net", "cs-uri-stem": "/samtal/a.mp3",
		"sc-status": "206", "cs(Referer)": "-", "cs(User-Agent)": "curl/7.64.0",
		"cs-uri-query": "-", "cs(Cookie)": "-", "x-edge-result-type": "Hit",
		"x-edge-request-id": "REQ1==", "x-host-header": "example.org",
		"cs-protocol": "https", "cs-bytes": "230", "time-taken": "0.120",
		"x-forwarded-for": "-", "ssl-protocol": "-", "ssl-cipher": "-",
		"x-edge-response-result-type": "Hit", "cs-protocol-version": "HTTP/2.0",
		"fle-status": "-", "fle-encrypted-fields": "-", "c-port": "-",
		"time-to-first-byte": "-", "x-edge-detailed-result-type": "-",
		"sc-content-type": "-", "sc-content-len": "-", "sc-range-start": "-",
		"sc-range-end": "-",
	}
	for k, v := range over {
		vals[k] = v
	}
	var out []string
	for _, n := range cloudFrontDefaultFields {
		out = append(out, vals[n])
	}
	return cfLine(out...)
}

const cfHeader = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n"

func cfBase() Record {
	want := fxRec()
	want.Time = fxDate("2019-02-18T21:02:31Z")
	want.Client = fxAddr("198.51.100.44")
	want.Method, want.Target, want.Path = "GET", "/samtal/a.mp3", "/samtal/a.mp3"
	want.Protocol, want.Status = "HTTP/2.0", 206
	want.WireBytes, want.RequestBytes, want.Duration = 65900, 230, 120*time.Millisecond
	want.VHost, want.UserAgent = "example.org", "curl/7.64.0"
	want.Extra = []Field{{"x-edge-location", "ARN1-C1"}, {"cs(Host)", "d111111abcdef8.cloudfront.net"},
		{"x-edge-result-type", "Hit"}, {"x-edge-request-id", "REQ1=="}, {"cs-protocol", "https"},
		{"x-edge-response-result-type", "Hit"}}
	return want
}

func TestCloudFrontSuccess(t *testing.T) {
	f := CloudFrontFormat{}
	t.Run("standard", func(t *testing.T) {
		fxSuccess(t, f, cfHeader+cfStd(nil), cfBase())
	})
	t.Run("no-header", func(t *testing.T) {
		fxSuccess(t, f, cfStd(nil), cfBase())
	})
	t.Run("range-query-referer-twice-encoded", func(t *testing.T) {
		want := cfBase()
		want.Target, want.Query = "/samtal/a.mp3?x=1", "x=1"
		want.ContentRange = "bytes 0-65535/*"
		want.UserAgent = "Mozilla/5.0 (X11)"
		want.Referer = "https://example.org/a b"
		want.ForwardedFor = "203.0.113.9, 198.51.100.1"
		fxSuccess(t, f, cfHeader+cfStd(map[string]string{"sc-range-start": "0", "sc-range-end": "65535",
			"cs-uri-query": "x=1", "cs(User-Agent)": "Mozilla/5.0%2520(X11)", "cs(Referer)": "https://example.org/a%20b",
			"x-forwarded-for": "203.0.113.9, 198.51.100.1"}), want)
	})
	t.Run("status-000", func(t *testing.T) {
		want := cfBase()
		want.Status, want.Completion = 0, CompletionAborted
		fxSuccess(t, f, cfStd(map[string]string{"sc-status": "000"}), want)
	})
	t.Run("trailing-tab", func(t *testing.T) {
		fxSuccess(t, f, cfHeader+strings.TrimSuffix(cfStd(nil), "\n")+"\t\n", cfBase())
	})
	t.Run("old-24-fields-no-header", func(t *testing.T) {
		line := strings.Join(strings.Split(strings.TrimSuffix(cfStd(nil), "\n"), "\t")[:24], "\t") + "\n"
		fxSuccess(t, f, line, cfBase())
	})
	t.Run("more-than-documented-no-header", func(t *testing.T) {
		want := cfBase()
		want.Extra = append(want.Extra, Field{"field34", "new"})
		fxSuccess(t, f, strings.TrimSuffix(cfStd(nil), "\n")+"\tnew\n", want)
	})
	t.Run("real-time-names", func(t *testing.T) {
		want := fxRec()
		want.Time = time.Unix(1607374321, 541e6).UTC()
		want.Client, want.Status = fxAddr("192.0.2.1"), 200
		want.Method, want.Target, want.Path, want.Query = "GET", "/i?a=1", "/i", "a=1"
		want.UserAgent = "a b"
		fxSuccess(t, f, "#Fields: timestamp c-ip sc-status cs-method cs-uri-stem cs-uri-query cs-user-agent\n"+
			cfLine("1607374321.541", "192.0.2.1", "200", "GET", "/i?a=1", "a=1", "a%20b"), want)
	})
}

func TestCloudFrontFailure(t *testing.T) {
	f := CloudFrontFormat{}
	cases := []struct {
		name string
		in   string
		kind error
	}{
		{"field-count", cfHeader + cfLine("2019-02-18", "21:02:31"), ErrFieldCount},
		{"extra-value", cfHeader + strings.TrimSuffix(cfStd(nil), "\n") + "\tx\n", ErrFieldCount},
		{"bad-date", cfStd(map[string]string{"date": "18/02/2019"}), ErrTimestamp},
		{"bad-time", cfStd(map[string]string{"time": "21:02"}), ErrTimestamp},
		{"bad-client", cfStd(map[string]string{"c-ip": "client"}), ErrAddress},
		{"bad-status", cfStd(map[string]string{"sc-status": "20"}), ErrStatus},
		{"bad-bytes", cfStd(map[string]string{"sc-bytes": "1e3"}), ErrNumber},
		{"bad-seconds", cfStd(map[string]string{"time-taken": "0.1.2"}), ErrNumber},
		{"bad-timestamp", "#Fields: timestamp\n" + cfLine("yesterday"), ErrTimestamp},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { fxFailure(t, f, c.in, c.kind, 0) })
	}
}

func TestCloudFrontTestdata(t *testing.T) {
	data, _ := os.ReadFile("testdata/cloudfront/standard.log")
	recs, rejs, _ := fxRead(t, CloudFrontFormat{}, string(data))
	if len(recs) != 2 || len(rejs) != 0 {
		t.Fatalf("%d records, rejects %v", len(recs), rejs)
	}
	if recs[0].ContentRange != "bytes 0-65535/*" || recs[0].UserAgent != "Mozilla/5.0 (X11)" || recs[0].Line != 3 {
		t.Errorf("first record: %q %q line %d", recs[0].ContentRange, recs[0].UserAgent, recs[0].Line)
	}
	if recs[1].Completion != CompletionAborted || recs[1].Target != "/samtal/?C=N;O=D" {
		t.Errorf("second record: %v %q", recs[1].Completion, recs[1].Target)
	}
}

func TestCloudFrontRealWorld(t *testing.T) {
	fxCorpus(t, CloudFrontFormat{}, "aws_cloudfront", []fxCorpusCase{
		{file: "clo-opensearch-log-processor-cloudfront.log", records: 2, skipped: 2},
		{file: "crowdsec-hub-aws-cloudfront-logs.log", records: 2},
		{file: "loki-lambda-promtail-cloudfront.log", records: 2, skipped: 2},
		{file: "node-cloudfront-log-parser-realtime-kinesis-1-0.log", records: 1, skipped: 2},
		// RTMP streaming events follow their own #Fields: kept as records
		// without method or status (x-event in Extra).
		{file: "node-cloudfront-log-parser-rtmp-1-0.log", records: 6, skipped: 2},
		{file: "node-cloudfront-log-parser-web-1-0-2019-12.log", records: 3, skipped: 2},
		{file: "node-cloudfront-log-parser-web-1-0.log", records: 2, skipped: 2},
	})
}

func BenchmarkCloudFront(b *testing.B) {
	fxBench(b, CloudFrontFormat{}, fxBenchData(cfHeader, cfStd(nil), 2000))
}
