package logparse

import (
	"bytes"
	"errors"
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

// Helpers shared by the tests of the w3c, cloudfront, s3, caddy, jsonl and
// haproxy formats (prefix fx).

// fxOpts compares Records without their scratch space.
var fxOpts = cmp.Options{cmpopts.IgnoreUnexported(Record{}), cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})}

// fxRec returns a Record with the not-logged defaults, for want values.
func fxRec() Record {
	return Record{BodyBytes: NotLogged, WireBytes: NotLogged, RequestBytes: NotLogged, Duration: NotLogged}
}

// fxReject is a rejected line: its number and kind.
type fxReject struct {
	Line int64
	Kind string
}

// fxRead reads all of in with f and returns the records (cloned), the
// rejections and the stats.
func fxRead(t *testing.T, f Format, in string) ([]*Record, []fxReject, Stats) {
	t.Helper()
	r := NewReader(strings.NewReader(in), f)
	r.ReuseRecord = true
	var recs []*Record
	var rejs []fxReject
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *ParseError
		if errors.As(err, &perr) {
			rejs = append(rejs, fxReject{perr.Line, errorKind(perr.Err).Error()})
			continue
		}
		if err != nil {
			t.Fatalf("fatal error: %v", err)
		}
		recs = append(recs, rec.Clone())
	}
	return recs, rejs, r.Stats()
}

// fxLast parses in (header lines and one data line) and returns the last
// record with its position cleared, or the first line error.
func fxLast(f Format, in string) (*Record, error) {
	r := NewReader(strings.NewReader(in), f)
	var last *Record
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		last = rec
	}
	if last == nil {
		return nil, errors.New("no record")
	}
	last.Source, last.Line, last.Offset = "", 0, 0
	return last, nil
}

// fxSuccess runs success cases: each input's last record must equal want.
func fxSuccess(t *testing.T, f Format, in string, want Record) {
	t.Helper()
	got, err := fxLast(f, in)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if diff := cmp.Diff(&want, got, fxOpts); diff != "" {
		t.Errorf("record mismatch (-want +got):\n%s", diff)
	}
}

// fxFailure checks that the last line of in is rejected with kind at the
// 1-based column col (0: any column).
func fxFailure(t *testing.T, f Format, in string, kind error, col int) {
	t.Helper()
	_, err := fxLast(f, in)
	var perr *ParseError
	if !errors.As(err, &perr) {
		t.Fatalf("got %v, want a *ParseError", err)
	}
	if !errors.Is(err, kind) {
		t.Errorf("got kind %v, want %v", perr.Err, kind)
	}
	if col > 0 && perr.Column != col {
		t.Errorf("got column %d, want %d", perr.Column, col)
	}
	if wantLine := int64(strings.Count(strings.TrimSuffix(in, "\n"), "\n") + 1); perr.Line != wantLine {
		t.Errorf("got line %d, want %d", perr.Line, wantLine)
	}
}

// fxCorpusDir is a folder of the real-world corpus (see testutil.Corpus).
func fxCorpusDir(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join(testutil.Corpus(t), sub)
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fxCorpusCase is what one real-world file must give.
type fxCorpusCase struct {
	file     string
	records  int64
	skipped  int64
	rejected []fxReject // every rejected line, in order
}

func fxCorpus(t *testing.T, f Format, sub string, cases []fxCorpusCase) {
	dir := fxCorpusDir(t, sub)
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.file] = true
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			_, rejs, st := fxRead(t, f, string(data))
			if st.Records != c.records || st.Skipped != c.skipped {
				t.Errorf("records %d skipped %d, want %d and %d", st.Records, st.Skipped, c.records, c.skipped)
			}
			if diff := cmp.Diff(c.rejected, rejs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rejected lines (-want +got):\n%s", diff)
			}
			if st.Lines != st.Records+st.Skipped+st.Rejected {
				t.Errorf("stats do not add up: %+v", st)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("corpus file %s has no expectation", e.Name())
		}
	}
}

func fxRejects(kind error, lines ...int64) []fxReject {
	var out []fxReject
	for _, l := range lines {
		out = append(out, fxReject{l, kind.Error()})
	}
	return out
}

func fxAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func fxDate(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

const w3cHeader = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2019-02-18 00:00:00\n"

func TestW3CSuccess(t *testing.T) {
	f := W3CFormat{}
	t.Run("iis-full", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2019-02-18T21:02:31Z")
		want.Client = fxAddr("198.51.100.7")
		want.User = `EXAMPLE\user`
		want.Method, want.Target, want.Path, want.Query = "GET", "/samtal/a%20b.mp3?x=1", "/samtal/a b.mp3", "x=1"
		want.Protocol, want.Status = "HTTP/1.1", 206
		want.WireBytes, want.RequestBytes, want.Duration = 65871, 455, 120*time.Millisecond
		want.VHost, want.ServerPort = "example.org", 443
		want.UserAgent, want.Referer = "Mozilla/5.0 (X11; Linux)", "https://example.org/?q=a b"
		want.Range, want.ForwardedFor = "bytes=0-", "203.0.113.1"
		want.Extra = []Field{{"s-sitename", "W3SVC1"}, {"s-ip", "192.0.2.10"}, {"cs(Cookie)", "a=b;+c=d"}, {"sc-substatus", "0"}, {"sc-win32-status", "64"}}
		fxSuccess(t, f, w3cHeader+
			"#Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host cs(Range) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken X-Forwarded-For\n"+
			`2019-02-18 21:02:31 W3SVC1 192.0.2.10 GET /samtal/a%20b.mp3 x=1 443 EXAMPLE\user 198.51.100.7 HTTP/1.1 Mozilla/5.0+(X11;+Linux) a=b;+c=d https://example.org/?q=a+b example.org bytes=0- 206 0 64 65871 455 120 203.0.113.1`+"\n", want)
	})
	t.Run("dashes-are-empty", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2019-02-18T21:02:31Z")
		want.Method, want.Target, want.Path = "GET", "/", "/"
		fxSuccess(t, f, "#Fields: date time c-ip cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes time-taken cs(User-Agent)\n"+
			"2019-02-18 21:02:31 - - GET / - - - - -\n", want)
	})
	t.Run("date-from-directive", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2019-02-18T08:00:01.5Z")
		want.Client = fxAddr("2001:db8::1")
		fxSuccess(t, f, w3cHeader+"#Fields: time c-ip\n08:00:01.5 2001:db8::1\n", want)
	})
	t.Run("oracle-runs-of-spaces-and-quotes", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2001-10-31T00:00:18Z")
		want.Client, want.User = fxAddr("192.0.2.3"), "DMS.user"
		want.Method, want.Target, want.Path, want.Status = "GET", "/a.gif", "/a.gif", 200
		want.Referer, want.UserAgent = "http://example.org/x", "Mozilla/4.5 [en] (WinNT; I)"
		want.Extra = []Field{{"bytes", "350"}, {"time-taken", "370879"}}
		fxSuccess(t, f, "#Version: 1.0\n#Software: Oracle9iAS Web Cache/2.0.0.2.0\n#Fields:  c-ip  c-auth-id  date  time  cs-method  cs-uri  sc-status  bytes  cs(Referrer)  time-taken  cs(User-Agent)\n"+
			`192.0.2.3      DMS.user      2001-10-31     00:00:18      GET      /a.gif    200     350    "http://example.org/x"      370879      "Mozilla/4.5 [en] (WinNT; I)"`+"\n", want)
	})
	t.Run("local-zone", func(t *testing.T) {
		loc := time.FixedZone("CET", 3600)
		want := fxRec()
		want.Time = time.Date(2012, 8, 15, 17, 0, 0, 363e6, loc)
		want.Duration = 109 * time.Millisecond
		want.Extra = []Field{{"sc-substatus", ` "quoted" `}}
		fxSuccess(t, W3CFormat{LocalZone: loc}, "#Fields: date-local time-local sc-substatus TimeTakenMS\n"+
			`2012-08-15 17:00:00.363 " ""quoted"" " 109`+"\n", want)
	})
	t.Run("fields-change-mid-file", func(t *testing.T) {
		want := fxRec()
		want.Time = fxDate("2019-02-19T00:00:00Z")
		want.Status = 404
		fxSuccess(t, f, "#Fields: date time c-ip\n2019-02-18 23:00:00 192.0.2.1\n#Fields: date time sc-status\n2019-02-19 00:00:00 404\n", want)
	})
}

func TestW3CFailure(t *testing.T) {
	f := W3CFormat{}
	const fields = "#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes time-taken\n"
	cases := []struct {
		name string
		in   string
		kind error
		col  int
	}{
		{"no-fields", "2019-02-18 21:02:31 192.0.2.1 GET / 200 1 1\n", ErrNoFields, 1},
		{"too-many", fields + "2019-02-18 21:02:31 192.0.2.1 GET / 200 1 1 extra\n", ErrFieldCount, 45},
		{"too-few", fields + "2019-02-18 21:02:31 192.0.2.1 GET / 200 1\n", ErrFieldCount, 42},
		{"bad-date", fields + "2019-13-18 21:02:31 192.0.2.1 GET / 200 1 1\n", ErrTimestamp, 1},
		{"bad-time", fields + "2019-02-18 25:02:31 192.0.2.1 GET / 200 1 1\n", ErrTimestamp, 12},
		{"bad-client", fields + "2019-02-18 21:02:31 [192.0.2.1](http://192.0.2.1) GET / 200 1 1\n", ErrAddress, 21},
		{"ftp-verb", fields + "2019-02-18 21:02:31 192.0.2.1 [2]USER anonymous 331 1 1\n", ErrNotHTTP, 31},
		{"bad-method", fields + "2019-02-18 21:02:31 192.0.2.1 [2]USER/ anonymous 331 1 1\n", ErrRequestLine, 31},
		{"bad-status", fields + "2019-02-18 21:02:31 192.0.2.1 GET / 2x0 1 1\n", ErrStatus, 37},
		{"bad-bytes", fields + "2019-02-18 21:02:31 192.0.2.1 GET / 200 -5 1\n", ErrNumber, 41},
		{"unclosed-quote", fields + `2019-02-18 21:02:31 192.0.2.1 GET "/ 200 1 1` + "\n", ErrQuote, 35},
		{"quote-then-text", fields + `2019-02-18 21:02:31 192.0.2.1 GET "/"x 200 1 1` + "\n", ErrQuote, 38},
		{"time-without-date", "#Fields: time c-ip\n21:02:31 192.0.2.1\n", ErrTimestamp, 1},
		{"bad-port", "#Fields: s-port\n65536\n", ErrNumber, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { fxFailure(t, f, c.in, c.kind, c.col) })
	}
}

func TestW3CTestdata(t *testing.T) {
	f := W3CFormat{}
	t.Run("restart", func(t *testing.T) {
		data, _ := os.ReadFile("testdata/w3c/iis-restart.log")
		recs, rejs, st := fxRead(t, f, string(data))
		if len(rejs) != 0 || st.Skipped != 9 || len(recs) != 5 {
			t.Fatalf("records %d rejects %v stats %+v", len(recs), rejs, st)
		}
		r := recs[2] // after the second #Fields
		if r.Range != "bytes=0-1023" || r.Protocol != "HTTP/1.1" || r.ForwardedFor != "2001:db8::5,+203.0.113.5" || r.Line != 11 {
			t.Errorf("third record: %+v", r)
		}
		if recs[4].Query != "C=N;O=D" || recs[4].Target != "/samtal/?C=N;O=D" {
			t.Errorf("listing record: %q %q", recs[4].Target, recs[4].Query)
		}
	})
	t.Run("midnight", func(t *testing.T) {
		data, _ := os.ReadFile("testdata/w3c/no-date-field.log")
		recs, _, _ := fxRead(t, f, string(data))
		var got []string
		for _, r := range recs {
			got = append(got, r.Time.Format(time.RFC3339))
		}
		want := []string{"2013-07-30T23:59:00Z", "2013-07-30T23:59:59Z", "2013-07-31T00:00:01Z", "2013-07-31T00:00:02Z"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("times (-want +got):\n%s", diff)
		}
	})
}

func TestW3CNotSplittable(t *testing.T) {
	if _, ok := Format(W3CFormat{}).(Splittable); ok {
		t.Error("w3c must not be Splittable: #Fields is state")
	}
	f, err := ParseFormat("w3c")
	if err != nil || f.Name() != "w3c" {
		t.Fatalf("ParseFormat(w3c) = %v, %v", f, err)
	}
}

// TestW3CRealWorld reads the IIS/W3C files of the real-world corpus. Every
// rejection is one a person reading the file would make too.
func TestW3CRealWorld(t *testing.T) {
	fxCorpus(t, W3CFormat{}, "iis_w3c", []fxCorpusCase{
		{file: "filebeat-iis-access-access-azure.log", records: 1, skipped: 2},
		{file: "filebeat-iis-access-access-full.log", records: 1, skipped: 4},
		{file: "filebeat-iis-access-access.log", records: 1, skipped: 4},
		// No #Fields header: IIS's default field set (15 values).
		{file: "filebeat-iis-access-test-iis-7.2-noheader.log", records: 5},
		// Line 5 went through a Markdown renderer: c-ip is "[a.b.c.d](http://...)".
		{file: "filebeat-iis-access-test-iis-7.5.log", records: 3, skipped: 4, rejected: fxRejects(ErrAddress, 5)},
		{file: "filebeat-iis-access-test-ipv6zone.log", records: 1, skipped: 4},
		// No #Fields header: IIS's set of all standard fields and one
		// custom field (an X-Forwarded-For), 23 values.
		{file: "filebeat-iis-access-test-x-forward-for-extended-noheader.log", records: 6},
		// No #Fields header: the default set and one custom field.
		{file: "filebeat-iis-access-test-x-forward-for-noheader.log", records: 9},
		// Lines 16 and 17 were pasted from a file with another #Fields (15 columns under a 22-column header).
		{file: "filebeat-iis-access-test.log", records: 3, skipped: 12, rejected: fxRejects(ErrFieldCount, 16, 17)},
		{file: "lnav-logfile_w3c.0.log", records: 1, skipped: 4},
		{file: "lnav-logfile_w3c.1-oracle-webcache.log", records: 1, skipped: 6},
		// IIS 4 FTP service log: "[2]USER" is an FTP session command, not an HTTP method.
		{file: "lnav-logfile_w3c.2-iis4-ftp.log", skipped: 8, rejected: fxRejects(ErrNotHTTP, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22)},
		{file: "lnav-logfile_w3c.3-iis-advanced-logging.log", records: 3, skipped: 7},
		{file: "lnav-logfile_w3c.4-incapsula.log", records: 2, skipped: 4},
		// The #Fields line is cut short: 17 values under 6 names, which
		// begin IIS's default set with the byte counts.
		{file: "lnav-logfile_w3c.5.log", records: 1, skipped: 1},
		{file: "lnav-logfile_w3c.6.log", records: 1, skipped: 4},
		{file: "lnav-logfile_w3c_big.0.log", records: 210, skipped: 44},
		{file: "plaso-iis10.log", records: 1, skipped: 4},
		{file: "plaso-iis10_cookies.log", records: 3, skipped: 4},
		{file: "plaso-iis10_edge_cases.log", records: 15, skipped: 4},
		{file: "plaso-iis6.log", records: 12, skipped: 4},
		{file: "plaso-iis7_owa.log", records: 3, skipped: 2},
		{file: "plaso-iis7_sqli.log", records: 2, skipped: 4},
		{file: "plaso-iis_without_date.log", records: 11, skipped: 4},
	})
}

func TestW3CRealWorldValues(t *testing.T) {
	dir := fxCorpusDir(t, "iis_w3c")
	read := func(name string) []*Record {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		recs, _, _ := fxRead(t, W3CFormat{}, string(data))
		return recs
	}
	// Date from #Date when the columns have only a time.
	if r := read("plaso-iis_without_date.log")[10]; r.Time != fxDate("2013-07-30T00:00:13Z") || r.Method != "POST" {
		t.Errorf("without_date last record: %v %s", r.Time, r.Method)
	}
	// Incapsula: quoted values, empty "" status.
	if recs := read("lnav-logfile_w3c.4-incapsula.log"); recs[1].Status != 0 || recs[0].Status != 200 || recs[0].RequestBytes != 10117 {
		t.Errorf("incapsula: %d %d %d", recs[0].Status, recs[1].Status, recs[0].RequestBytes)
	}
	// Advanced Logging: doubled quotes inside a quoted value.
	if v, _ := read("lnav-logfile_w3c.3-iis-advanced-logging.log")[2].Field("sc-substatus"); v != ` "garbage" w/ spaces ` {
		t.Errorf("sc-substatus %q", v)
	}
	// No #Fields header: IIS's default set, and the set of all fields
	// with a custom one after it.
	if r := read("filebeat-iis-access-test-iis-7.2-noheader.log")[2]; r.Client != fxAddr("10.50.6.188") || r.Method != "GET" || r.Path != "/Director" ||
		r.ServerPort != 443 || r.Status != 401 || r.UserAgent != "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0)" || r.Time != fxDate("2018-12-31T12:02:53Z") {
		t.Errorf("no header, default set: %+v", r)
	} else if v, _ := r.Field("fields_assumed"); v != "iis_default" {
		t.Errorf("no header: fields_assumed %q, want iis_default", v)
	}
	if r := read("filebeat-iis-access-test-x-forward-for-extended-noheader.log")[1]; r.VHost != "images.hogeschoolrotterdam.nl" || r.Protocol != "HTTP/1.1" ||
		r.WireBytes != 346 || r.RequestBytes != 306 || r.Status != 200 || r.Path != "/robots.txt" {
		t.Errorf("no header, all fields: %+v", r)
	} else if v, _ := r.Field("field23"); v != "119.16.157.180" {
		t.Errorf("no header, all fields: custom field23 %q", v)
	}
	// A #Fields header cut short.
	if r := read("lnav-logfile_w3c.5.log")[0]; r.Status != 404 || r.WireBytes != 1405 || r.RequestBytes != 242 || r.Duration != 283*time.Millisecond || r.Client != fxAddr("157.55.39.146") {
		t.Errorf("header cut short: %+v", r)
	} else if v, _ := r.Field("fields_assumed"); v != "iis_default_bytes_header_cut" {
		t.Errorf("header cut short: fields_assumed %q", v)
	}
	// Two spaces between s-port and cs-username are one separator.
	if r := read("plaso-iis10_edge_cases.log")[0]; r.User != `random\ranuser1` || r.Client != fxAddr("::1") {
		t.Errorf("edge case: user %q client %v", r.User, r.Client)
	}
}

// fxBenchData repeats body n times after header.
// fxBench reads data with f and reports lines/s.
// fxAllocs reports the allocations of parsing line into a reused record,
// after the parser has seen header.

func TestFormatsAllocs(t *testing.T) {
	iisFields := "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken"
	cases := []struct {
		name   string
		f      Format
		header []string
		line   string
	}{
		{"w3c", W3CFormat{}, []string{iisFields},
			"2019-02-18 23:59:59 192.0.2.10 GET /samtal/a%20b.mp3 x=1 443 - 198.51.100.7 Mozilla/5.0+(X11) https://192.0.2.10/ 206 0 0 65871 455 120"},
		{"cloudfront", CloudFrontFormat{}, nil, strings.TrimSuffix(cfStd(map[string]string{"sc-range-start": "0", "sc-range-end": "9", "cs(User-Agent)": "a%20b"}), "\n")},
		{"s3", S3Format{}, nil, s3Line},
		{"haproxy", HAProxyFormat{}, nil, "Feb 18 21:02:31 lb1 haproxy[14389]: " + haLine},
		{"caddy", CaddyFormat{}, nil, caddyLine},
	}
	for _, c := range cases {
		if n := fxAllocs(t, c.f, c.header, c.line); n != 0 {
			t.Errorf("%s: %v allocations per line with a reused record, want 0", c.name, n)
		}
	}
}

func BenchmarkW3C(b *testing.B) {
	data := fxBenchData(w3cHeader+"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken\n",
		"2019-02-18 23:59:59 192.0.2.10 GET /samtal/20190218/rec-000001.mp3 - 443 - 198.51.100.7 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://192.0.2.10/samtal/ 206 0 0 65871 455 120\n", 2000)
	fxBench(b, W3CFormat{}, data)
}

// fxBenchData repeats body n times after header.
func fxBenchData(header, body string, n int) []byte {
	return []byte(header + strings.Repeat(body, n))
}

// fxBench reads data with f and reports lines/s.
func fxBench(b *testing.B, f Format, data []byte) {
	lines := bytes.Count(data, []byte("\n"))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), f)
		r.ReuseRecord = true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			}
		}
		n++
	}
	b.ReportMetric(float64(lines*n)/b.Elapsed().Seconds(), "lines/s")
}

// fxAllocs reports the allocations of parsing line into a reused record,
// after the parser has seen header.
func fxAllocs(t *testing.T, f Format, header []string, line string) float64 {
	t.Helper()
	p := f.NewParser()
	var rec Record
	for _, h := range header {
		rec.reset(true)
		p.Parse([]byte(h), &rec)
	}
	b := []byte(line)
	rec.reset(true)
	if err := p.Parse(b, &rec); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return testing.AllocsPerRun(100, func() {
		rec.reset(true)
		p.Parse(b, &rec)
	})
}

func TestW3CFTPService(t *testing.T) {
	// IIS 7.5's FTP service: an x-session column; its lines are not HTTP.
	const log = "#Software: Microsoft Internet Information Services 7.5\n" +
		"#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status sc-win32-status sc-substatus x-session x-fullpath\n" +
		"2019-02-18 21:02:31 192.0.2.1 - 198.51.100.2 21 ControlChannelOpened - - 0 0 1c5b0d2f-3b3e-4a57-8a1b-5e4f2b1a7e10 -\n" +
		"2019-02-18 21:02:32 192.0.2.1 anonymous 198.51.100.2 21 RETR rec-000001.mp3 226 0 0 1c5b0d2f-3b3e-4a57-8a1b-5e4f2b1a7e10 /rec-000001.mp3\n"
	recs, rejs, st := fxRead(t, W3CFormat{}, log)
	if len(recs) != 0 || st.Rejected != 2 {
		t.Fatalf("%d records, stats %+v", len(recs), st)
	}
	if diff := cmp.Diff(fxRejects(ErrNotHTTP, 3, 4), rejs); diff != "" {
		t.Errorf("rejects (-want +got)\n%s", diff)
	}
	// Detect recognises the log as W3C, without HTTP requests.
	f, d, err := Detect([]byte(log))
	if err != nil || f.Name() != "w3c" || !strings.Contains(d.Reason, "none of them an HTTP request") {
		t.Errorf("Detect: %v, %q, %v", f, d.Reason, err)
	}
}
