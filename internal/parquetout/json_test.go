package parquetout_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// stdJSON is the reference: encoding/json on NewRecord, HTML escaping off.
func stdJSON(t testing.TB, rec *logparse.Record) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(parquetout.NewRecord(rec)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkJSON(t *testing.T, what string, rec *logparse.Record) {
	t.Helper()
	want := stdJSON(t, rec)
	got := parquetout.AppendJSON(nil, rec)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: AppendJSON differs from encoding/json:\n got %q\nwant %q", what, got, want)
	}
}

func notLogged() *logparse.Record {
	return &logparse.Record{BodyBytes: logparse.NotLogged, WireBytes: logparse.NotLogged,
		RequestBytes: logparse.NotLogged, Duration: logparse.NotLogged}
}

func TestAppendJSONStrings(t *testing.T) {
	for _, s := range []string{
		"", "plain", `q"uote`, `back\slash`, "ctl\x00\x01\x1f\x7f", "\b\f\n\r\t", "<html>&amp;",
		"a\xffb", "a\xff\xfe\xfdb", "\xff", "tail\xe2\x82", "\u2028\u2029", "é ü ß 漢字 🦆", "\uFFFD",
	} {
		rec := notLogged()
		rec.UserAgent, rec.Path, rec.ClientHost = s, s, s
		rec.Extra = []logparse.Field{{Name: s, Value: s}}
		checkJSON(t, "string", rec)
	}
}

func TestAppendJSONFields(t *testing.T) {
	rec := notLogged()
	checkJSON(t, "empty", rec)
	rec.Time = time.Date(2019, 2, 8, 21, 31, 2, 123456000, time.FixedZone("+0100", 3600))
	rec.Client = netip.MustParseAddr("2001:db8::1")
	rec.Status, rec.ServerPort = 206, 443
	rec.BodyBytes, rec.WireBytes, rec.RequestBytes = 0, 1<<40, 12
	rec.Completion = logparse.CompletionAborted
	rec.Extra = []logparse.Field{{Name: "z", Value: "1"}, {Name: "a", Value: "2"}, {Name: "m", Value: "3"}, {Name: "a", Value: "4"}}
	rec.Line, rec.Offset = 1<<40, 1<<41
	for _, d := range []time.Duration{0, 1, 999, time.Microsecond, 1532 * time.Millisecond, 90 * time.Hour, 1<<62 + 1} {
		rec.Duration = d
		checkJSON(t, "duration "+d.String(), rec)
	}
}

// TestAppendJSONDemo compares with encoding/json on every record of the
// bundled demo's logs, in all their formats.
func TestAppendJSONDemo(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ins, err := logparse.ExpandInputs([]string{filepath.Join(root, "fixtures", "demo", "logs")})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range ins {
		r, err := logparse.OpenInput(in, nil) // decompressed, format detected
		if err != nil {
			t.Fatal(err)
		}
		r.ReuseRecord = true
		for rec, err := range r.All() {
			if err != nil {
				continue // a damaged line
			}
			n++
			want := stdJSON(t, rec)
			if got := parquetout.AppendJSON(nil, rec); !bytes.Equal(got, want) {
				t.Fatalf("%s:%d: AppendJSON differs from encoding/json:\n got %s\nwant %s", in.Name, rec.Line, got, want)
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if n < 5000 {
		t.Errorf("only %d demo records compared", n)
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("Mozilla/5.0", "/a b", "x", "1")
	f.Add("a\xffb", "\u2028", "\x00", "\"")
	f.Fuzz(func(t *testing.T, ua, path, name, value string) {
		rec := notLogged()
		rec.UserAgent, rec.Path, rec.ClientHost = ua, path, value
		rec.Extra = []logparse.Field{{Name: name, Value: value}, {Name: ua, Value: path}}
		want := stdJSON(t, rec)
		if got := parquetout.AppendJSON(nil, rec); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON differs from encoding/json:\n got %q\nwant %q", got, want)
		}
		if !json.Valid(want) {
			t.Fatal("invalid JSON")
		}
	})
}

const benchLine = `192.0.2.201 - - [08/Feb/2019:21:31:02 +0100] "GET /recordings/Stockholm/2019/02/08/STO100590_0701740605.mp3 HTTP/1.1" 206 65536 "http://recordings.example.net/recordings/Stockholm/2019/02/08/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:65.0) Gecko/20100101 Firefox/65.0" "bytes=0-65535" 0.300 OK 65781`

func benchRecord(b testing.TB) *logparse.Record {
	f, err := logparse.ParseFormat("nginx_range")
	if err != nil {
		b.Fatal(err)
	}
	r := logparse.NewReader(bytes.NewReader([]byte(benchLine+"\n")), f)
	rec, err := r.Read()
	if err != nil {
		b.Fatal(err)
	}
	return rec
}

// BenchmarkAppendJSON is the JSON output of "forensics parse" per record.
func BenchmarkAppendJSON(b *testing.B) {
	rec := benchRecord(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLine) + 1))
	var buf []byte
	for b.Loop() {
		buf = parquetout.AppendJSON(buf[:0], rec)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkEncodingJSON is the reference AppendJSON replaces.
func BenchmarkEncodingJSON(b *testing.B) {
	rec := benchRecord(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLine) + 1))
	enc := json.NewEncoder(io.Discard)
	enc.SetEscapeHTML(false)
	for b.Loop() {
		enc.Encode(parquetout.NewRecord(rec))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkParquetRecords is the Parquet output of "forensics parse" per
// record, file writing included.
func BenchmarkParquetRecords(b *testing.B) {
	rec := benchRecord(b)
	path := filepath.Join(b.TempDir(), "bench.parquet")
	w, err := parquetout.Create[parquetout.Record](path)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLine) + 1))
	for b.Loop() {
		if err := w.Write(parquetout.NewRecord(rec)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func TestAppendJSONAllocs(t *testing.T) {
	rec := benchRecord(t)
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = parquetout.AppendJSON(buf[:0], rec) }); n != 0 {
		t.Errorf("AppendJSON allocates %v times per record, want 0", n)
	}
}
