package exposure

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

// ixCmp compares identities through their masked, hashed form, so that a
// failing test never prints a number.
var ixCmp = cmp.Transformer("mask", ixMasked)

var ixStockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err)
	}
	return loc
}()

// ixFixtureNumbers are the generated numbers in testdata/index/sample.*.
var (
	ixA   = ixPnr("800101", "123")
	ixC   = ixPnr("150505", "987")
	ixS   = ixPnr("800161", "224")
	ixBad = ixBadCheck(ixA)
)

// ixSampleRecordings is what testdata/index/sample.csv holds (rows as in
// the CSV file).
func ixSampleRecordings() []*Recording {
	t1 := time.Date(2019, 2, 1, 9, 30, 0, 0, time.FixedZone("", 3600))
	t2 := time.Date(2019, 2, 1, 10, 15, 0, 0, ixStockholm)
	t8 := time.Date(2019, 2, 2, 8, 0, 0, 0, time.UTC)
	return []*Recording{
		{Path: "/rec/2019/02/01/C1_46701740605.mp3", CallID: "C1", StartedAt: t1, Duration: 93500 * time.Millisecond,
			Size: 1495040, Region: "Stockholm", CallerPhone: ixMobileE, Row: 2, Subjects: []Subject{
				{Role: "caller", ID: ParseIdentity(ixA[:6]+"-"+ixA[6:], t1)},
				{Role: "patient", ID: ParseIdentity("20"+ixC[:6]+"-"+ixC[6:], t1)}}},
		{Path: "/rec/2019/02/01/C2.mp3", CallID: "C2", StartedAt: t2, Duration: time.Hour + 2*time.Minute + 3*time.Second,
			Size: 200000, Region: "Sörmland", CallerPhone: "+46701740606", Row: 3, Subjects: []Subject{
				{Role: "patient", ID: ParseIdentity(ixS, t2)}}},
		{Path: "/rec/2019/02/02/C3.wav", CallID: "C3", Size: -1, Region: "Värmland", Row: 4, Subjects: []Subject{
			{Role: "caller", ID: ParseIdentity(ixBad, time.Time{})},
			{Role: "", ID: ParseIdentity("RES-4711-X", time.Time{})}}},
		{Path: "/REC/2019/02/01/c1_46701740605.mp3", CallID: "C8", StartedAt: t8, Duration: 10 * time.Second,
			Size: 100, Region: "Stockholm", CallerPhone: ixMobileE, Row: 9, Subjects: []Subject{
				{Role: "caller", ID: ParseIdentity(ixA, t8)}}},
		{Path: "/rec/2019/02/02/x/C9.mp3", CallID: "C9", StartedAt: t8, Duration: 10 * time.Second,
			Size: 100, Region: "Stockholm", Row: 10},
	}
}

func ixRecordings(ix *Index) []*Recording {
	var out []*Recording
	for i := range ix.Len() {
		r := ix.Recording(i)
		for k := range r.Subjects {
			r.Subjects[k].Person = 0 // checked by ixCheckTables
		}
		out = append(out, r)
	}
	return out
}

// ixErrorRows returns "row:column:kind" for each error.
func ixErrorRows(ix *Index) []string {
	var out []string
	for _, e := range ix.Errors() {
		kind := "?"
		for _, k := range []error{ErrIndexNoPath, ErrIndexDuplicate, ErrIndexNumber, ErrIndexTime, ErrIndexSyntax, ErrIndexTooLong, ErrIndexSubjects} {
			if errors.Is(e, k) {
				kind = k.Error()
			}
		}
		out = append(out, fmt.Sprintf("%d:%s:%s", e.Row, e.Column, kind))
	}
	return out
}

// ixCheckErrorText fails when an error message holds a run of 4 or more
// digits (a number from a row) or the reserve identifier.
func ixCheckErrorText(t *testing.T, ix *Index) {
	t.Helper()
	digits := regexp.MustCompile(`[0-9]{4,}`)
	for _, e := range ix.Errors() {
		msg := e.Error()
		if digits.MatchString(strings.TrimPrefix(msg, fmt.Sprintf("exposure: index row %d: ", e.Row))) || strings.Contains(msg, "RES-") {
			t.Errorf("error message holds row data: %q", msg)
		}
		if !strings.HasPrefix(msg, fmt.Sprintf("exposure: index row %d: ", e.Row)) {
			t.Errorf("error message does not start with its row: %q", msg)
		}
	}
}

func TestLoadIndexCSV(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ixSampleRecordings(), ixRecordings(ix), ixCmp); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	wantErrs := []string{"5:path:missing path", "6:size_bytes:bad number", "7:started_at:bad time",
		"8:duration_s:bad number", "12:path:duplicate path (first row kept)"}
	if diff := cmp.Diff(wantErrs, ixErrorRows(ix)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	ixCheckErrorText(t, ix)
	for i := range ix.Len() {
		r := ix.Recording(i)
		if ix.Size(i) != r.Size || !ix.StartedAt(i).Equal(r.StartedAt) || ix.Duration(i) != r.Duration ||
			ix.Key(i) != NormalizePath(r.Path, PathMapper{}) {
			t.Errorf("accessors of recording %d disagree with Recording", i)
		}
	}
	wantStats := IndexStats{Recordings: 5, Subjects: 6, Children: 1, WithPhone: 3, Errors: 5,
		SubjectsByKind: map[IdentityKind]int{Personnummer: 3, Samordningsnummer: 1, Invalid: 1, Reserve: 1}}
	if diff := cmp.Diff(wantStats, ix.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestLoadIndexJSONL(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.jsonl"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ixSampleRecordings()
	// JSONL rows are lines (no header): C8 is on line 8, C9 after a
	// blank line on 10.
	want[0].Row, want[1].Row, want[2].Row, want[3].Row = 1, 2, 3, 8
	if diff := cmp.Diff(want, ixRecordings(ix), ixCmp); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	wantErrs := []string{"4:path:missing path", "5:size_bytes:bad number", "6:started_at:bad time",
		"7:duration_s:bad number", "11:path:duplicate path (first row kept)", "12::syntax error"}
	if diff := cmp.Diff(wantErrs, ixErrorRows(ix)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	ixCheckErrorText(t, ix)
}

// ixParquetRow is the layout of a Parquet index written by the tests.
type ixParquetRow struct {
	Path      string             `parquet:"path"`
	CallID    string             `parquet:"call_id"`
	StartedAt time.Time          `parquet:"started_at,timestamp(millisecond)"`
	Duration  float64            `parquet:"duration_s"`
	Size      int64              `parquet:"size_bytes"`
	Region    string             `parquet:"region"`
	Phone     string             `parquet:"caller_phone"`
	Subjects  []ixParquetSubject `parquet:"subjects,list"`
}

type ixParquetSubject struct {
	Role string `parquet:"role"`
	ID   string `parquet:"id"`
}

// ixParquetFlat has subjects as one string in the CSV form and renamed
// columns.
type ixParquetFlat struct {
	File     string `parquet:"File"`
	Bytes    int32  `parquet:"Bytes"`
	Started  string `parquet:"Started"`
	Subjects string `parquet:"subjects"`
}

func ixWriteParquet[T any](t *testing.T, rows []T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "index.parquet")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestLoadIndexParquet(t *testing.T) {
	t1 := time.Date(2019, 2, 1, 8, 30, 0, 0, time.UTC)
	name := ixWriteParquet(t, []ixParquetRow{
		{Path: "/rec/C1_46701740605.mp3", CallID: "C1", StartedAt: t1, Duration: 93.5, Size: 1495040, Region: "Stockholm",
			Subjects: []ixParquetSubject{{"caller", ixA}, {"patient", "20" + ixC}}},
		{Path: "/rec/C2.mp3", CallID: "C2", StartedAt: t1, Size: 10, Phone: "0701740606",
			Subjects: []ixParquetSubject{{"", "RES-4711-X"}}},
		{Path: "", CallID: "C3", StartedAt: t1, Size: 10},
		{Path: "/rec/C4.mp3", CallID: "C4", StartedAt: t1, Size: -1},
		{Path: "/rec/C5.mp3", CallID: "C5", StartedAt: t1, Size: 5},
	})
	ix, err := LoadIndex(name, IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []*Recording{
		{Path: "/rec/C1_46701740605.mp3", CallID: "C1", StartedAt: t1, Duration: 93500 * time.Millisecond, Size: 1495040,
			Region: "Stockholm", CallerPhone: ixMobileE, Row: 1, Subjects: []Subject{
				{Role: "caller", ID: ParseIdentity(ixA, t1)}, {Role: "patient", ID: ParseIdentity("20"+ixC, t1)}}},
		{Path: "/rec/C2.mp3", CallID: "C2", StartedAt: t1, Size: 10, CallerPhone: "+46701740606", Row: 2,
			Subjects: []Subject{{ID: ParseIdentity("RES-4711-X", t1)}}},
		{Path: "/rec/C5.mp3", CallID: "C5", StartedAt: t1, Size: 5, Row: 5},
	}
	if diff := cmp.Diff(want, ixRecordings(ix), ixCmp); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"3:path:missing path", "4:size_bytes:bad number"}, ixErrorRows(ix)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	ixCheckErrorText(t, ix)

	// Renamed columns, subjects as a string, local time; read from a
	// stream with the format detected from the content.
	name = ixWriteParquet(t, []ixParquetFlat{
		{File: "/rec/C9.mp3", Bytes: 7, Started: "2019-02-01 10:15:00", Subjects: "caller:" + ixS + ";patient:" + ixC},
	})
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	ix, err = ReadIndex(bytes.NewReader(data), IndexOptions{Columns: map[string]string{
		ColPath: "file", ColSize: "BYTES", ColStartedAt: "started"}})
	if err != nil {
		t.Fatal(err)
	}
	t2 := time.Date(2019, 2, 1, 10, 15, 0, 0, ixStockholm)
	want = []*Recording{{Path: "/rec/C9.mp3", StartedAt: t2, Size: 7, Row: 1, Subjects: []Subject{
		{Role: "caller", ID: ParseIdentity(ixS, t2)}, {Role: "patient", ID: ParseIdentity(ixC, t2)}}}}
	if diff := cmp.Diff(want, ixRecordings(ix), ixCmp); diff != "" {
		t.Errorf("flat parquet (-want +got):\n%s", diff)
	}
}

func TestReadIndexOptions(t *testing.T) {
	// Renamed columns, tab separation, a zone option, a BOM.
	in := "\ufeffFile\tStart\tBytes\tPersons\n/a/C1.mp3\t2019-07-01 12:00:00\t5\tcaller:" + ixA + "\n"
	helsinki := time.FixedZone("EET", 2*3600)
	ix, err := ReadIndex(strings.NewReader(in), IndexOptions{Format: "tsv", Location: helsinki,
		Columns: map[string]string{ColPath: "file", ColStartedAt: "start", ColSize: "bytes", ColSubjects: "persons"}})
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Date(2019, 7, 1, 12, 0, 0, 0, helsinki)
	want := []*Recording{{Path: "/a/C1.mp3", StartedAt: t1, Size: 5, Row: 2,
		Subjects: []Subject{{Role: "caller", ID: ParseIdentity(ixA, t1)}}}}
	if diff := cmp.Diff(want, ixRecordings(ix), ixCmp); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := ix.Recording(0).StartedAt.Location(); got != helsinki {
		t.Errorf("zone not kept: %v", got)
	}

	// Fatal errors.
	fatal := func(in string, opt IndexOptions) {
		t.Helper()
		ix, err := ReadIndex(strings.NewReader(in), opt)
		if err == nil {
			t.Errorf("ReadIndex(%q) = %d recordings, want an error", in, ix.Len())
			return
		}
		if !strings.HasPrefix(err.Error(), "exposure: ") {
			t.Errorf("error without package prefix: %v", err)
		}
	}
	fatal("", IndexOptions{})
	fatal("file,size\n/a,1\n", IndexOptions{})
	fatal("path\n/a\n", IndexOptions{Columns: map[string]string{"nonsense": "x"}})
	fatal("path\n/a\n", IndexOptions{Format: "xml"})
	fatal("PAR1 not really parquet", IndexOptions{})
	fatal("{}", IndexOptions{Format: "parquet"})
	if _, err := LoadIndex(filepath.Join(t.TempDir(), "missing.csv"), IndexOptions{}); err == nil {
		t.Errorf("LoadIndex of a missing file: no error")
	}
}

func TestIndexMatch(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := func(ix *Index, req string, wantCall string) {
		t.Helper()
		i, ok := ix.Match(req)
		got := ""
		if ok {
			got = ix.Recording(i).CallID
		}
		if got != wantCall {
			t.Errorf("Match(%q) = %q, want %q", MaskPhone(req), got, wantCall)
		}
	}
	f(ix, "/rec/2019/02/01/C1_46701740605.mp3", "C1")
	f(ix, "/rec%2F2019%2F02/01/C1_46701740605.mp3", "C1")
	f(ix, "/rec%252F2019/02/01/C1_46701740605.mp3", "C1")
	f(ix, "/rec/2019/02/01/../01/./C1_46701740605.mp3", "C1")
	f(ix, "//rec//2019/02/01/C1_46701740605.mp3", "C1")
	f(ix, "/rec/2019/02/01/C1_46701740605.mp3?download=1", "C1")
	f(ix, "/rec/2019/02/01/C2.mp3", "C2")
	f(ix, "/REC/2019/02/01/c1_46701740605.mp3", "C8")
	f(ix, "/rec/2019/02/01/c1_46701740605.mp3", "")
	f(ix, "/rec/2019/02/01/", "")
	f(ix, "/rec/2019/02/01/C", "")
	f(ix, "/", "")
	f(ix, "/zzz", "")

	folded, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), IndexOptions{
		PathMapper: PathMapper{StripPrefix: "/files", AddPrefix: "/rec", FoldCase: true}})
	if err != nil {
		t.Fatal(err)
	}
	f(folded, "/Files/2019/02/01/c2.MP3", "C2")
	f(folded, "/files/2019/02/01/C1_46701740605.mp3", "C1")
	f(folded, "/rec/2019/02/01/C2.mp3", "") // outside the strip prefix
	if _, ok := folded.Dir("/rec/"); ok {
		t.Errorf("Dir outside the strip prefix found")
	}
	if l, ok := folded.Dir("/FILES/2019/02/01"); !ok || len(l.Recordings) != 2 {
		t.Errorf("Dir inside the strip prefix: %v %v", l, ok)
	}
	// With folding, the C8 row repeats C1's path.
	if got := ixErrorRows(folded); !cmp.Equal(got[len(got)-2:], []string{"9:path:duplicate path (first row kept)", "12:path:duplicate path (first row kept)"}) {
		t.Errorf("folded duplicates: %v", got)
	}
	if folded.Len() != 4 {
		t.Errorf("folded Len = %d, want 4", folded.Len())
	}

	// Match does not allocate for a clean path.
	if n := testing.AllocsPerRun(100, func() { ix.Match("/rec/2019/02/01/C2.mp3") }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}

func TestIndexDir(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	calls := func(l DirListing) []string {
		var out []string
		for _, i := range l.Recordings {
			out = append(out, ix.Recording(i).CallID)
		}
		return out
	}
	f := func(dir string, wantCalls, wantSubdirs []string, wantOK bool) {
		t.Helper()
		l, ok := ix.Dir(dir)
		if ok != wantOK || !cmp.Equal(calls(l), wantCalls) || !cmp.Equal(l.Subdirs, wantSubdirs) {
			t.Errorf("Dir(%q) = %v %v %v, want %v %v %v", dir, calls(l), l.Subdirs, ok, wantCalls, wantSubdirs, wantOK)
		}
	}
	f("/", nil, []string{"REC", "rec"}, true)
	f("/rec/2019/02/", nil, []string{"01", "02"}, true)
	f("/rec/2019/02", nil, []string{"01", "02"}, true)
	f("/rec/2019/02/01/", []string{"C1", "C2"}, nil, true)
	f("/rec/2019/02/02/?C=N;O=D", []string{"C3"}, []string{"x"}, true)
	f("/rec%2F2019/02/02/x/", []string{"C9"}, nil, true)
	f("/rec/2019/02/01/C2.mp3", nil, nil, false)
	f("/rec/2019/0", nil, nil, false)
	f("/nope/", nil, nil, false)
}

func TestReadIndexRowBounds(t *testing.T) {
	// An over-long JSONL line is an error for that line only.
	in := `{"path": "/a.mp3"}` + "\n" + `{"path": "/b.mp3", "x": "` + strings.Repeat("y", maxLine) + `"}` + "\n" + `{"path": "/c.mp3"}` + "\n"
	ix, err := ReadIndex(strings.NewReader(in), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 2 || !cmp.Equal(ixErrorRows(ix), []string{"2::row too long"}) {
		t.Errorf("Len = %d, errors %v", ix.Len(), ixErrorRows(ix))
	}
	// A CSV syntax error is an error for that row only.
	ix, err = ReadIndex(strings.NewReader("path,size_bytes\n/a,1\n/b\"x,2\n/c,3\n"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 2 || !cmp.Equal(ixErrorRows(ix), []string{"3::syntax error"}) {
		t.Errorf("Len = %d, errors %v", ix.Len(), ixErrorRows(ix))
	}
}

func FuzzReadIndexCSV(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "index", "sample.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add("path\n/a\n/a\n")
	f.Add("path,subjects\n/a,\"caller:x;;:;|\"\n")
	f.Add("path,started_at,duration_s\n/a,2019-02-01 10:00:00,1:2:3\n")
	f.Fuzz(func(t *testing.T, in string) {
		ix, err := ReadIndex(strings.NewReader(in), IndexOptions{Format: "csv"})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "exposure: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		lines := strings.Count(in, "\n") + 1
		prev := 0
		for _, e := range ix.Errors() {
			var ie *IndexError
			if !errors.As(error(e), &ie) || e.Row < 1 || e.Row > lines || e.Row < prev {
				t.Fatalf("bad error row %d (lines %d, previous %d)", e.Row, lines, prev)
			}
			prev = e.Row
		}
		seen := map[string]bool{}
		for i := range ix.Len() {
			r := ix.Recording(i)
			if r.Path == "" || r.Row < 2 || r.Row > lines {
				t.Fatalf("recording %d: empty path or bad row %d", i, r.Row)
			}
			key := ix.Key(i)
			if seen[key] {
				t.Fatalf("duplicate key kept")
			}
			seen[key] = true
			if j, ok := ix.Match(r.Path); !ok || j != i {
				t.Fatalf("recording %d does not match its own path (got %d, %v)", i, j, ok)
			}
		}
		ix.Stats()
		ix.Dir("/")
		ixCheckTables(t, ix)
	})
}

// BenchmarkLoadIndex3M writes a 3-million-row CSV index and loads it,
// reporting the heap the Index keeps per recording. It takes a minute or
// more and about 400 MB of disk; it is skipped with -short.
func BenchmarkLoadIndex3M(b *testing.B) {
	if testing.Short() {
		b.Skip("writes a 3M-row index; not in -short mode")
	}
	const n = 3_000_000
	name := filepath.Join(b.TempDir(), "index.csv")
	if err := ixWriteBigCSV(name, n); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(name)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var perRec float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ix, err := LoadIndex(name, IndexOptions{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if ix.Len() != n || len(ix.Errors()) != 0 {
			b.Fatalf("Len = %d, errors %d", ix.Len(), len(ix.Errors()))
		}
		perRec = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(ix)
	}
	b.ReportMetric(perRec, "heapB/recording")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "recordings/s")
}

// ixWriteBigCSV writes n rows like a call platform's export: paths by
// day, 57,000 distinct phone numbers in file names, one or two subjects.
func ixWriteBigCSV(name string, n int) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	regions := []string{"Stockholm", "Sörmland", "Värmland"}
	fmt.Fprintln(w, "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects")
	start := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		t := start.Add(time.Duration(i) * 67 * time.Second)
		phone := 701000000 + (i*7919)%57000
		yy := 30 + i%70
		birth := fmt.Sprintf("%02d%02d%02d", yy%100, 1+i%12, 1+i%28)
		fmt.Fprintf(w, "/rec/%s/C%08d_46%d.mp3,C%08d,%s,%d,%d,%s,,caller:%s",
			t.Format("2006/01/02"), i, phone, i, t.Format(time.RFC3339), 60+i%900, 100000+i%9000000, regions[i%3], ixPnr(birth, fmt.Sprintf("%03d", i%1000)))
		if i%3 == 0 {
			fmt.Fprintf(w, ";patient:20%s", ixPnr(fmt.Sprintf("%02d%02d%02d", 5+i%8, 1+i%12, 1+i%28), fmt.Sprintf("%03d", (i/7)%1000)))
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
