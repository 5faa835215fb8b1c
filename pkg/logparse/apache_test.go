package logparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// apRecordOpts compares Records field by field; times must be the same
// instant with the same zone offset.
var apRecordOpts = cmp.Options{
	cmpopts.IgnoreUnexported(Record{}),
	cmpopts.IgnoreFields(Record{}, "Source", "Line", "Offset"),
	cmpopts.EquateComparable(netip.Addr{}),
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b time.Time) bool {
		_, oa := a.Zone()
		_, ob := b.Zone()
		return a.Equal(b) && oa == ob
	}),
}

// rec returns a Record with nothing logged, changed by set.
func apRec(set func(r *Record)) Record {
	r := Record{BodyBytes: NotLogged, WireBytes: NotLogged, RequestBytes: NotLogged, Duration: NotLogged}
	set(&r)
	return r
}

func apAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func apClock(s string) time.Time {
	t, err := time.Parse("02/Jan/2006:15:04:05.999999999 -0700", s)
	if err != nil {
		panic(err)
	}
	return t
}

// apReadOne reads one line in format spec through a Reader.
func apReadOne(t *testing.T, spec, line string) (*Record, error) {
	t.Helper()
	f, err := ParseFormat(spec)
	if err != nil {
		t.Fatalf("ParseFormat: %v", err)
	}
	r := NewReader(strings.NewReader(line+"\n"), f)
	got, err := r.Read()
	if err == nil {
		if _, err := r.Read(); err != io.EOF {
			t.Fatalf("second Read: %v, want io.EOF", err)
		}
	}
	return got, err
}

const (
	apTSLine    = "[10/Oct/2000:13:55:36 -0700]"
	apUAFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0"
)

var apTS = apClock("10/Oct/2000:13:55:36 -0700")

func TestApacheBuiltinLines(t *testing.T) {
	tests := []struct {
		name, format, line string
		want               Record
	}{
		{"common", "common", `192.0.2.7 - frank ` + apTSLine + ` "GET /a.gif HTTP/1.0" 200 2326`, apRec(func(r *Record) {
			r.Client, r.User, r.Time = apAddr("192.0.2.7"), "frank", apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/a.gif", "/a.gif", "HTTP/1.0"
			r.Status, r.BodyBytes = 200, 2326
		})},
		{"combined", "combined", `198.51.100.4 - - [12/Feb/2019:21:04:05 +0100] "GET /inspelningar/2019/a%20b.mp3?x=1 HTTP/1.1" 206 4096 "http://media.example.org/inspelningar/" "` + apUAFirefox + `"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("198.51.100.4"), apClock("12/Feb/2019:21:04:05 +0100")
			r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", "/inspelningar/2019/a%20b.mp3?x=1", "/inspelningar/2019/a b.mp3", "x=1", "HTTP/1.1"
			r.Status, r.BodyBytes = 206, 4096
			r.Referer, r.UserAgent = "http://media.example.org/inspelningar/", apUAFirefox
		})},
		{"combined, common line", "combined", `192.0.2.1 - - [13/Jan/2016:19:31:16 +0000] "GET /x.php?install2 HTTP/1.1" 200 494`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.1"), apClock("13/Jan/2016:19:31:16 +0000")
			r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", "/x.php?install2", "/x.php", "install2", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 494
		})},
		{"combined, trailing X-Forwarded-For", "combined", `192.0.2.2 - - ` + apTSLine + ` "GET /s HTTP/1.1" 404 612 "-" "curl/7.58.0" "-"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.2"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/s", "/s", "HTTP/1.1"
			r.Status, r.BodyBytes, r.UserAgent = 404, 612, "curl/7.58.0"
			r.Extra = []Field{{"trailing", `"-"`}}
		})},
		{"combined, two trailing fields", "combined", `192.0.2.2 - - ` + apTSLine + ` "GET /s HTTP/1.1" 200 1 "-" "curl" "203.0.113.9, 198.51.100.1" 1234`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.2"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/s", "/s", "HTTP/1.1"
			r.Status, r.BodyBytes, r.UserAgent = 200, 1, "curl"
			r.Extra = []Field{{"trailing", `"203.0.113.9, 198.51.100.1" 1234`}}
		})},
		{"request line dash, 408, bytes dash", "combined", `2001:db8::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("2001:db8::1"), apClock("26/Dec/2016:16:16:48 +0200")
			r.Status, r.BodyBytes = 408, 0
		})},
		{"empty request line", "combined", `192.0.2.3 - - ` + apTSLine + ` "" 400 0 "-" "-"`, apRec(func(r *Record) {
			r.Client, r.Time, r.Status, r.BodyBytes = apAddr("192.0.2.3"), apTS, 400, 0
		})},
		{"status dash", "combined", `192.0.2.3 - a.user [11/Jan/2020:23:05:27 +0100] "OPTIONS /remote.php/ HTTP/1.1" - 7908 "-" "monitoring-client (v2.2)"`, apRec(func(r *Record) {
			r.Client, r.User, r.Time = apAddr("192.0.2.3"), "a.user", apClock("11/Jan/2020:23:05:27 +0100")
			r.Method, r.Target, r.Path, r.Protocol = "OPTIONS", "/remote.php/", "/remote.php/", "HTTP/1.1"
			r.Status, r.BodyBytes, r.UserAgent = 0, 7908, "monitoring-client (v2.2)"
		})},
		{"host name client, HTTP/0.9", "common", `uplherc.upl.com - - [01/Aug/1995:00:00:07 -0400] "GET /ksc.html" 304 0`, apRec(func(r *Record) {
			r.ClientHost, r.Time = "uplherc.upl.com", apClock("01/Aug/1995:00:00:07 -0400")
			r.Method, r.Target, r.Path = "GET", "/ksc.html", "/ksc.html"
			r.Status, r.BodyBytes = 304, 0
		})},
		{"IPv6 and zone offset +0530", "combined", `2001:db8:0:1::7 ident user@example.com [01/Mar/2021:05:30:00 +0530] "HEAD / HTTP/2.0" 200 - "" "-"`, apRec(func(r *Record) {
			r.Client, r.Ident, r.User, r.Time = apAddr("2001:db8:0:1::7"), "ident", "user@example.com", apClock("01/Mar/2021:05:30:00 +0530")
			r.Method, r.Target, r.Path, r.Protocol = "HEAD", "/", "/", "HTTP/2.0"
			r.Status, r.BodyBytes = 200, 0
		})},
		{"escapes", "combined", `192.0.2.4 - - ` + apTSLine + ` "GET /q?a=\"b\"&c=\\d HTTP/1.1" 200 5 "http://\xe4\xe5.example/" "UA \"quoted\" \x01"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.4"), apTS
			r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", `/q?a="b"&c=\d`, "/q", `a="b"&c=\d`, "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 5
			r.Referer, r.UserAgent = "http://\xe4\xe5.example/", "UA \"quoted\" \x01"
		})},
		{"unescaped quotes in the request line", "common", `192.0.2.5 - - [25/Apr/2021:06:15:33 +0000] "GET /a?t=<script>alert("text")</script> HTTP/1.0" 404 1164`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.5"), apClock("25/Apr/2021:06:15:33 +0000")
			r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", `/a?t=<script>alert("text")</script>`, "/a", `t=<script>alert("text")</script>`, "HTTP/1.0"
			r.Status, r.BodyBytes = 404, 1164
		})},
		{"unescaped quote then space in the request line", "combined", `192.0.2.5 - - ` + apTSLine + ` "GET /$%7B("a" "b")%7D HTTP/1.0" 404 1 "-" "-"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.5"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", `/$%7B("a" "b")%7D`, `/${("a" "b")}`, "HTTP/1.0"
			r.Status, r.BodyBytes = 404, 1
		})},
		{"user agent cut short", "combined", `192.0.2.6 - - ` + apTSLine + ` "GET /c.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.6"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/c.py", "/c.py", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 235
			r.UserAgent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html"
			r.Extra = []Field{{"unterminated", "%{User-Agent}i"}}
		})},
		{"vhost:port prefix in combined", "combined", `media.example.org:443 192.0.2.8 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 1063 "-" "-"`, apRec(func(r *Record) {
			r.VHost, r.ServerPort, r.Client, r.Time = "media.example.org", 443, apAddr("192.0.2.8"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 1063
		})},
		{"vhost prefix without port in common", "common", `vhost1.example.org 203.0.113.12 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 32953`, apRec(func(r *Record) {
			r.VHost, r.Client, r.Time = "vhost1.example.org", apAddr("203.0.113.12"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 32953
		})},
		{"TLS handshake on a plain port", "combined", `192.0.2.9 - - [17/Oct/2023:05:57:49 +1100] "\x16\x03\x01\x01 \x02" 400 226 "-" "-"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.9"), apClock("17/Oct/2023:05:57:49 +1100")
			r.Status, r.BodyBytes = 400, 226
			r.Extra = []Field{{"%r", "\x16\x03\x01\x01 \x02"}}
		})},
		{"absolute-form target", "combined", `192.0.2.10 - - ` + apTSLine + ` "GET http://media.example.org/%C3%B6/x.wav HTTP/1.1" 200 10 "-" "-"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.10"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "http://media.example.org/%C3%B6/x.wav", "/ö/x.wav", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 10
		})},
		{"combined_debian logs wire bytes", "combined_debian", `192.0.2.11 - - ` + apTSLine + ` "GET /r.mp3 HTTP/1.1" 304 180 "-" "-"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.11"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/r.mp3", "/r.mp3", "HTTP/1.1"
			r.Status, r.WireBytes = 304, 180
		})},
		{"vhost_combined", "vhost_combined", `media.example.org:80 192.0.2.12 - - ` + apTSLine + ` "GET /r.mp3 HTTP/1.1" 206 65536 "-" "` + apUAFirefox + `"`, apRec(func(r *Record) {
			r.VHost, r.ServerPort, r.Client, r.Time = "media.example.org", 80, apAddr("192.0.2.12"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/r.mp3", "/r.mp3", "HTTP/1.1"
			r.Status, r.WireBytes, r.UserAgent = 206, 65536, apUAFirefox
		})},
		{"vhost_combined, upstream prefix without port", "vhost_combined", `vhost1.example.org 203.0.113.12 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 32953 "-" "-"`, apRec(func(r *Record) {
			r.VHost, r.Client, r.Time = "vhost1.example.org", apAddr("203.0.113.12"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
			r.Status, r.WireBytes = 200, 32953
		})},
		{"vhost_combined, line without prefix", "vhost_combined", `203.0.113.12 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 32953 "-" "-"`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("203.0.113.12"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
			r.Status, r.WireBytes = 200, 32953
		})},
		{"lighttpd", "lighttpd", `172.26.0.1 localhost:9449 - [18/Sep/2020:14:25:39 +0000] "GET /server-status HTTP/1.1" 200 5695 "-" "Datadog Agent/7.23.0"`, apRec(func(r *Record) {
			r.Client, r.VHost, r.Time = apAddr("172.26.0.1"), "localhost:9449", apClock("18/Sep/2020:14:25:39 +0000")
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/server-status", "/server-status", "HTTP/1.1"
			r.Status, r.BodyBytes, r.UserAgent = 200, 5695, "Datadog Agent/7.23.0"
		})},
		{"fractional seconds in %t", "common", `192.0.2.13 - - [10/Oct/2000:13:55:36.250 -0700] "GET / HTTP/1.1" 200 1`, apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.13"), apClock("10/Oct/2000:13:55:36.25 -0700")
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 1
		})},
		{"common line with trailing spaces in combined", "combined", `192.0.2.14 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 1 ` + "\t", apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.14"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 1
		})},
		{"CRLF line ending is the reader's", "common", "192.0.2.14 - - " + apTSLine + " \"GET / HTTP/1.1\" 200 1\r", apRec(func(r *Record) {
			r.Client, r.Time = apAddr("192.0.2.14"), apTS
			r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
			r.Status, r.BodyBytes = 200, 1
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := apReadOne(t, tt.format, tt.line)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(&tt.want, got, apRecordOpts); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApacheLogFormatLines(t *testing.T) {
	tests := []struct {
		name, format, line string
		want               Record
	}{
		{"every directive family",
			`apache:%a %A %B %b %{sid}C %D %{HOME}e %f %h %H %{Accept}i %k %l %L %m %{n1}n %{Server}o %p %{local}p %{remote}p %P %{tid}P %q "%r" %R %s %>s %t %T %{ms}T %u %U %v %V %X %I %O %S %{Te}^ti %{Tr}^to %^FB %{SSL_PROTOCOL}x %{c}a %{c}h`,
			`192.0.2.1 198.51.100.2 0 - abc 1500 /root /var/www/a.mp3 host.example.org HTTP/1.1 audio/* 2 - YmFzZQ GET note Apache 80 8080 51234 1234 140 ?q=1 "GET /a.mp3?q=1 HTTP/1.1" mp3-handler 302 200 ` + apTSLine + ` 1 1500 - /a.mp3 canon.example.org media.example.org X 420 5000 5420 - - 1400 TLSv1.3 10.0.0.1 10.0.0.1`,
			apRec(func(r *Record) {
				r.Client, r.Time = apAddr("192.0.2.1"), apTS
				r.ClientHost = "host.example.org"
				r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", "/a.mp3?q=1", "/a.mp3", "q=1", "HTTP/1.1"
				r.Status, r.BodyBytes, r.WireBytes, r.RequestBytes = 200, 0, 5000, 420
				r.Duration = 1500 * time.Microsecond
				r.VHost, r.ServerPort = "media.example.org", 80
				r.Completion = CompletionAborted
				r.Extra = []Field{
					{"%A", "198.51.100.2"}, {"%b", "-"}, {"%{sid}C", "abc"}, {"%{HOME}e", "/root"},
					{"%f", "/var/www/a.mp3"}, {"%h", "host.example.org"}, {"%H", "HTTP/1.1"},
					{"%{Accept}i", "audio/*"}, {"%k", "2"}, {"%L", "YmFzZQ"}, {"%m", "GET"},
					{"%{n1}n", "note"}, {"%{Server}o", "Apache"}, {"%{local}p", "8080"}, {"%{remote}p", "51234"},
					{"%P", "1234"}, {"%{tid}P", "140"}, {"%q", "?q=1"}, {"%R", "mp3-handler"}, {"%s", "302"},
					{"%T", "1"}, {"%{ms}T", "1500"}, {"%U", "/a.mp3"}, {"%v", "canon.example.org"}, {"%S", "5420"},
					{"%{Te}^ti", "-"}, {"%{Tr}^to", "-"}, {"%^FB", "1400"}, {"%{SSL_PROTOCOL}x", "TLSv1.3"},
					{"%{c}a", "10.0.0.1"}, {"%{c}h", "10.0.0.1"},
				}
			})},
		{"method, path, query and protocol without %r",
			`apache:%h %m %U%q %H %>s`,
			`192.0.2.1 GET /dir/a b.mp3?x=%20 HTTP/1.1 200`,
			apRec(func(r *Record) {
				r.Client, r.Method, r.Path, r.Query, r.Target, r.Protocol = apAddr("192.0.2.1"), "GET", "/dir/a b.mp3", "x=%20", "/dir/a b.mp3?x=%20", "HTTP/1.1"
				r.Status = 200
			})},
		{"typed headers in any case, with conditions",
			`apache:%h "%{x-forwarded-for}i" "%{RANGE}i" "%{content-range}o" "%!200,304{referer}i" "%400,501{User-agent}i" %<s %>s`,
			`192.0.2.1 "203.0.113.5, 198.51.100.7" "bytes=0-" "bytes 0-99/1000" "-" "-" 206 206`,
			apRec(func(r *Record) {
				r.Client, r.ForwardedFor, r.Range, r.ContentRange = apAddr("192.0.2.1"), "203.0.113.5, 198.51.100.7", "bytes=0-", "bytes 0-99/1000"
				r.Status = 206
				r.Extra = []Field{{"%<s", "206"}}
			})},
		{"copied from httpd.conf with escaped quotes and a tab",
			`apache:%h\t%u \"%r\" %>s %B`,
			"192.0.2.1\tjohn \"POST /f HTTP/1.1\" 201 0",
			apRec(func(r *Record) {
				r.Client, r.User, r.Method, r.Target, r.Path, r.Protocol = apAddr("192.0.2.1"), "john", "POST", "/f", "/f", "HTTP/1.1"
				r.Status, r.BodyBytes = 201, 0
			})},
		{"split time with milliseconds",
			`apache:%h [%{%d/%b/%Y:%H:%M:%S}t.%{msec_frac}t %{%z}t] %>s`,
			`192.0.2.1 [12/Feb/2019:21:04:05.123 +0100] 200`,
			apRec(func(r *Record) {
				r.Client, r.Time, r.Status = apAddr("192.0.2.1"), apClock("12/Feb/2019:21:04:05.123 +0100"), 200
			})},
		{"ISO time with microseconds and offset",
			`apache:%{%Y-%m-%dT%H:%M:%S}t.%{usec_frac}t%{%z}t %h %>s`,
			`2019-02-12T21:04:05.123456-0330 192.0.2.1 200`,
			apRec(func(r *Record) {
				r.Client, r.Time, r.Status = apAddr("192.0.2.1"), apClock("12/Feb/2019:21:04:05.123456 -0330"), 200
			})},
		{"%t and usec_frac merge",
			`apache:%t %{usec_frac}t %>s`,
			apTSLine + ` 000042 200`,
			apRec(func(r *Record) { r.Time, r.Status = apClock("10/Oct/2000:13:55:36.000042 -0700"), 200 })},
		{"epoch seconds",
			`apache:%{sec}t %>s`, `1550001845 200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Unix(1550001845, 0).UTC(), 200 })},
		{"epoch seconds with msec_frac",
			`apache:%{sec}t.%{msec_frac}t %>s`, `1550001845.250 200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Unix(1550001845, 250e6).UTC(), 200 })},
		{"epoch milliseconds",
			`apache:%{msec}t %>s`, `1550001845250 200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Unix(1550001845, 250e6).UTC(), 200 })},
		{"epoch microseconds, end time",
			`apache:%{begin:usec}t %{end:usec}t %>s`, `1550001845250001 1550001846000000 200`,
			apRec(func(r *Record) {
				r.Time, r.Status = time.Unix(1550001845, 250001000).UTC(), 200
				r.Extra = []Field{{"%{end:usec}t", "1550001846000000"}}
			})},
		{"only an end time",
			`apache:%{end:%d/%b/%Y:%H:%M:%S %z}t %>s`, `10/Oct/2000:13:55:36 -0700 200`,
			apRec(func(r *Record) {
				r.Time, r.Status = apTS, 200
				r.Extra = []Field{{"%{end:%d/%b/%Y:%H:%M:%S %z}t", "10/Oct/2000:13:55:36 -0700"}}
			})},
		{"ctime without zone is UTC",
			`apache:[%{%c}t] %>s`, `[Tue Feb 12 21:04:05 2019] 200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Date(2019, 2, 12, 21, 4, 5, 0, time.UTC), 200 })},
		{"padded day, 12-hour clock, full names",
			`apache:%{%A %e %B %Y %I:%M:%S %p %Z}t|%>s`, `Saturday  2 March 2019 09:04:05 PM GMT|200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Date(2019, 3, 2, 21, 4, 5, 0, time.UTC), 200 })},
		{"padded 24-hour clock, week numbers and weekday numbers read and ignored",
			`apache:%{%G-W%V-%u %g %C%y %U %W %w %m/%d %k:%M:%S}t %>s`, `2019-W07-2 19 2019 06 07 2 02/12  9:04:05 200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Date(2019, 2, 12, 9, 4, 5, 0, time.UTC), 200 })},
		{"padded 12-hour clock",
			`apache:%{%Y-%m-%d %l:%M:%S %P}t %>s`, `2019-02-12  9:04:05 pm 200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Date(2019, 2, 12, 21, 4, 5, 0, time.UTC), 200 })},
		{"day of year and two-digit year",
			`apache:%{%y.%j %T}t %>s`, `19.043 21:04:05 200`,
			apRec(func(r *Record) { r.Time, r.Status = time.Date(2019, 2, 12, 21, 4, 5, 0, time.UTC), 200 })},
		{"a time without a date goes to Extra",
			`apache:%{%H:%M:%S}t %>s`, `21:04:05 200`,
			apRec(func(r *Record) {
				r.Status = 200
				r.Extra = []Field{{"%{%H:%M:%S}t", "21:04:05"}}
			})},
		{"durations: %D beats %T",
			`apache:%>s %T %D`, `200 2 2500000`,
			apRec(func(r *Record) {
				r.Status, r.Duration = 200, 2500*time.Millisecond
				r.Extra = []Field{{"%T", "2"}}
			})},
		{"duration in seconds", `apache:%>s %T`, `200 3`,
			apRec(func(r *Record) { r.Status, r.Duration = 200, 3*time.Second })},
		{"duration in milliseconds", `apache:%>s %{ms}T`, `200 3`,
			apRec(func(r *Record) { r.Status, r.Duration = 200, 3*time.Millisecond })},
		{"completion +", `apache:%>s %X`, `200 +`,
			apRec(func(r *Record) { r.Status, r.Completion = 200, CompletionComplete })},
		{"completion -", `apache:%>s %X`, `200 -`,
			apRec(func(r *Record) { r.Status, r.Completion = 200, CompletionComplete })},
		{"%s alone is the status", `apache:%s %b`, `500 -`,
			apRec(func(r *Record) { r.Status, r.BodyBytes = 500, 0 })},
		{"%h and %a", `apache:%h %a %>s`, `host.example.org 192.0.2.1 200`,
			apRec(func(r *Record) {
				r.Client, r.ClientHost, r.Status = apAddr("192.0.2.1"), "host.example.org", 200
				r.Extra = []Field{{"%h", "host.example.org"}}
			})},
		{"user with a space", `apache:%h %l "%u" %t %>s`, `192.0.2.1 - "Jane Doe" ` + apTSLine + ` 200`,
			apRec(func(r *Record) { r.Client, r.User, r.Time, r.Status = apAddr("192.0.2.1"), "Jane Doe", apTS, 200 })},
		{"conditional header logged as dash", `apache:%>s %400{Referer}i`, `200 -`,
			apRec(func(r *Record) { r.Status = 200 })},
		{"%% literal", `apache:%>s 100%% %b`, `200 100% 5`,
			apRec(func(r *Record) { r.Status, r.BodyBytes = 200, 5 })},
		{"mod_ssl ssl_request_log", `apache:%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b`,
			`[16/Oct/2019:11:53:47 +0200] 192.0.2.3 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 "GET /appl/a.php?cmd=x&amp;y=%7B HTTP/1.1" -`,
			apRec(func(r *Record) {
				r.Time, r.Client = apClock("16/Oct/2019:11:53:47 +0200"), apAddr("192.0.2.3")
				r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", "/appl/a.php?cmd=x&amp;y=%7B", "/appl/a.php", "cmd=x&amp;y=%7B", "HTTP/1.1"
				r.BodyBytes = 0
				r.Extra = []Field{{"%{SSL_PROTOCOL}x", "TLSv1.2"}, {"%{SSL_CIPHER}x", "ECDHE-RSA-AES128-GCM-SHA256"}}
			})},
		{"line ending after the status and bytes of a custom format", `apache:%h %t "%r" %>s %O %D "%{Referer}i"`,
			`192.0.2.1 ` + apTSLine + ` "GET / HTTP/1.1" 200 512`,
			apRec(func(r *Record) {
				r.Client, r.Time, r.Method, r.Target, r.Path, r.Protocol = apAddr("192.0.2.1"), apTS, "GET", "/", "/", "HTTP/1.1"
				r.Status, r.WireBytes = 200, 512
			})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := apReadOne(t, tt.format, tt.line)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(&tt.want, got, apRecordOpts); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApacheLineErrors(t *testing.T) {
	tests := []struct {
		name, format, line string
		col                int
		kind               error
	}{
		{"bad month", "combined", `192.0.2.1 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "-"`, 14, ErrTimestamp},
		{"day 32", "common", `192.0.2.1 - - [32/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`, 14, ErrTimestamp},
		{"ident and user missing", "combined", `192.0.2.1 [20/Jul/2009:22:59:29 +0000] "GET /a HTTP/1.0" 404 46210 "-" "gPXE/0.9.7"`, 39, ErrTimestamp},
		{"apache error log line", "combined", `[Thu Oct 13 12:24:49.880562 2022] [auth_basic:error] [pid 10:tid 1] [client 192.0.2.1:50229] AH01618: user not found: /`, 12, ErrTimestamp},
		{"bad status", "common", `192.0.2.1 - - ` + apTSLine + ` "GET / HTTP/1.1" 2x0 1`, 60, ErrStatus},
		{"bad byte count", "common", `192.0.2.1 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 12x`, 64, ErrNumber},
		{"request quote never closed", "combined", `192.0.2.1 - - ` + apTSLine + ` "GET / HTTP/1.1 200 1 -`, 43, ErrQuote},
		{"line cut after the time", "common", `192.0.2.1 - - ` + apTSLine, 42, ErrFieldCount},
		{"referer quote missing (writer's typo)", "combined", `192.0.2.1 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 2028 "https://example.com/ "Mozilla/5.0"`, 69, ErrQuote},
		{"junk after the user agent", "combined", `192.0.2.1 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 1 "-" "curl"x`, 76, ErrTrailing},
		{"bad completion flag", `apache:%>s %X`, `200 Q`, 4, ErrSyntax},
		{"literal mismatch", `apache:%>s|%b`, `200 5`, 3, ErrLiteral},
		{"time in the wrong layout", `apache:%{%Y-%m-%d}t %>s`, `2019/02/12 200`, 0, ErrTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := apReadOne(t, tt.format, tt.line)
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("Read error = %v, want a *ParseError", err)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("kind = %v, want %v", perr.Err, tt.kind)
			}
			if perr.Column != tt.col+1 || perr.Offset != int64(tt.col) || perr.Line != 1 {
				t.Errorf("position line %d column %d offset %d, want 1, %d, %d", perr.Line, perr.Column, perr.Offset, tt.col+1, tt.col)
			}
			if want := fmt.Sprintf("<input>:1:%d: %v", tt.col+1, tt.kind); err.Error() != want {
				t.Errorf("Error() = %q, want %q (positions only, never contents)", err.Error(), want)
			}
		})
	}
}

func TestApacheFormatStringErrors(t *testing.T) {
	tests := []struct {
		spec string
		pos  int
	}{
		{`%h %Z %>s`, 3},
		{`%h %{User-Agent`, 4},
		{`%h %`, 3},
		{`%h %>`, 3},
		{`%h %^xx`, 3},
		{`%h %^t`, 3},
		{`%{%Y-%Q}t`, 5},
		{`%{begin:%d %}t`, 11},
		{`%{begin:}t`, 8},
		{`%{%n}t`, 2},
		{`no directives`, 0},
		{`%h\n%u`, 2},
		{"%h\n%u", 2},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, err := ParseFormat("apache:" + tt.spec)
			var ferr *FormatStringError
			if !errors.As(err, &ferr) {
				t.Fatalf("ParseFormat = %v, %v; want a *FormatStringError", f, err)
			}
			if ferr.Pos != tt.pos {
				t.Errorf("Pos = %d, want %d (%v)", ferr.Pos, tt.pos, err)
			}
		})
	}
}

func TestApacheFormatNames(t *testing.T) {
	for _, name := range []string{"common", "combined", "combined_debian", "vhost_combined", "lighttpd"} {
		f, err := ParseFormat(name)
		if err != nil {
			t.Fatalf("ParseFormat(%q): %v", name, err)
		}
		if f.Name() != name {
			t.Errorf("Name() = %q, want %q", f.Name(), name)
		}
		if s, ok := f.(Splittable); !ok || !s.Splittable() {
			t.Errorf("%s is not Splittable", name)
		}
	}
	spec := `apache:%h %>s`
	f, err := ParseFormat(spec)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != spec {
		t.Errorf("Name() = %q, want %q", f.Name(), spec)
	}
}

// TestApacheBlankLines checks that blank lines are skipped, not rejected.
func TestApacheBlankLines(t *testing.T) {
	f, _ := ParseFormat("combined")
	in := "\n  \n" + `192.0.2.1 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 1 "-" "-"` + "\n\t\n"
	r := NewReader(strings.NewReader(in), f)
	n := 0
	for _, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if st := r.Stats(); n != 1 || st.Skipped != 3 || st.Lines != 4 {
		t.Errorf("records %d, stats %+v; want 1 record, 3 skipped of 4 lines", n, st)
	}
}

// TestApacheReuseRecord checks that a reused record carries nothing over
// from the line before.
func TestApacheReuseRecord(t *testing.T) {
	f, _ := ParseFormat("combined")
	in := `192.0.2.1 - - ` + apTSLine + ` "GET /a\"b HTTP/1.1" 200 1 "-" "curl" "-"` + "\n" +
		`host.example.org - - ` + apTSLine + ` "-" 408 -` + "\n"
	r := NewReader(strings.NewReader(in), f)
	r.ReuseRecord = true
	first, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if first.Target != `/a"b` || len(first.Extra) != 1 {
		t.Fatalf("first record: target %q, extra %v", first.Target, first.Extra)
	}
	second, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := apRec(func(r *Record) { r.ClientHost, r.Time, r.Status, r.BodyBytes = "host.example.org", apTS, 408, 0 })
	if diff := cmp.Diff(&want, second, apRecordOpts); diff != "" {
		t.Errorf("second record (-want +got):\n%s", diff)
	}
}

// TestApacheAllocs proves that reading combined lines through a Reader
// with ReuseRecord allocates nothing per line.
func TestApacheAllocs(t *testing.T) {
	data := apGenLog(2000, "combined")
	f, _ := ParseFormat("combined")
	var br bytes.Reader
	br.Reset(data)
	r := NewReader(&br, f)
	r.ReuseRecord = true
	// Warm up: buffers, zone cache, scratch space.
	for range 1000 {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(900, func() {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per combined line, want 0", allocs)
	}

	// Lines that leave the fast path: escapes, unescaped quotes, a vhost
	// prefix, trailing fields, a common line, a cut user agent.
	tricky, err := os.ReadFile(filepath.Join("testdata", "apache", "edge-cases.log"))
	if err != nil {
		t.Fatal(err)
	}
	var in []byte
	for range 200 {
		in = append(in, tricky...)
	}
	br.Reset(in)
	r = NewReader(&br, f)
	r.ReuseRecord = true
	n := bytes.Count(tricky, []byte{'\n'})
	for range 2 * n {
		r.Read()
	}
	allocs = testing.AllocsPerRun(100*n, func() {
		r.Read() // some lines are rejected: that allocates a *ParseError
	})
	if st := r.Stats(); st.Rejected != 3*int64(st.Lines)/int64(n) {
		t.Fatalf("stats %+v: want 3 rejected lines of every %d", st, n)
	}
	// Only the three rejected lines of each copy may allocate.
	if max := 3 * 3 / float64(n); allocs > max {
		t.Errorf("%v allocations per tricky line, want at most %v (the rejected lines' errors)", allocs, max)
	}
}

// TestApacheFastMatchesGeneral checks that the fast path of the built-in
// formats finds the same fields as the general matcher wherever it
// accepts a line.
func TestApacheFastMatchesGeneral(t *testing.T) {
	var lines [][]byte
	for _, layout := range []string{"common", "combined", "vhost_combined", "custom"} {
		lines = append(lines, bytes.Split(apGenLog(500, layout), []byte{'\n'})...)
	}
	corpus, err := testutil.CorpusDir() // more lines when present
	if err != nil {
		t.Logf("generated lines only: %v", err)
	}
	for _, dir := range []string{"apache_common", "apache_combined", "apache_vhost_combined", "apache_custom", "lighttpd", "nginx_combined"} {
		if corpus == "" {
			break
		}
		files, _ := filepath.Glob(filepath.Join(corpus, dir, "*"))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			fl := bytes.Split(data, []byte{'\n'})
			lines = append(lines, fl[:min(len(fl), 2000)]...)
		}
	}
	fast := 0
	for _, b := range apacheBuiltins {
		f, _ := ParseFormat(b.name)
		fp, gp := newApacheParser(f.(*apacheFormat)), newApacheParser(f.(*apacheFormat))
		for i, line := range lines {
			if apCheckFastPath(t, fp, gp, line, i%16 == 0) {
				fast++
			}
		}
	}
	if fast < len(lines) {
		t.Errorf("fast path took %d of %d lines x %d formats: too few", fast, len(lines), len(apacheBuiltins))
	}
}

// apCheckFastPath compares the fast and general matchers on line and
// reports whether the fast path took it.
// With records set, the records they fill are compared too.
func apCheckFastPath(t testing.TB, p, g *apacheParser, line []byte, records bool) bool {
	f := p.f
	if !p.fastMatch(line) {
		return false
	}
	fastSpans := append([]apSpan(nil), p.spans...)
	fastTrail := p.trail

	if !g.match(line) {
		t.Fatalf("%s: fast path accepted a line the general matcher rejects (col %d: %v)", f.name, g.errCol, g.errKind)
	}
	if !apSpansEqual(fastSpans, g.spans) || fastTrail != g.trail {
		t.Fatalf("%s: fast spans %v trail %v, general %v trail %v", f.name, fastSpans, fastTrail, g.spans, g.trail)
	}
	if !records {
		return true
	}
	var fastRec, genRec Record
	fastRec.reset(false)
	p.apply(line, &fastRec)
	genRec.reset(false)
	g.apply(line, &genRec)
	if diff := cmp.Diff(&genRec, &fastRec, apRecordOpts); diff != "" {
		t.Fatalf("%s: records differ (-general +fast):\n%s", f.name, diff)
	}
	return true
}

func apSpansEqual(a, b []apSpan) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// apReadCorpus reads a real-world file and returns its records (cloned) by
// line number and its line errors.
func apReadCorpus(t *testing.T, rel, spec string) (map[int64]*Record, []*ParseError, Stats) {
	t.Helper()
	path := filepath.Join(testutil.Corpus(t), rel)
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := ParseFormat(spec)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(fh, f)
	r.Name = filepath.Base(rel)
	r.ReuseRecord = true
	recs := map[int64]*Record{}
	var perrs []*ParseError
	lastLine := int64(0)
	for rec, err := range r.All() {
		var perr *ParseError
		switch {
		case errors.As(err, &perr):
			perrs = append(perrs, perr)
			if perr.Line <= lastLine {
				t.Errorf("line %d after line %d", perr.Line, lastLine)
			}
			lastLine = perr.Line
		case err != nil:
			t.Fatalf("Read: %v", err)
		default:
			recs[rec.Line] = rec.Clone()
			lastLine = rec.Line
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return recs, perrs, r.Stats()
}

// TestApacheRealWorld reads the shared real-world logs and checks how many
// lines each yields and why the rest were rejected.
func TestApacheRealWorld(t *testing.T) {
	const (
		sslRequest  = `apache:%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b`
		lnavRegexp  = `apache:%v:%p %h %{session}n %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D`
		mtailCommon = `apache:%h %l %u %t "%r" %>s %b %D "%{Referer}i" "%{User-agent}i"`
		mtailLighty = `apache:%{X-Forwarded-For}i %h %u %t "%r" %>s %b %I %O %T "%{Referer}i" "%{User-Agent}i"`
	)
	tests := []struct {
		file, format      string
		records, rejected int64
		kinds             []error // every rejection is one of these
		why               string
	}{
		{"apache_common/crowdsec-hub-apache-http-probing-nikto.log", "common", 77, 0, nil, ""},
		{"apache_common/filebeat-apache-access-darwin-2.4.23.log", "common", 6, 0, nil, ""},
		{"apache_common/nasa-http-aug95-first1880-reconstructed.log", "common", 1880, 0, nil, ""},
		{"apache_common/nasa-http-aug95-first1930-hardwrapped-copy.log", "common", 1841, 89,
			[]error{ErrTimestamp, ErrQuote, ErrFieldCount}, "records hard-wrapped onto two lines (see TestApacheHardWrapped)"},
		{"apache_common/usask-http-jun95-sample.log", "common", 400, 0, nil, ""},
		{"apache_combined/caltechlibrary-logagent-testdata-access.log", "combined", 42, 0, nil, ""},
		{"apache_combined/crowdsec-hub-apache2-logs.log", "combined", 7, 2, []error{ErrTimestamp}, "two Apache error-log lines"},
		{"apache_combined/crowdsec-hub-apache2-malformed.log", "combined", 11, 0, nil, ""},
		{"apache_combined/elastic-examples-apache_logs.log", "combined", 10000, 0, nil, ""},
		{"apache_combined/filebeat-apache-access-test.log", "combined", 7, 0, nil, ""},
		{"apache_combined/lnav-logfile_access_log.0.log", "combined", 3, 0, nil, ""},
		{"apache_combined/lnav-logfile_access_log.1.log", "combined", 1, 0, nil, ""},
		{"apache_combined/lnav-logfile_bad_access_log.0.log", "combined", 2, 1, []error{ErrTimestamp}, "a line edited to lack ident and user"},
		{"apache_combined/logstash-patterns-core-httpd_spec-access-lines.log", "combined", 3, 0, nil, ""},
		{"apache_combined/mtail-apache-combined.log", "combined", 5, 0, nil, ""},
		{"apache_combined/plaso-apache_access.log", "combined", 15, 0, nil, ""},
		{"apache_vhost_combined/filebeat-apache-access-test-vhost.log", "vhost_combined", 1, 0, nil, ""},
		{"apache_custom/filebeat-apache-access-ssl-request.log", sslRequest, 2, 0, nil, ""},
		{"apache_custom/lnav-logfile_regexp_access_log.0.log", lnavRegexp, 2, 0, nil, ""},
		{"apache_custom/mtail-apache-common-with-duration.log", mtailCommon, 3, 0, nil, ""},
		{"lighttpd/datadog-integrations-core-lighttpd_tests-access-line.log", "lighttpd", 1, 0, nil, ""},
		{"lighttpd/mtail-lighttpd_access.log", mtailLighty, 19, 0, nil, ""},
		{"nginx_combined/bitfield-script-testdata-access.log", "combined", 1, 24, []error{ErrQuote}, `the writer's format lacks the referer's closing quote`},
		{"nginx_combined/crowdsec-hub-http-dos-invalid-http-versions.log", "combined", 6, 0, nil, ""},
		{"nginx_combined/crowdsec-hub-nginx-http-malformed.log", "combined", 12, 0, nil, ""},
		{"nginx_combined/crowdsec-hub-nginx-http-path-traversal.log", "combined", 9, 0, nil, ""},
		{"nginx_combined/crowdsec-hub-nginx-http-sqli-probing.log", "combined", 16, 0, nil, ""},
		{"nginx_combined/crowdsec-hub-nginx-http-xss-probing.log", "combined", 26, 0, nil, ""},
		{"nginx_combined/crowdsec-hub-nginx_http-logs.log", "combined", 7, 2, []error{ErrTimestamp}, "two nginx error-log lines"},
		{"nginx_combined/elastic-examples-nginx_logs-partial-copy.log", "combined", 28021, 0, nil, ""},
		{"nginx_combined/filebeat-nginx-access-access.log", "combined", 13, 0, nil, ""},
		{"nginx_combined/filebeat-nginx-access-test.log", "combined", 3, 4, []error{ErrTimestamp}, "an X-Forwarded-For chain where the client address belongs"},
		{"nginx_combined/lnav-logfile_shop_access_log.0-zanbil.log", "combined", 1000, 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			recs, perrs, st := apReadCorpus(t, tt.file, tt.format)
			if int64(len(recs)) != tt.records || int64(len(perrs)) != tt.rejected {
				t.Errorf("%d records, %d rejected; want %d, %d", len(recs), len(perrs), tt.records, tt.rejected)
			}
			if st.Lines != st.Records+st.Skipped+st.Rejected {
				t.Errorf("stats do not add up: %+v", st)
			}
			for _, perr := range perrs {
				ok := false
				for _, k := range tt.kinds {
					ok = ok || errors.Is(perr, k)
				}
				if !ok {
					t.Errorf("unexpected rejection %v (expected: %s)", perr, tt.why)
				}
			}
			for _, r := range recs {
				if !r.Time.IsZero() && r.Time.Year() < 1995 {
					t.Errorf("line %d: time %v", r.Line, r.Time)
				}
				if r.Status != 0 && (r.Status < 100 || r.Status > 599) {
					t.Errorf("line %d: status %d", r.Line, r.Status)
				}
			}
		})
	}
}

// TestApacheRealWorldDetails checks chosen lines of the real-world logs.
func TestApacheRealWorldDetails(t *testing.T) {
	t.Run("plaso", func(t *testing.T) {
		recs, _, _ := apReadCorpus(t, "apache_combined/plaso-apache_access.log", "combined")
		if r := recs[1]; r.UserAgent != "" || r.BodyBytes != 494 {
			t.Errorf("line 1 (common line): UA %q bytes %d", r.UserAgent, r.BodyBytes)
		}
		if r := recs[5]; r.Time.Format("-0700") != "+0200" || r.Referer != "http://localhost/" {
			t.Errorf("line 5: time %v referer %q", r.Time, r.Referer)
		}
		if r := recs[8]; !strings.HasSuffix(r.UserAgent, "bot.html") || len(r.Extra) != 1 || r.Extra[0] != (Field{"unterminated", "%{User-Agent}i"}) {
			t.Errorf("line 8 (cut user agent): UA %q extra %v", r.UserAgent, r.Extra)
		}
		if r := recs[9]; r.VHost != "plaso.log2timeline.net" || r.ServerPort != 443 || r.Client != apAddr("10.1.1.2") {
			t.Errorf("line 9 (vhost prefix): vhost %q port %d client %v", r.VHost, r.ServerPort, r.Client)
		}
		if r := recs[13]; r.Status != 404 || r.Query != `action=edit&template=<script>alert("text")</script>` || r.Protocol != "HTTP/1.0" {
			t.Errorf("line 13 (unescaped quotes): status %d query %q protocol %q", r.Status, r.Query, r.Protocol)
		}
		if r := recs[14]; r.Path != `/${("TextString"+"123456")}/actionChain1.action` {
			t.Errorf("line 14 (unescaped quotes): path %q", r.Path)
		}
		if r := recs[15]; r.User != "pyllyukko@EXAMPLE.COM" {
			t.Errorf("line 15: user %q", r.User)
		}
	})
	t.Run("filebeat", func(t *testing.T) {
		recs, _, _ := apReadCorpus(t, "apache_combined/filebeat-apache-access-test.log", "combined")
		if r := recs[3]; r.Method != "" || r.Status != 408 || r.BodyBytes != 0 {
			t.Errorf("line 3: method %q status %d bytes %d", r.Method, r.Status, r.BodyBytes)
		}
		if r := recs[4]; len(r.Extra) != 1 || r.Extra[0] != (Field{"trailing", `"-"`}) {
			t.Errorf("line 4: extra %v", r.Extra)
		}
		if r := recs[5]; r.ClientHost != "monitoring-server" || r.Client.IsValid() {
			t.Errorf("line 5: client %v host %q", r.Client, r.ClientHost)
		}
		if r := recs[7]; r.VHost != "vhost1.domaine.fr" || r.Client != apAddr("123.123.123.123") {
			t.Errorf("line 7: vhost %q client %v", r.VHost, r.Client)
		}
	})
	t.Run("nikto escaped quotes", func(t *testing.T) {
		recs, _, _ := apReadCorpus(t, "apache_common/crowdsec-hub-apache-http-probing-nikto.log", "common")
		n := 0
		for _, r := range recs {
			if strings.Contains(r.Target, `"`) {
				n++
			}
		}
		if n == 0 {
			t.Error("no request target holds a decoded quote")
		}
		// The client sent a backslash and a quote: logged as \\\", decoded as \".
		if r := recs[45]; r.Query != `config[\"sipssys\"]=http://cirt.net/rfiinc.txt?` {
			t.Errorf("line 45: query %q", r.Query)
		}
	})
	t.Run("elastic raw bytes", func(t *testing.T) {
		recs, _, _ := apReadCorpus(t, "apache_combined/elastic-examples-apache_logs.log", "combined")
		n := 0
		for _, r := range recs {
			if strings.ContainsFunc(r.Referer, func(c rune) bool { return c == 0xfffd }) {
				n++
			}
		}
		if n == 0 {
			t.Error(`no referer holds a decoded \xhh byte`)
		}
	})
	t.Run("mtail lighttpd", func(t *testing.T) {
		recs, _, _ := apReadCorpus(t, "lighttpd/mtail-lighttpd_access.log", `apache:%{X-Forwarded-For}i %h %u %t "%r" %>s %b %I %O %T "%{Referer}i" "%{User-Agent}i"`)
		r := recs[1]
		want := apRec(func(w *Record) {
			w.ForwardedFor, w.Client, w.Time = "198.51.100.71", apAddr("192.0.2.5"), apClock("08/Apr/2010:20:43:02 -0700")
			w.Method, w.Target, w.Path, w.Protocol = "GET", "/group.cache.asc", "/group.cache.asc", "HTTP/1.0"
			w.Status, w.BodyBytes, w.RequestBytes, w.WireBytes, w.Duration = 200, 191, 367, 464, time.Second
			w.UserAgent = "nsscache_0.12"
		})
		if diff := cmp.Diff(&want, r, apRecordOpts); diff != "" {
			t.Errorf("line 1 (-want +got):\n%s", diff)
		}
	})
}

// TestApacheHardWrapped checks the NASA copy whose records were wrapped
// onto two lines: every record read is a record of the repaired file or
// the tail of one (a wrapped record's second half that happens to be a
// whole line), and every rejected line is a piece of a wrapped record.
func TestApacheHardWrapped(t *testing.T) {
	corpus := testutil.Corpus(t)
	good, err := os.ReadFile(filepath.Join(corpus, "apache_common/nasa-http-aug95-first1880-reconstructed.log"))
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := os.ReadFile(filepath.Join(corpus, "apache_common/nasa-http-aug95-first1930-hardwrapped-copy.log"))
	if err != nil {
		t.Fatal(err)
	}
	goodLines := map[string]bool{}
	for _, l := range strings.Split(string(good), "\n") {
		goodLines[l] = true
	}
	f, _ := ParseFormat("common")
	r := NewReader(bytes.NewReader(wrapped), f)
	lines := strings.Split(string(wrapped), "\n")
	tails, pieces := 0, 0
	for rec, err := range r.All() {
		var n int64
		if err != nil {
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatal(err)
			}
			n = perr.Line
		} else {
			n = rec.Line
		}
		line := lines[n-1]
		if err == nil && goodLines[line] {
			continue
		}
		if !bytes.Contains(good, []byte(line)) || goodLines[line] {
			t.Errorf("line %d: read %v, but it is neither a record nor a piece of one", n, err)
		}
		if err == nil {
			tails++
		} else {
			pieces++
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if tails != 10 || pieces != 89 {
		t.Errorf("%d tails read as records, %d pieces rejected; want 10, 89", tails, pieces)
	}
}

// TestApacheCLFTimeCache checks the per-day cache of %t times against
// parseCLFTime, on runs of lines of one day and on bad clocks.
func TestApacheCLFTimeCache(t *testing.T) {
	f, _ := ParseFormat("common")
	p := f.NewParser().(*apacheParser)
	var z zoneCache
	stamps := []string{
		"12/Feb/2019:21:04:05 +0100", "12/Feb/2019:21:04:06 +0100", "12/Feb/2019:00:00:00 +0100",
		"12/Feb/2019:23:59:60 +0100", "12/Feb/2019:24:00:00 +0100", "12/Feb/2019:23:60:00 +0100",
		"12/Feb/2019:2x:00:00 +0100", "12/Feb/2019:21:04:05 -0100", "12/Feb/2019:21:04:05.5 +0100",
		"13/Feb/2019:01:02:03 +0100", "13/Feb/2019:01:02:04 +0100", "31/Feb/2019:01:02:03 +0100",
		"31/Feb/2019:01:02:04 +0100", "29/Feb/2020:12:00:00 +0000", "29/Feb/2020:13:00:00 +0000",
		"29/Feb/2020:13:00:00 +1400", "29/Feb/2020:13:00:00 +1500", "29/Feb/2020:13:00:00 +1500",
	}
	for _, s := range stamps {
		got, gotOK := p.clfTime([]byte(s))
		want, wantOK := parseCLFTime([]byte(s), &z)
		_, go1 := got.Zone()
		_, wo := want.Zone()
		if gotOK != wantOK || !got.Equal(want) || go1 != wo {
			t.Errorf("%s: cached %v %v, want %v %v", s, got, gotOK, want, wantOK)
		}
	}
}

// apHostileLines are built to make the matcher backtrack: each would
// take seconds if every candidate end were scanned to the end of the line.
func apHostileLines() []string {
	const n = 400 << 10
	return []string{
		strings.Repeat(`" `, n/2),
		`192.0.2.1 - - ` + apTSLine + ` "` + strings.Repeat(`" " `, n/4),
		`192.0.2.1 - - ` + apTSLine + ` "GET / HTTP/1.1" 200 1 "` + strings.Repeat(`" "`, n/3),
		strings.Repeat(`\`, n/2) + strings.Repeat(`"`, n/2),
	}
}

var apHostileSpecs = []string{"combined", "vhost_combined", `apache:%u %u "%U" %U%U%U %{x}i "%{z}i"`, `apache:%U%U%U%U%U%U%U%U%>s`}

// TestApacheHostileLines checks, without a clock, what keeps hostile lines
// linear: the matcher charges the field ends it tries and the bytes it
// scans, and stops within its budgets (apMatchBudget tries, apWorkPerByte
// bytes per byte of the line, overdrawn by one charge at most). Some of
// the lines must run into a budget: otherwise they no longer test it.
// BenchmarkApacheHostileLines measures the time.
func TestApacheHostileLines(t *testing.T) {
	stopped := 0
	for _, spec := range apHostileSpecs {
		f, err := ParseFormat(spec)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range apHostileLines() {
			p := f.NewParser().(*apacheParser)
			var r Record
			r.reset(true)
			p.Parse([]byte(l), &r) // errors expected
			for j, q := range append([]*apacheParser{p}, p.alts...) {
				tries := apMatchBudget - q.budget
				if tries > apMatchBudget+1 || q.work < -len(l) {
					t.Errorf("%s, line %d, variant %d: %d tries, %d bytes of work left: over budget", spec, i, j, tries, q.work)
				}
				if q.budget <= 0 {
					stopped++
				}
			}
		}
	}
	if stopped == 0 {
		t.Error("no hostile line ran into the matcher's budget")
	}
}
