package logparse

import (
	"os"
	"strings"
	"testing"
	"time"
)

const s3Line = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be calls-bucket [18/Feb/2019:21:02:31 +0000] 198.51.100.50 - 3E57427F3EXAMPLE REST.GET.OBJECT samtal/a%20b.mp3 "GET /samtal/a%20b.mp3?x=1 HTTP/1.1" 206 - 65536 2390282 70 10 "https://example.org/" "Mozilla/5.0 (X11; Linux x86_64)" - HOSTID= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader calls-bucket.s3.eu-north-1.amazonaws.com TLSv1.2 - Yes eu-north-1`

func s3Base() Record {
	want := fxRec()
	want.Time = fxDate("2019-02-18T21:02:31Z")
	want.Client = fxAddr("198.51.100.50")
	want.Method, want.Target, want.Path, want.Query, want.Protocol = "GET", "/samtal/a%20b.mp3?x=1", "/samtal/a b.mp3", "x=1", "HTTP/1.1"
	want.Status, want.BodyBytes, want.Duration = 206, 65536, 70*time.Millisecond
	want.Referer, want.UserAgent = "https://example.org/", "Mozilla/5.0 (X11; Linux x86_64)"
	want.VHost = "calls-bucket.s3.eu-north-1.amazonaws.com"
	want.Extra = []Field{
		{"bucket-owner", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
		{"bucket", "calls-bucket"}, {"request-id", "3E57427F3EXAMPLE"}, {"operation", "REST.GET.OBJECT"},
		{"key", "samtal/a%20b.mp3"}, {"object-size", "2390282"}, {"turn-around-time", "10"},
		{"host-id", "HOSTID="}, {"signature-version", "SigV4"}, {"cipher-suite", "ECDHE-RSA-AES128-GCM-SHA256"},
		{"authentication-type", "AuthHeader"}, {"tls-version", "TLSv1.2"}, {"acl-required", "Yes"},
		{"source-region", "eu-north-1"},
	}
	return want
}

func TestS3Success(t *testing.T) {
	f := S3Format{}
	t.Run("full", func(t *testing.T) { fxSuccess(t, f, s3Line+"\n", s3Base()) })
	t.Run("future-fields", func(t *testing.T) {
		want := s3Base()
		want.Extra = append(want.Extra, Field{"field28", "new1"}, Field{"field29", "new2"})
		fxSuccess(t, f, s3Line+" new1 new2\n", want)
	})
	t.Run("old-short-line", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2019-02-18T21:02:32Z")
		want.Client, want.User = fxAddr("198.51.100.50"), "arn:aws:iam::123456789012:user/x"
		want.Method, want.Target, want.Path, want.Query, want.Protocol = "GET", "/?prefix=a/", "/", "prefix=a/", "HTTP/1.1"
		want.Status, want.BodyBytes, want.UserAgent = 200, 0, "curl/7.64.0"
		want.Extra = []Field{{"bucket-owner", "OWNER"}, {"bucket", "b"}, {"request-id", "ID"}, {"operation", "REST.GET.BUCKET"}, {"turn-around-time", "11"}}
		fxSuccess(t, f, `OWNER b [18/Feb/2019:21:02:32 +0000] 198.51.100.50 arn:aws:iam::123456789012:user/x ID REST.GET.BUCKET - "GET /?prefix=a/ HTTP/1.1" 200 - - - - 11 "-" "curl/7.64.0"`+"\n", want)
	})
	t.Run("quote-inside-user-agent", func(t *testing.T) {
		want := s3Base()
		want.UserAgent = `a "b" c`
		fxSuccess(t, f, strings.Replace(s3Line, `"Mozilla/5.0 (X11; Linux x86_64)"`, `"a "b" c"`, 1)+"\n", want)
	})
}

func TestS3Failure(t *testing.T) {
	f := S3Format{}
	cases := []struct {
		name     string
		old, new string
		kind     error
	}{
		{"bad-time", "[18/Feb/2019:21:02:31 +0000]", "[18/Feb/2019 21:02:31]", ErrTimestamp},
		{"unclosed-time", "[18/Feb/2019:21:02:31 +0000] 198.51.100.50 - 3E57427F3EXAMPLE REST.GET.OBJECT samtal/a%20b.mp3 \"GET /samtal/a%20b.mp3?x=1 HTTP/1.1\" 206 - 65536 2390282 70 10 \"https://example.org/\" \"Mozilla/5.0 (X11; Linux x86_64)\" - HOSTID= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader calls-bucket.s3.eu-north-1.amazonaws.com TLSv1.2 - Yes eu-north-1", "[18/Feb", ErrTimestamp},
		{"bad-ip", "198.51.100.50", "bucket-host", ErrAddress},
		{"bad-status", " 206 ", " 2O6 ", ErrStatus},
		{"bad-bytes", " 65536 ", " 64k ", ErrNumber},
		{"bad-total-time", " 70 10 ", " 7x 10 ", ErrNumber},
		{"bad-request", `"GET /samtal/a%20b.mp3?x=1 HTTP/1.1"`, `"GET"`, ErrRequestLine},
		{"unclosed-quote", `"Mozilla/5.0 (X11; Linux x86_64)" - HOSTID= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader calls-bucket.s3.eu-north-1.amazonaws.com TLSv1.2 - Yes eu-north-1`, `"Mozilla/5.0`, ErrQuote},
		{"too-short", ` "https://example.org/" "Mozilla/5.0 (X11; Linux x86_64)" - HOSTID= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader calls-bucket.s3.eu-north-1.amazonaws.com TLSv1.2 - Yes eu-north-1`, "", ErrFieldCount},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := strings.Replace(s3Line, c.old, c.new, 1)
			if in == s3Line {
				t.Fatal("replacement did not apply")
			}
			fxFailure(t, f, in+"\n", c.kind, 0)
		})
	}
}

func TestS3Testdata(t *testing.T) {
	data, _ := os.ReadFile("testdata/s3/access.log")
	recs, rejs, _ := fxRead(t, S3Format{}, string(data))
	if len(recs) != 2 || len(rejs) != 0 {
		t.Fatalf("%d records, rejects %v", len(recs), rejs)
	}
	if v, _ := recs[0].Field("object-size"); v != "2390282" || recs[0].BodyBytes != 65536 || recs[0].Status != 206 {
		t.Errorf("first record: object-size %q body %d status %d", v, recs[0].BodyBytes, recs[0].Status)
	}
	if v, _ := recs[0].Field("field28"); v != "future-field" {
		t.Errorf("field28 = %q", v)
	}
}

func TestS3RealWorld(t *testing.T) {
	fxCorpus(t, S3Format{}, "aws_s3", []fxCorpusCase{
		{file: "clo-opensearch-log-processor-s3.log", records: 6},
		{file: "loki-lambda-promtail-s3accesslog.log", records: 1},
		{file: "otel-contrib-awslogsencoding-s3-valid_log_multi.log", records: 3},
	})
}

func BenchmarkS3(b *testing.B) {
	fxBench(b, S3Format{}, fxBenchData("", s3Line+"\n", 2000))
}
