package logparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fieldsFormat is a test-only format: exactly n space-separated fields
// "client method target status bytes extra...". With wire set the bytes
// go to WireBytes (as Debian's %O). Lines starting with '#' are skipped.
type fieldsFormat struct {
	name string
	n    int
	wire bool
}

func (f fieldsFormat) Name() string      { return f.name }
func (f fieldsFormat) NewParser() Parser { return f }

func (f fieldsFormat) Parse(line []byte, rec *Record) error {
	if len(line) == 0 || line[0] == '#' {
		return ErrSkip
	}
	fs := bytes.Split(line, []byte(" "))
	if len(fs) != f.n || f.n < 5 {
		return errAt(0, ErrFieldCount)
	}
	setClient(rec, fs[0])
	rec.Method = bstr(fs[1])
	setTarget(rec, fs[2])
	st, ok := parseStatus(fs[3])
	if !ok {
		return errAt(0, ErrStatus)
	}
	rec.Status = st
	var n int64
	if string(fs[4]) != "-" {
		if n, ok = parseInt64(fs[4]); !ok {
			return errAt(0, ErrNumber)
		}
	}
	if f.wire {
		rec.WireBytes = n
	} else {
		rec.BodyBytes = n
	}
	for i, x := range fs[5:] {
		rec.addExtra(fmt.Sprint("f", i+5), bstr(x))
	}
	return nil
}

func detectLines(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

var testFormats = []Format{
	fieldsFormat{name: "common", n: 5},
	fieldsFormat{name: "combined", n: 6},
	fieldsFormat{name: "combined_debian", n: 6, wire: true},
	fieldsFormat{name: "nginx_combined", n: 6},
	fieldsFormat{name: "other", n: 7},
	fieldsFormat{name: "other2", n: 7},
}

func TestDetectChoice(t *testing.T) {
	f := func(name string, sample []byte, want, reason string) {
		t.Helper()
		got, d, err := detect(sample, testFormats)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if got.Name() != want || d.Format != want {
			t.Errorf("%s: chose %s (%s), want %s; candidates %v", name, got.Name(), d.Format, want, d.Candidates)
		}
		if !strings.Contains(d.Reason, reason) {
			t.Errorf("%s: reason %q does not say %q", name, d.Reason, reason)
		}
	}
	f("common", detectLines(
		"192.0.2.1 GET /a 200 10",
		"192.0.2.2 GET /b 200 11",
	), "common", "common parses 2 of 2 lines")
	f("combined ambiguous bytes", detectLines(
		"#header",
		"192.0.2.1 GET /a 200 10 x",
		"192.0.2.2 GET /b 206 11 y",
	), "combined", "the bytes field is ambiguous")
	f("combined by zero bytes", detectLines(
		"192.0.2.1 GET /a 200 10 x",
		"192.0.2.2 GET /b 404 - y",
	), "combined", "0 or \"-\" bytes on 1 line")
	f("debian by 304 with bytes", detectLines(
		"192.0.2.1 GET /a 200 10 x",
		"192.0.2.2 GET /b 304 180 y",
	), "combined_debian", "%O")
	f("debian by HEAD with bytes", detectLines(
		"192.0.2.1 HEAD /a 200 210 x",
	), "combined_debian", "bytes > 0 on 1 response without a body")
	f("conflicting bytes evidence", detectLines(
		"192.0.2.1 HEAD /a 200 210 x",
		"192.0.2.1 GET /a 200 0 x",
	), "combined", "the bytes field is ambiguous: 0 or \"-\" bytes on 1 line")
	f("nginx escapes", detectLines(
		`192.0.2.1 GET /a\x22 200 10 x`,
	), "nginx_combined", "1 nginx escape")
	f("nginx 499", detectLines(
		`192.0.2.1 GET /a 499 0 x`,
	), "nginx_combined", "status 499")
	f("majority", detectLines(
		"192.0.2.1 GET /a 200 10 x",
		"192.0.2.1 GET /a 200 10 x",
		"192.0.2.1 GET /a 200 10",
	), "combined", "combined parses 2 of 3 lines")
	f("last line without newline", []byte("192.0.2.1 GET /a 200 10 x\n192.0.2.1 GET /a 200 10 y"), "combined", "2 of 2")
	// Only the first DetectLines data lines count.
	many := strings.Repeat("192.0.2.1 GET /a 200 10\n", DetectLines) + strings.Repeat("192.0.2.1 GET /a 200 10 x\n", 2*DetectLines)
	f("first lines only", []byte(many), "common", "64 of 64")
}

func TestDetectFailure(t *testing.T) {
	f := func(name string, sample []byte, msg string) {
		t.Helper()
		got, d, err := detect(sample, testFormats)
		if !errors.Is(err, ErrNotDetected) {
			t.Errorf("%s: got %v, %v; want ErrNotDetected", name, got, err)
			return
		}
		if got != nil || d.Format != "" {
			t.Errorf("%s: format %v chosen with an error", name, got)
		}
		if !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %q does not say %q", name, err, msg)
		}
		// No line contents in the error.
		for _, s := range []string{"192.0.2", "/secret"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q holds line contents", name, err)
			}
		}
	}
	f("only comments", detectLines("#a", "#b"), "no data lines")
	f("nothing parses", detectLines("192.0.2.1 /secret", "x"), "no format parses any line")
	f("under half", detectLines(
		"192.0.2.1 GET /secret 200 10",
		"192.0.2.1 /secret",
		"192.0.2.1 /secret",
	), "no format parses half of the 3 lines tried (best: common 1/3 lines")
	f("tie across families", detectLines(
		"192.0.2.1 GET /secret 200 10 x y",
	), "formats tie: other 1/1 lines, 12.0 fields; other2 1/1 lines, 12.0 fields")
}

func TestDetectCandidates(t *testing.T) {
	_, d, err := detect(detectLines(
		"192.0.2.1 GET /a 200 10 x",
		"192.0.2.1 GET /a 200 10",
	), testFormats)
	if err != nil || d.Format != "combined" {
		t.Fatalf("chose %q, %v; want combined (half the lines is enough)", d.Format, err)
	}
	want := []Candidate{
		{Format: "common", Lines: 2, Parsed: 1, Fields: 10},
		{Format: "combined", Lines: 2, Parsed: 1, Fields: 11},
		{Format: "combined_debian", Lines: 2, Parsed: 1, Fields: 11},
		{Format: "nginx_combined", Lines: 2, Parsed: 1, Fields: 11},
	}
	// Sorted by share parsed, then fields per line: the three 6-field
	// formats first.
	want = append(want[1:], want[0])
	if diff := cmp.Diff(want, d.Candidates); diff != "" {
		t.Errorf("candidates (-want +got)\n%s", diff)
	}
	if got := want[0].String(); got != "combined 1/2 11.0" {
		t.Errorf("Candidate.String() = %q", got)
	}
}

func TestDetectInput(t *testing.T) {
	// Long enough that the sample ends inside a line.
	var b strings.Builder
	for i := 0; b.Len() < 3*DetectSampleSize; i++ {
		fmt.Fprintf(&b, "192.0.2.%d GET /file%d 200 %d x\n", i%250, i, i)
	}
	in := b.String()
	if in[DetectSampleSize-1] == '\n' {
		t.Fatal("test input should not have a line end at the sample's end")
	}
	f, d, br, err := detectInputWith(strings.NewReader(in), testFormats)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "combined" || d.Candidates[0].Lines != DetectLines {
		t.Errorf("chose %s from %v", f.Name(), d.Candidates)
	}
	all, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if string(all) != in {
		t.Errorf("DetectInput lost bytes: read %d of %d", len(all), len(in))
	}

	// A short input: the sample is the whole input.
	f, _, br, err = detectInputWith(strings.NewReader("192.0.2.1 GET /a 200 1"), testFormats)
	if err != nil || f.Name() != "common" {
		t.Fatalf("short input: %v %v", f, err)
	}
	if all, _ := io.ReadAll(br); string(all) != "192.0.2.1 GET /a 200 1" {
		t.Errorf("short input: read back %q", all)
	}
}

// TestDetectBuiltin runs Detect with the registered formats on samples of
// each, generated here or taken from the format tests' fixtures.
func TestDetectBuiltin(t *testing.T) {
	clf := func(prefix, ident, status, bytes, tail string) string {
		var b strings.Builder
		for i := range 4 {
			fmt.Fprintf(&b, "%s192.0.2.%d %s - [18/Feb/2019:10:0%d:00 +0100] \"GET /calls/%d.mp3 HTTP/1.1\" %s %s%s\n", prefix, i+1, ident, i, i, status, bytes, tail)
		}
		return b.String()
	}
	ua := ` "-" "Mozilla/5.0"`
	f := func(name, sample, want, reason string) {
		t.Helper()
		got, d, err := Detect([]byte(sample))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if got.Name() != want || d.Format != want {
			t.Errorf("%s: chose %s, want %s (%s)", name, d.Format, want, d.Reason)
		}
		if !strings.Contains(d.Reason, reason) {
			t.Errorf("%s: reason %q does not say %q", name, d.Reason, reason)
		}
	}
	f("common", clf("", "-", "200", "512", ""), "common", "no line logs a referer")
	f("combined", clf("", "-", "200", "-", ua), "combined", "%b (body only)")
	f("combined ambiguous", clf("", "-", "200", "512", ua), "combined", "the bytes field is ambiguous")
	f("combined_debian", clf("", "-", "304", "180", ua), "combined_debian", "%O (with headers)")
	f("vhost_combined", clf("www.example.org:443 ", "-", "200", "512", ua), "vhost_combined", "virtual host")
	f("lighttpd", clf("", "files.example.org", "200", "512", ua), "lighttpd", "host name in the ident column")
	f("nginx escapes", clf("", "-", "200", "512", ` "-" "a\x22b"`), "nginx_combined", "4 nginx escapes")
	f("nginx 499", clf("", "-", "499", "0", ua), "nginx_combined", "status 499")
	f("nginx_range", clf("", "-", "206", "1024", ua+` "bytes=0-1023" 0.004 OK 1400`), "nginx_range", "more than any other format")

	fixtures := []struct{ file, want string }{
		{"testdata/cloudfront/standard.log", "cloudfront"},
		{"testdata/haproxy/httplog.log", "haproxy"},
		{"testdata/json/caddy.log", "caddy"},
		{"testdata/json/nginx.log", "jsonl"},
		{"testdata/nginx/range.log", "nginx_range"},
		{"testdata/nginx/real-combined.log", "nginx_combined"},
		{"testdata/s3/access.log", "s3"},
		{"testdata/w3c/iis-restart.log", "w3c"},
	}
	for _, fx := range fixtures {
		data, err := os.ReadFile(fx.file)
		if err != nil {
			t.Errorf("fixture of the %s tests: %v", fx.want, err)
			continue
		}
		f(fx.file, string(data), fx.want, fx.want)
	}
	// A custom log_format cannot be guessed.
	if data, err := os.ReadFile("testdata/nginx/real-all.log"); err == nil {
		if _, d, err := Detect(data); !errors.Is(err, ErrNotDetected) {
			t.Errorf("custom format detected as %s", d.Format)
		}
	}
}

func TestDetectInputReadError(t *testing.T) {
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "192.0.2.%d GET /f%d 200 %d x\n", i+1, i, i)
	}
	text := b.String()
	boom := errors.New("device error")
	// The input fails inside the sample, in the middle of a line; the
	// failing reader does not repeat its error.
	src := io.MultiReader(strings.NewReader(text+"192.0.2.99 GE"), &onceErr{err: boom})
	f, d, br, err := detectInputWith(src, testFormats)
	if err != nil || f.Name() != "combined" {
		t.Fatalf("detected %q, %v; want combined from the whole lines", d.Format, err)
	}
	r := NewReader(br, f)
	out, err := readAll(t, r)
	if !errors.Is(err, boom) {
		t.Errorf("reader ended with %v, want the device error again", err)
	}
	if len(out) != 21 || out[20].Err != ErrTruncated.Error() {
		t.Errorf("got %d results, want 20 records and the cut line", len(out))
	}
	// Nothing whole before the error: the error itself.
	if _, _, _, err := detectInputWith(io.MultiReader(strings.NewReader("192.0"), &onceErr{err: boom}), testFormats); !errors.Is(err, boom) {
		t.Errorf("got %v, want the device error", err)
	}
}

// onceErr fails once, then reports a clean end: an error that is easy to
// lose.
type onceErr struct {
	err  error
	done bool
}

func (o *onceErr) Read([]byte) (int, error) {
	if o.done {
		return 0, io.EOF
	}
	o.done = true
	return 0, o.err
}

func TestDetectNoData(t *testing.T) {
	for _, sample := range []string{"", "\n\n", "  \r\n"} {
		f, d, err := Detect([]byte(sample))
		if err != nil || f.Name() != "empty" || d.Reason == "" {
			t.Errorf("%q: %v %+v %v; want the empty format", sample, f, d, err)
		}
	}
	iis := "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2019-02-18 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem sc-status\n"
	f, _, err := Detect([]byte(iis))
	if err != nil || f.Name() != "w3c" {
		t.Errorf("IIS headers only: %v %v; want w3c", f, err)
	}
}

func TestDetectRecognised(t *testing.T) {
	f := func(name, sample, want, reason string) {
		t.Helper()
		got, d, err := Detect([]byte(sample))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Name() != want || !strings.Contains(d.Reason, reason) {
			t.Errorf("%s: %s (%s), want %s with %q", name, got.Name(), d.Reason, want, reason)
		}
	}
	tcp := "Sep 20 15:44:23 lb haproxy[25457]: 192.0.2.1:40962 [20/Sep/2018:15:44:23.285] main app/<NOSRV> -1/-1/1 212 SC 1/1/0/0/0 0/0\n"
	f("HAProxy TCP mode only", tcp+tcp, "haproxy", "none of them an HTTP request")
	iis := "2019-02-18 21:02:31 198.51.100.2 GET /a.mp3 - 80 - 192.0.2.1 curl/7.64.0 - 200 0 0 15\n"
	f("IIS without #Fields", iis+iis, "w3c", "parses 2 of 2 lines")
	nginx := `203.0.113.9, 198.51.100.4, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /a HTTP/1.1" 200 571 "-" "curl/7.64.0"` + "\n"
	f("nginx address list", nginx+nginx, "nginx_combined", "parses 2 of 2 lines")
}
