package logparse

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// nginxCmpOpts compares records field by field; times must agree on the
// instant and on the logged offset.
var nginxCmpOpts = cmp.Options{
	cmpopts.IgnoreUnexported(Record{}),
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b time.Time) bool {
		return a.Equal(b) && a.Format(time.RFC3339Nano) == b.Format(time.RFC3339Nano)
	}),
}

// nginxWant returns the record that a one-line input "test.log" yields when
// the format logs nothing, changed by mod.
func nginxWant(mod func(r *Record)) Record {
	r := Record{
		BodyBytes: NotLogged, WireBytes: NotLogged, RequestBytes: NotLogged, Duration: NotLogged,
		Source: "test.log", Line: 1,
	}
	if mod != nil {
		mod(&r)
	}
	return r
}

// parseNginxLine reads one line in format spec through a Reader.
func parseNginxLine(t *testing.T, spec, line string) (*Record, error) {
	t.Helper()
	f, err := ParseFormat(spec)
	if err != nil {
		t.Fatalf("ParseFormat: %v", err)
	}
	r := NewReader(strings.NewReader(line+"\n"), f)
	r.Name = "test.log"
	rec, err := r.Read()
	if err != nil {
		return nil, err
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("second Read: got %v, want io.EOF", err)
	}
	return rec, nil
}

var (
	nginxCET  = time.FixedZone("+0100", 3600)
	nginxCEST = time.FixedZone("+0200", 7200)
	nginxNST  = time.FixedZone("-0330", -(3*3600 + 30*60))
)

const (
	nginxUAFirefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:65.0) Gecko/20100101 Firefox/65.0"
	nginxMP3       = "/recordings/2019/02/call-000123.mp3"
)

func TestNginxParse(t *testing.T) {
	combined := "nginx_combined"
	tests := []struct {
		name, spec, line string
		want             Record
	}{
		{
			name: "combined 206 on an mp3",
			spec: combined,
			line: `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET ` + nginxMP3 + ` HTTP/1.1" 206 65536 "http://198.51.100.7/recordings/" "` + nginxUAFirefox + `"`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.10")
				r.Time = time.Date(2019, 2, 1, 10, 0, 2, 0, nginxCET)
				r.Method, r.Target, r.Path, r.Protocol = "GET", nginxMP3, nginxMP3, "HTTP/1.1"
				r.Status, r.BodyBytes = 206, 65536
				r.Referer, r.UserAgent = "http://198.51.100.7/recordings/", nginxUAFirefox
			}),
		},
		{
			name: "combined user, IPv6, HEAD, dashes read as empty",
			spec: combined,
			line: `2001:db8::17 - operator [31/Mar/2019:03:00:00 +0200] "HEAD /recordings/ HTTP/1.0" 200 0 "-" "-"`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("2001:db8::17")
				r.User = "operator"
				r.Time = time.Date(2019, 3, 31, 3, 0, 0, 0, nginxCEST)
				r.Method, r.Target, r.Path, r.Protocol = "HEAD", "/recordings/", "/recordings/", "HTTP/1.0"
				r.Status, r.BodyBytes = 200, 0
			}),
		},
		{
			name: "combined percent-encoded target and query",
			spec: combined,
			line: `203.0.113.9 - - [01/Feb/2019:10:02:00 -0330] "GET /rec/call%20000126.mp3?dl=1&x=%41 HTTP/1.1" 404 153 "-" "Wget/1.20.1 (linux-gnu)"`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("203.0.113.9")
				r.Time = time.Date(2019, 2, 1, 10, 2, 0, 0, nginxNST)
				r.Method, r.Protocol = "GET", "HTTP/1.1"
				r.Target, r.Path, r.Query = "/rec/call%20000126.mp3?dl=1&x=%41", "/rec/call 000126.mp3", "dl=1&x=%41"
				r.Status, r.BodyBytes = 404, 153
				r.UserAgent = "Wget/1.20.1 (linux-gnu)"
			}),
		},
		{
			name: "combined default escapes decoded, escaped quote does not end the field",
			spec: combined,
			line: `192.0.2.1 - us\x22er [01/Feb/2019:10:00:00 +0100] "GET /a\x22b HTTP/1.1" 200 1 "-" "probe \x22quoted\x22 C:\x5Cdir \xC3\xA5"`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.1")
				r.User = `us"er`
				r.Time = time.Date(2019, 2, 1, 10, 0, 0, 0, nginxCET)
				r.Method, r.Target, r.Path, r.Protocol = "GET", `/a"b`, `/a"b`, "HTTP/1.1"
				r.Status, r.BodyBytes = 200, 1
				r.UserAgent = `probe "quoted" C:\dir å`
			}),
		},
		{
			name: "combined empty request line and host name client",
			spec: combined,
			line: `unix: - - [01/Feb/2019:10:03:00 +0100] "" 400 0 "-" "-"`,
			want: nginxWant(func(r *Record) {
				r.ClientHost = "unix:"
				r.Time = time.Date(2019, 2, 1, 10, 3, 0, 0, nginxCET)
				r.Status, r.BodyBytes = 400, 0
			}),
		},
		{
			name: "combined binary probe kept in Extra",
			spec: combined,
			line: `192.0.2.201 - - [01/Feb/2019:10:03:01 +0100] "\x16\x03\x01 \x00\xA5" 400 157 "-" "-"`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.201")
				r.Time = time.Date(2019, 2, 1, 10, 3, 1, 0, nginxCET)
				r.Status, r.BodyBytes = 400, 157
				r.Extra = []Field{{"$request", "\x16\x03\x01 \x00\xA5"}}
			}),
		},
		{
			name: "range format complete",
			spec: "nginx_range",
			line: `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET ` + nginxMP3 + ` HTTP/1.1" 206 32768 "-" "` + nginxUAFirefox + `" "bytes=0-" 0.012 OK 33102`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.10")
				r.Time = time.Date(2019, 2, 1, 10, 0, 2, 0, nginxCET)
				r.Method, r.Target, r.Path, r.Protocol = "GET", nginxMP3, nginxMP3, "HTTP/1.1"
				r.Status, r.BodyBytes, r.WireBytes = 206, 32768, 33102
				r.UserAgent, r.Range = nginxUAFirefox, "bytes=0-"
				r.Duration = 12 * time.Millisecond
				r.Completion = CompletionComplete
			}),
		},
		{
			name: "range format aborted, no Range header",
			spec: "nginx_range",
			line: `192.0.2.10 - - [01/Feb/2019:10:00:03 +0100] "GET ` + nginxMP3 + ` HTTP/1.1" 200 540000 "-" "-" "-" 61.504  540672`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.10")
				r.Time = time.Date(2019, 2, 1, 10, 0, 3, 0, nginxCET)
				r.Method, r.Target, r.Path, r.Protocol = "GET", nginxMP3, nginxMP3, "HTTP/1.1"
				r.Status, r.BodyBytes, r.WireBytes = 200, 540000, 540672
				r.Duration = 61*time.Second + 504*time.Millisecond
				r.Completion = CompletionAborted
			}),
		},
		{
			name: "request parts, time_iso8601, request_length, server_port, host",
			spec: `nginx:${host}:$server_port $remote_addr [$time_iso8601] $request_method $request_uri $server_protocol $status $bytes_sent $request_length`,
			line: `files.example.org:443 198.51.100.23 [2019-02-01T10:00:05-03:30] GET /a%2Fb?q=1 HTTP/2.0 200 612 87`,
			want: nginxWant(func(r *Record) {
				r.VHost, r.ServerPort = "files.example.org", 443
				r.Client = netip.MustParseAddr("198.51.100.23")
				r.Time = time.Date(2019, 2, 1, 10, 0, 5, 0, nginxNST)
				r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", "/a%2Fb?q=1", "/a/b", "q=1", "HTTP/2.0"
				r.Status, r.WireBytes, r.RequestBytes = 200, 612, 87
			}),
		},
		{
			name: "uri and args without request_uri, msec in UTC, server_name",
			spec: `nginx:$msec $server_name $uri?$args $query_string`,
			line: `1549011602.123 files.example.org /dir/a b.mp3?x=1 -`,
			want: nginxWant(func(r *Record) {
				r.Time = time.Date(2019, 2, 1, 9, 0, 2, 123e6, time.UTC)
				r.VHost = "files.example.org"
				r.Path, r.Query = "/dir/a b.mp3", ""
			}),
		},
		{
			name: "uri and args go to Extra when request is logged",
			spec: `nginx:"$request" $uri $args`,
			line: `"GET /index.html?a=1 HTTP/1.1" /index.php a=1`,
			want: nginxWant(func(r *Record) {
				r.Method, r.Target, r.Path, r.Query, r.Protocol = "GET", "/index.html?a=1", "/index.html", "a=1", "HTTP/1.1"
				r.Extra = []Field{{"$uri", "/index.php"}, {"$args", "a=1"}}
			}),
		},
		{
			name: "time_local wins over time_iso8601 and msec",
			spec: `nginx:$msec $time_iso8601 [$time_local]`,
			line: `1549011602.123 2019-02-01T10:00:02+01:00 [01/Feb/2019:10:00:02 +0100]`,
			want: nginxWant(func(r *Record) {
				r.Time = time.Date(2019, 2, 1, 10, 0, 2, 0, nginxCET)
				r.Extra = []Field{{"$msec", "1549011602.123"}, {"$time_iso8601", "2019-02-01T10:00:02+01:00"}}
			}),
		},
		{
			name: "time_local needs no brackets: fixed width",
			spec: `nginx:$time_local $remote_addr`,
			line: `01/Feb/2019:10:00:02 +0100 192.0.2.4`,
			want: nginxWant(func(r *Record) {
				r.Time = time.Date(2019, 2, 1, 10, 0, 2, 0, nginxCET)
				r.Client = netip.MustParseAddr("192.0.2.4")
			}),
		},
		{
			name: "time_iso8601 in UTC with Z and a fraction",
			spec: `nginx:$time_iso8601 $status`,
			line: `2019-02-01T09:00:02.250Z 200`,
			want: nginxWant(func(r *Record) {
				r.Time = time.Date(2019, 2, 1, 9, 0, 2, 250e6, time.UTC)
				r.Status = 200
			}),
		},
		{
			name: "forwarded for, content range, realip, extras by name",
			spec: `nginx:$remote_addr $realip_remote_addr "$http_x_forwarded_for" "$sent_http_content_range" $remote_port $connection $pipe $cookie_sid $http_host $upstream_addr`,
			line: `192.0.2.50 198.51.100.1 "192.0.2.50, 203.0.113.7" "bytes 0-32767/2048000" 51234 77 . - files.example.org:8080 10.0.0.1:80, 10.0.0.2:80`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.50")
				r.ForwardedFor = "192.0.2.50, 203.0.113.7"
				r.ContentRange = "bytes 0-32767/2048000"
				r.Extra = []Field{
					{"$realip_remote_addr", "198.51.100.1"}, {"$remote_port", "51234"}, {"$connection", "77"},
					{"$pipe", "."}, {"$cookie_sid", ""}, {"$http_host", "files.example.org:8080"},
					{"$upstream_addr", "10.0.0.1:80, 10.0.0.2:80"},
				}
			}),
		},
		{
			name: "realip_remote_addr is the client when remote_addr is not logged",
			spec: `nginx:$realip_remote_addr $status`,
			line: `198.51.100.1 200`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("198.51.100.1")
				r.Status = 200
			}),
		},
		{
			name: "upstream lists with ', ' and ' : ' separators",
			spec: `nginx:$upstream_status $upstream_response_time $status`,
			line: `502, 504 : 200 0.001, 0.002 : 0.010 200`,
			want: nginxWant(func(r *Record) {
				r.Status = 200
				r.Extra = []Field{{"$upstream_status", "502, 504 : 200"}, {"$upstream_response_time", "0.001, 0.002 : 0.010"}}
			}),
		},
		{
			name: "status 000 and dashes for numbers read as not logged",
			spec: `nginx:$status $body_bytes_sent $bytes_sent $request_length $request_time $server_port`,
			line: `000 - - - - -`,
			want: nginxWant(nil),
		},
		{
			name: "unknown variable and ${} form, case-insensitive names",
			spec: `nginx:${Remote_Addr}|$my_var|${STATUS}`,
			line: `192.0.2.8|some value|301`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.8")
				r.Status = 301
				r.Extra = []Field{{"$my_var", "some value"}}
			}),
		},
		{
			name: "escape=json decodes JSON escapes, quote in value",
			spec: `nginx:escape=json {"ua":"$http_user_agent","ref":"$http_referer","status":$status}`,
			line: `{"ua":"a \"b\" \\ \/ \t\n \u001b \u00e5 \ud83d\ude00","ref":"","status":200}`,
			want: nginxWant(func(r *Record) {
				r.UserAgent = "a \"b\" \\ / \t\n \x1b å 😀"
				r.Status = 200
			}),
		},
		{
			name: "escape=json leaves \\x alone",
			spec: `nginx:escape=json "$http_user_agent"`,
			line: `"a\x22b"`,
			want: nginxWant(func(r *Record) { r.UserAgent = `ax22b` }),
		},
		{
			name: "escape=none keeps backslashes raw",
			spec: `nginx:escape=none $remote_user "$http_user_agent"`,
			line: `u\x22 "C:\dir\x22"`,
			want: nginxWant(func(r *Record) {
				r.User = `u\x22`
				r.UserAgent = `C:\dir\x22`
			}),
		},
		{
			name: "escape=default spelled out",
			spec: `nginx:escape=default "$http_user_agent"`,
			line: `"a\x22b"`,
			want: nginxWant(func(r *Record) { r.UserAgent = `a"b` }),
		},
		{
			name: "last variable takes the rest of the line",
			spec: `nginx:$status $http_user_agent`,
			line: `200 Mozilla/5.0 (X11; Linux x86_64) "quoted" - tail`,
			want: nginxWant(func(r *Record) {
				r.Status = 200
				r.UserAgent = `Mozilla/5.0 (X11; Linux x86_64) "quoted" - tail`
			}),
		},
		{
			name: "a space in an unquoted user name",
			spec: combined,
			line: `192.0.2.1 - Jane Doe [01/Feb/2019:10:00:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-"`,
			want: nginxWant(func(r *Record) {
				r.Client = netip.MustParseAddr("192.0.2.1")
				r.User = "Jane Doe"
				r.Time = time.Date(2019, 2, 1, 10, 0, 0, 0, nginxCET)
				r.Method, r.Target, r.Path, r.Protocol = "GET", "/", "/", "HTTP/1.1"
				r.Status, r.BodyBytes = 200, 1
			}),
		},
		{
			name: "escape=none: a raw quote not followed by the literal stays in the value",
			spec: `nginx:escape=none "$http_user_agent" $status`,
			line: `"x "y"z" 200`,
			want: nginxWant(func(r *Record) {
				r.UserAgent = `x "y"z`
				r.Status = 200
			}),
		},
		{
			name: "request_completion logged empty",
			spec: `nginx:[$request_completion]`,
			line: `[]`,
			want: nginxWant(func(r *Record) { r.Completion = CompletionAborted }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNginxLine(t, tt.spec, tt.line)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(tt.want, *got, nginxCmpOpts); diff != "" {
				t.Errorf("record mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNginxParseErrors(t *testing.T) {
	const c = "nginx_combined"
	good := `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 5 "-" "ua"`
	tests := []struct {
		name, spec, line string
		kind             error
		col              int // 1-based, as in ParseError
	}{
		{"trailing field", c, good + ` "-"`, ErrTrailing, len(good) + 1},
		{"common log line", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 5`, ErrFieldCount, 67},
		{"missing user field", c, `192.0.2.10 - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 5 "-" "ua"`, ErrLiteral, 36},
		{"host before client", c, `files.example.org 192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 5 "-" "ua"`, ErrLiteral, 19},
		{"unbalanced referer quote", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 5 "http://x/ "ua"`, ErrLiteral, 81},
		{"unterminated user agent", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 5 "-" "ua`, ErrQuote, 74},
		{"bad month", c, `192.0.2.10 - - [01/Fev/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 5 "-" "ua"`, ErrTimestamp, 17},
		{"bad offset", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +01:00] "GET /a HTTP/1.1" 200 5 "-" "ua"`, ErrTimestamp, 17},
		{"status not a number", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 2x0 5 "-" "ua"`, ErrStatus, 63},
		{"status too short", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 20 5 "-" "ua"`, ErrStatus, 63},
		{"negative bytes", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a HTTP/1.1" 200 -5 "-" "ua"`, ErrNumber, 67},
		{"request_time not a number", "nginx:$request_time", `0.0.1`, ErrNumber, 1},
		{"request_time ten fraction digits", "nginx:$request_time", `0.0000000001`, ErrNumber, 1},
		{"bad completion", "nginx:$request_completion", `DONE`, ErrSyntax, 1},
		{"port out of range", "nginx:$server_port", `65536`, ErrNumber, 1},
		{"bad iso time", "nginx:$time_iso8601", `2019-13-01T10:00:00+01:00`, ErrTimestamp, 1},
		{"iso time without offset", "nginx:$time_iso8601", `2019-02-01T10:00:00`, ErrTimestamp, 1},
		{"bad msec", "nginx:$msec", `1549011602.`, ErrTimestamp, 1},
		{"json value unterminated", `nginx:escape=json {"a":"$http_referer"}`, `{"a":"x\"}`, ErrQuote, 7},
		{"apache-style escaped quote is not nginx's", c, `192.0.2.10 - - [01/Feb/2019:10:00:02 +0100] "GET /a\"b HTTP/1.1" 200 5 "-" "ua"`, ErrLiteral, 54},
		{"prefix literal mismatch", `nginx:[$time_local]`, `(01/Feb/2019:10:00:02 +0100]`, ErrLiteral, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseNginxLine(t, tt.spec, tt.line)
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("kind: got %v, want %v", perr.Err, tt.kind)
			}
			if perr.Line != 1 || perr.Column != tt.col || perr.Offset != int64(tt.col-1) {
				t.Errorf("position: got line %d col %d offset %d, want 1, %d, %d", perr.Line, perr.Column, perr.Offset, tt.col, tt.col-1)
			}
			if strings.Contains(err.Error(), "192.0.2") || strings.Contains(err.Error(), "GET") {
				t.Errorf("error %q holds line contents", err)
			}
		})
	}
}

func TestNginxBlankLineSkipped(t *testing.T) {
	f, _ := ParseFormat("nginx_combined")
	r := NewReader(strings.NewReader("\n\r\n"), f)
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
	if st := r.Stats(); st.Lines != 2 || st.Skipped != 2 {
		t.Errorf("stats: got %d lines, %d skipped; want 2, 2", st.Lines, st.Skipped)
	}
}

func TestNginxFormatNames(t *testing.T) {
	names := FormatNames()
	for _, want := range []string{"nginx_combined", "nginx_range", "nginx:"} {
		if !slices.Contains(names, want) {
			t.Errorf("FormatNames() = %v, missing %q", names, want)
		}
	}
	for _, tt := range []struct{ spec, name string }{
		{"nginx_combined", "nginx_combined"},
		{"nginx_range", "nginx_range"},
		{"nginx:$remote_addr $status", "nginx:$remote_addr $status"},
		{"nginx:escape=json {\"s\":$status}", "nginx:escape=json {\"s\":$status}"},
	} {
		f, err := ParseFormat(tt.spec)
		if err != nil {
			t.Fatalf("ParseFormat(%q): %v", tt.spec, err)
		}
		if f.Name() != tt.name {
			t.Errorf("Name() = %q, want %q", f.Name(), tt.name)
		}
		if s, ok := f.(Splittable); !ok || !s.Splittable() {
			t.Errorf("%s is not Splittable", tt.spec)
		}
	}
	// The built-in range format is combined with four more fields.
	if !strings.HasPrefix(NginxRangeLogFormat, NginxCombinedLogFormat+" ") {
		t.Errorf("NginxRangeLogFormat does not extend combined: %q", NginxRangeLogFormat)
	}
}

func TestNginxCompileErrors(t *testing.T) {
	tests := []struct {
		spec string
		pos  int
		msg  string
	}{
		{"", 0, "empty format"},
		{"just text", 0, "no variables"},
		{"$remote_addr ${status", 13, "unterminated ${"},
		{"${", 0, "unterminated ${"},
		{"${stat-us}", 6, "bad byte"},
		{"$ - $status", 0, "empty variable name"},
		{"${} $status", 0, "empty variable name"},
		{"$status $", 8, "empty variable name"},
		{"$host$request_uri", 5, "no text between"},
		{"escape=xml $status", 7, "escape must be"},
		{"escape= $status", 7, "escape must be"},
		{"escape=json", 11, "no format after"},
		{"escape=json ", 12, "empty format"},
	}
	for _, tt := range tests {
		_, err := ParseFormat("nginx:" + tt.spec)
		var ferr *FormatStringError
		if !errors.As(err, &ferr) {
			t.Errorf("ParseFormat(%q): got %v, want a *FormatStringError", tt.spec, err)
			continue
		}
		if ferr.Pos != tt.pos || !strings.Contains(ferr.Msg, tt.msg) {
			t.Errorf("ParseFormat(%q): got pos %d %q, want pos %d containing %q", tt.spec, ferr.Pos, ferr.Msg, tt.pos, tt.msg)
		}
		if !strings.HasPrefix(err.Error(), "logparse: nginx format: position ") {
			t.Errorf("ParseFormat(%q): error %q lacks the package and style prefix", tt.spec, err)
		}
	}
}

// TestNginxTestdata reads every testdata/nginx/NAME.log in the format named
// by NAME.format; every line must parse but the raw NUL byte that nginx
// wrote with escape=none.
func TestNginxTestdata(t *testing.T) {
	formats, err := filepath.Glob("testdata/nginx/*.format")
	if err != nil || len(formats) < 8 {
		t.Fatalf("testdata formats missing: %v %v", formats, err)
	}
	wantRejected := map[string]map[string]int64{
		"real-raw.log": {ErrBinary.Error(): 1},
	}
	for _, ff := range formats {
		spec, err := os.ReadFile(ff)
		if err != nil {
			t.Fatal(err)
		}
		logFile := strings.TrimSuffix(ff, ".format") + ".log"
		st := readNginxFile(t, strings.TrimSpace(string(spec)), logFile)
		data, _ := os.ReadFile(logFile)
		lines := int64(bytes.Count(data, []byte("\n")))
		want := wantRejected[filepath.Base(logFile)]
		var rejected int64
		for _, n := range want {
			rejected += n
		}
		if st.Records != lines-rejected || st.Skipped != 0 || !cmp.Equal(st.RejectedBy, want, cmpopts.EquateEmpty()) {
			t.Errorf("%s: got %d records, %d skipped, rejected %v; want %d, 0, %v", logFile, st.Records, st.Skipped, st.RejectedBy, lines-rejected, want)
		}
	}
}

// readNginxRecords reads a testdata file in its format and keeps clones of
// the records by line number.
func readNginxRecords(t *testing.T, name string) map[int64]*Record {
	t.Helper()
	spec, err := os.ReadFile("testdata/nginx/" + name + ".format")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFormat(strings.TrimSpace(string(spec)))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/nginx/" + name + ".log")
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(bytes.NewReader(data), f)
	r.ReuseRecord = true
	recs := map[int64]*Record{}
	for rec, err := range r.All() {
		if err == nil {
			recs[rec.Line] = rec.Clone()
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestNginxRealServer checks fields of lines that nginx itself wrote for
// the same requests in four log formats and three escape modes.
func TestNginxRealServer(t *testing.T) {
	const sentUA = "probe \"quoted\" back\\slash tab\there \x01 ctl \xc3\xa5 utf8 \xff high"
	for _, name := range []string{"real-combined", "real-range", "real-json", "real-raw"} {
		recs := readNginxRecords(t, name)
		if got := recs[4].UserAgent; got != sentUA {
			t.Errorf("%s line 4: user agent %q, want %q", name, got, sentUA)
		}
		if got := recs[9].Target; got != `/a"b\c` {
			t.Errorf("%s line 9: target %q", name, got)
		}
		if name != "real-raw" {
			if v, _ := recs[11].Field("$request"); v != "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 junk" || recs[11].Method != "" {
				t.Errorf("%s line 11: request %q, method %q", name, v, recs[11].Method)
			}
		}
	}
	rng := readNginxRecords(t, "real-range")
	type sum struct {
		User                   string
		Status                 int
		Body, Wire             int64
		Range                  string
		Duration               time.Duration
		Completion             Completion
		Time                   string
		Client, Method, Target string
	}
	got := func(r *Record) sum {
		return sum{r.User, r.Status, r.BodyBytes, r.WireBytes, r.Range, r.Duration, r.Completion,
			r.Time.Format(time.RFC3339), r.Client.String(), r.Method, r.Target}
	}
	for _, tt := range []struct {
		line int64
		want sum
	}{
		{1, sum{"", 200, 409, 559, "", 0, CompletionComplete, "2026-11-23T15:41:08Z", "192.0.2.10", "GET", "/recordings/"}},
		{3, sum{"", 206, 32768, 33040, "bytes=32768-65535", 0, CompletionComplete, "2026-11-23T15:41:08Z", "192.0.2.10", "GET", "/recordings/call-000124.wav"}},
		{6, sum{"", 200, 0, 236, "", 0, CompletionComplete, "2026-11-23T15:41:08Z", "203.0.113.5", "HEAD", "/recordings/call-000125.mp3"}},
		{8, sum{"", 416, 197, 398, "bytes=999999-", 0, CompletionComplete, "2026-11-23T15:41:08Z", "203.0.113.5", "GET", "/recordings/call-000125.mp3"}},
		{9, sum{"Jane Doe", 404, 153, 303, "", 0, CompletionComplete, "2026-11-23T15:41:08Z", "192.0.2.30", "GET", `/a"b\c`}},
		{10, sum{`o"hara`, 200, 6, 235, "", 0, CompletionComplete, "2026-11-23T15:41:08Z", "192.0.2.31", "GET", "/"}},
		{12, sum{"", 400, 0, 0, "", 3013 * time.Millisecond, CompletionAborted, "2026-11-23T15:41:11Z", "127.0.0.1", "", ""}},
	} {
		if diff := cmp.Diff(tt.want, got(rng[tt.line])); diff != "" {
			t.Errorf("real-range line %d (-want +got):\n%s", tt.line, diff)
		}
	}

	all := readNginxRecords(t, "real-all")
	type allSum struct {
		Time, VHost                string
		Port                       int
		ReqBytes                   int64
		ContentRange, ForwardedFor string
		Path, Query                string
		Msec, Realip, URI, Args    string
	}
	gotAll := func(r *Record) allSum {
		msec, _ := r.Field("$msec")
		realip, _ := r.Field("$realip_remote_addr")
		uri, _ := r.Field("$uri")
		args, _ := r.Field("$args")
		return allSum{r.Time.Format(time.RFC3339), r.VHost, r.ServerPort, r.RequestBytes, r.ContentRange,
			r.ForwardedFor, r.Path, r.Query, msec, realip, uri, args}
	}
	for _, tt := range []struct {
		line int64
		want allSum
	}{
		{2, allSum{"2026-11-23T15:41:08Z", "files.example.org", 18080, 268, "bytes 0-2999999/3000000", "192.0.2.10",
			"/recordings/call-000124.wav", "", "1795448468.717", "127.0.0.1", "/recordings/call-000124.wav", ""}},
		{4, allSum{"2026-11-23T15:41:08Z", "files.example.org", 18080, 199, "", "192.0.2.77, 203.0.113.9",
			"/recordings/call-000125.mp3", "", "1795448468.728", "127.0.0.1", "/recordings/call-000125.mp3", ""}},
		{5, allSum{"2026-11-23T15:41:08Z", "files.example.org", 18080, 110, "", "",
			`/dir x/a"b`, "q=1&r=%41", "1795448468.728", "127.0.0.1", `/dir x/a"b`, "q=1&r=%41"}},
		{8, allSum{"2026-11-23T15:41:08Z", "files.example.org", 18080, 135, "bytes */5000", "",
			"/recordings/call-000125.mp3", "", "1795448468.729", "127.0.0.1", "/recordings/call-000125.mp3", ""}},
		{11, allSum{"2026-11-23T15:41:08Z", "", 18080, 0, "", "", "", "", "1795448468.751", "127.0.0.1", "", ""}},
	} {
		if diff := cmp.Diff(tt.want, gotAll(all[tt.line])); diff != "" {
			t.Errorf("real-all line %d (-want +got):\n%s", tt.line, diff)
		}
	}
}

// readNginxFile reads a whole file and returns the reader's counts.
func readNginxFile(t *testing.T, spec, path string) Stats {
	t.Helper()
	f, err := ParseFormat(spec)
	if err != nil {
		t.Fatalf("ParseFormat: %v", err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := NewReader(fh, f)
	r.Name = filepath.Base(path)
	r.ReuseRecord = true
	last := int64(0)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *ParseError
		switch {
		case errors.As(err, &perr):
			if perr.Line <= last {
				t.Errorf("%s: line %d after %d", path, perr.Line, last)
			}
			last = perr.Line
		case err != nil:
			t.Fatalf("%s: %v", path, err)
		default:
			if rec.Line <= last {
				t.Errorf("%s: line %d after %d", path, rec.Line, last)
			}
			last = rec.Line
		}
	}
	st := r.Stats()
	if st.Lines != st.Records+st.Skipped+st.Rejected {
		t.Errorf("%s: %d lines != %d records + %d skipped + %d rejected", path, st.Lines, st.Records, st.Skipped, st.Rejected)
	}
	return st
}

// TestNginxRealWorld reads the public nginx samples of the shared corpus
// (see its SOURCES.md) and pins how many lines parse and why the others do
// not. Every rejection is a line that the named format did not write.
func TestNginxRealWorld(t *testing.T) {
	corpus := testutil.Corpus(t)
	const (
		literal  = "text does not match the format"
		trailing = "unexpected data after last field"
		status   = "bad status"
		fields   = "wrong number of fields"
		quote    = "unbalanced or missing quote"
		number   = "bad number"
	)
	const (
		combinedXFF = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`
		withHost    = `nginx:$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
		// Nginx Proxy Manager's two formats, from its log-proxy.conf.
		npmProxy    = `nginx:[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] [Sent-to $server] "$http_user_agent" "$http_referer"`
		npmStandard = `nginx:[$time_local] $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] "$http_user_agent" "$http_referer"`
	)
	type counts struct {
		Records, Skipped, Rejected int64
		RejectedBy                 map[string]int64
	}
	tests := []struct {
		file, spec string
		want       counts
		why        string
	}{
		{"nginx_combined/bitfield-script-testdata-access.log", "nginx_combined", counts{1, 0, 24, map[string]int64{literal: 24}},
			"24 lines lack the referer's closing quote (the fixture was trimmed by hand); line 23 has a proper referer"},
		{"nginx_combined/crowdsec-hub-http-dos-invalid-http-versions.log", "nginx_combined", counts{6, 0, 0, nil},
			"HTTP/1.2, HTTP/2.1 and the like are kept as logged"},
		{"nginx_combined/crowdsec-hub-nginx-http-malformed.log", "nginx_combined", counts{12, 0, 0, nil},
			"binary probes answered with 400 are records; the undecodable request line goes to Extra"},
		{"nginx_combined/crowdsec-hub-nginx-http-path-traversal.log", "nginx_combined", counts{9, 0, 0, nil}, ""},
		{"nginx_combined/crowdsec-hub-nginx-http-sqli-probing.log", "nginx_combined", counts{16, 0, 0, nil}, ""},
		{"nginx_combined/crowdsec-hub-nginx-http-xss-probing.log", "nginx_combined", counts{26, 0, 0, nil}, ""},
		{"nginx_combined/crowdsec-hub-nginx_http-logs.log", "nginx_combined", counts{4, 0, 5, map[string]int64{literal: 5}},
			"lines 4-6 carry a $host prefix, line 8 lacks the remote_user field, line 9 is an error-log line"},
		{"nginx_combined/elastic-examples-nginx_logs-partial-copy.log", "nginx_combined", counts{28021, 0, 0, nil}, ""},
		{"nginx_combined/filebeat-nginx-access-access.log", "nginx_combined", counts{12, 0, 1, map[string]int64{literal: 1}},
			"line 13 carries a $host prefix"},
		{"nginx_combined/filebeat-nginx-access-test.log", "nginx_combined", counts{4, 0, 3, map[string]int64{literal: 2, trailing: 1}},
			"lines 1 and 3 hold address lists ($proxy_add_x_forwarded_for where $remote_addr stands: read); lines 5 and 6 a quoted list or a list and an address (another layout); line 2 has a trailing X-Forwarded-For field"},
		{"nginx_combined/lnav-logfile_shop_access_log.0-zanbil.log", "nginx_combined", counts{0, 0, 1000, map[string]int64{trailing: 1000}},
			"every line has a trailing \"$http_x_forwarded_for\": combined is the wrong format for this file"},
		{"nginx_combined/lnav-logfile_shop_access_log.0-zanbil.log", combinedXFF, counts{1000, 0, 0, nil},
			"the file's real format: combined plus X-Forwarded-For"},

		{"nginx_custom/crowdsec-hub-bunkerweb-logs.log",
			`nginx:$host $remote_addr - $request_id $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
			counts{5, 0, 0, nil}, "BunkerWeb's default LOG_FORMAT"},
		{"nginx_custom/crowdsec-hub-nginx-proxy-manager-logs.log", npmProxy, counts{6, 0, 8, map[string]int64{literal: 3, status: 5}},
			"5 lines are NPM's standard format (no cache status: 'GET' lands in $status), line 2 is combined, lines 5-6 are error-log lines"},
		{"nginx_custom/crowdsec-hub-nginx-proxy-manager-logs.log", npmStandard, counts{5, 0, 9, map[string]int64{literal: 6, status: 3}},
			"6 lines are NPM's proxy format, line 2 is combined, lines 5-6 are error-log lines"},
		{"nginx_custom/crowdsec-hub-npmplus-logs-mixed.log",
			`nginx:[$time_local] $host $remote_addr $request_time "$request" $status $body_bytes_sent $bytes_sent $http_referer $http_user_agent`,
			counts{8, 0, 2, map[string]int64{literal: 2}}, "NPMplus's default format; lines 1-2 are error-log lines"},
		{"nginx_custom/crowdsec-hub-pfsense-rfc5424-nginx-syslog.log", "nginx_combined", counts{0, 1, 1, map[string]int64{literal: 1}},
			"an error-log line inside syslog, and a blank line"},
		{"nginx_custom/datadog-integrations-core-nginx_tests-access-lines.log", "nginx_combined", counts{0, 0, 4, map[string]int64{fields: 1, trailing: 2, quote: 1}},
			"four different formats: common, combined+XFF twice (once with junk after it), combined with $request_time inserted"},
		{"nginx_custom/datadog-integrations-core-nginx_tests-access-lines.log", combinedXFF, counts{1, 0, 3, map[string]int64{fields: 1, trailing: 1, quote: 1}},
			"line 2 is combined+XFF; line 3 has junk after the last field"},
		{"nginx_custom/datadog-integrations-core-nginx_tests-access-lines.log",
			`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent $request_time "$http_referer" "$http_user_agent"`,
			counts{1, 0, 3, map[string]int64{fields: 1, number: 2}},
			"line 4's format; lines 2-3 have a quoted referer where $request_time should be"},
		{"nginx_custom/datadog-integrations-core-nginx_tests-access-lines.log",
			`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent`,
			counts{1, 0, 3, map[string]int64{trailing: 3}}, "line 1's format; the others go on after $body_bytes_sent"},
		{"nginx_custom/filebeat-nginx-access-test-with-host.log", withHost, counts{5, 0, 5, map[string]int64{literal: 2, trailing: 3}},
			"lines 1 and 3 hold address lists (read); lines 5 and 6 a quoted list or a list and an address (another layout); lines 2, 9 and 10 have a trailing X-Forwarded-For field"},
		{"nginx_custom/filebeat-nginx-ingress_controller-test.log",
			`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`,
			counts{29, 0, 0, nil}, "ingress-nginx's upstreaminfo format; upstream lists hold ', '"},
		{"nginx_custom/gonx-example-access.log",
			`nginx:$remote_addr [$time_local] "$request" $status $request_length $body_bytes_sent $request_time "$t_size" $read_time $gen_time`,
			counts{1000, 0, 0, nil}, "gonx's example format"},
	}
	for _, tt := range tests {
		path := filepath.Join(corpus, tt.file)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		st := readNginxFile(t, tt.spec, path)
		got := counts{st.Records, st.Skipped, st.Rejected, st.RejectedBy}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s in %.40s (%s): counts (-want +got):\n%s", tt.file, tt.spec, tt.why, diff)
		}
	}
}

// TestNginxRealWorldRecords spot-checks decoded fields in the corpus.
func TestNginxRealWorldRecords(t *testing.T) {
	path := filepath.Join(testutil.Corpus(t), "nginx_custom/filebeat-nginx-ingress_controller-test.log")
	f, _ := ParseFormat(`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`)
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := NewReader(fh, f)
	var recs []*Record
	for rec, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	// Line 23 proxied to two upstreams.
	rec := recs[22]
	got := []string{rec.Method, rec.Path, rec.UserAgent[:11]}
	for _, n := range []string{"$upstream_addr", "$upstream_response_length", "$upstream_status", "$proxy_alternative_upstream_name"} {
		v, _ := rec.Field(n)
		got = append(got, v)
	}
	want := []string{"GET", "/v2/some", "Mozilla/5.0", "172.17.0.6:8080, 172.17.0.7:8080", "61, 100", "200, 203", ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("line 23 (-want +got):\n%s", diff)
	}
	if rec.RequestBytes != 348 || rec.Duration != time.Millisecond || rec.Status != 200 {
		t.Errorf("line 23: got request bytes %d, duration %v, status %d", rec.RequestBytes, rec.Duration, rec.Status)
	}
}

func TestNginxRemoteAddrList(t *testing.T) {
	f, err := ParseFormat("nginx_combined")
	if err != nil {
		t.Fatal(err)
	}
	const line = `203.0.113.9, 198.51.100.4, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "curl/7.64.0"` + "\n"
	recs, rejs, _ := fxRead(t, f, line+strings.Replace(line, "203.0.113.9, 198.51.100.4, 127.0.0.1", "192.0.2.7", 1))
	if len(recs) != 2 || len(rejs) != 0 {
		t.Fatalf("%d records, rejects %v", len(recs), rejs)
	}
	if r := recs[0]; r.Client != fxAddr("127.0.0.1") || r.ForwardedFor != "203.0.113.9, 198.51.100.4" || r.Status != 200 || r.BodyBytes != 571 {
		t.Errorf("list: client %v forwarded for %q status %d bytes %d", r.Client, r.ForwardedFor, r.Status, r.BodyBytes)
	}
	if r := recs[1]; r.Client != fxAddr("192.0.2.7") || r.ForwardedFor != "" {
		t.Errorf("single address: client %v forwarded for %q", r.Client, r.ForwardedFor)
	}
}
