package exposure

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Stockholm in tests

	"github.com/google/go-cmp/cmp"
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
		// Rows with a bad size, start or duration are kept, uncertain;
		// without a start, the latest start of the index (t8) decides
		// the century.
		{Path: "/rec/2019/02/02/C5.mp3", CallID: "C5", StartedAt: t8, Duration: 10 * time.Second, Size: -1, Region: "Stockholm",
			Row: 6, Uncertain: true, Subjects: []Subject{{Role: "caller", ID: ParseIdentity(ixA, t8)}}},
		{Path: "/rec/2019/02/02/C6.mp3", CallID: "C6", Duration: 10 * time.Second, Size: 100, Region: "Stockholm",
			Row: 7, Uncertain: true, Subjects: []Subject{{Role: "caller", ID: ParseIdentity(ixA, t8)}}},
		{Path: "/rec/2019/02/02/C7.mp3", CallID: "C7", StartedAt: t8, Size: 100, Region: "Stockholm",
			Row: 8, Uncertain: true, Subjects: []Subject{{Role: "caller", ID: ParseIdentity(ixA, t8)}}},
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
		for _, k := range []error{ErrIndexNoPath, ErrIndexDuplicate, ErrIndexNumber, ErrIndexTime, ErrIndexSyntax, ErrIndexTooLong, ErrIndexSubjects, ErrIndexFields, ErrIndexCentury} {
			if errors.Is(e, k) {
				kind = k.Error()
			}
		}
		kept := ""
		if e.Kept {
			kept = ":kept"
		}
		out = append(out, fmt.Sprintf("%d:%s:%s%s", e.Row, e.Column, kind, kept))
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

// ixSampleOptions reads the sample with local times in Stockholm.
var ixSampleOptions = IndexOptions{Location: ixStockholm}

func TestLoadIndexCSV(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), ixSampleOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := ixSampleRecordings()
	// Row 12 repeats C1's path: its subject joins C1.
	want[0].Subjects = append(want[0].Subjects, Subject{Role: "caller", ID: ParseIdentity(ixA, want[0].StartedAt)})
	if diff := cmp.Diff(want, ixRecordings(ix), ixCmp); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	wantErrs := []string{"5:path:missing path", "6:size_bytes:bad number:kept", "7:started_at:bad time:kept",
		"8:duration_s:bad number:kept", "12:path:duplicate path (subjects merged into the first row):kept"}
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
	if e := ix.Errors()[4]; e.First != 2 || !strings.HasSuffix(e.Error(), "(row 2)") {
		t.Errorf("duplicate's error does not name the first row: %v", e)
	}
	wantStats := IndexStats{Recordings: 8, Subjects: 10, Persons: 5, Children: 1, WithPhone: 3, Uncertain: 3, Errors: 1, Warnings: 4,
		SubjectsByKind: map[IdentityKind]int{Personnummer: 7, Samordningsnummer: 1, Invalid: 1, Reserve: 1}}
	if diff := cmp.Diff(wantStats, ix.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestLoadIndexJSONL(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.jsonl"), ixSampleOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := ixSampleRecordings()
	// JSONL rows are lines (no header): C8 is on line 8, C9 after a
	// blank line on 10. C5 to C7 give no more than path, one bad value
	// and subjects.
	for k, row := range []int{1, 2, 3, 5, 6, 7, 8, 10} {
		want[k].Row = row
	}
	t8 := want[6].StartedAt
	for _, r := range want[3:6] {
		r.CallID, r.Region, r.StartedAt, r.Duration, r.Size = "", "", time.Time{}, 0, -1
	}
	want[4].Size, want[5].Size = -1, -1
	if diff := cmp.Diff(want, ixRecordings(ix), ixCmp); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	_ = t8
	// Cut into parts of a few bytes, the same.
	func() {
		defer func(n int) { csvPartSize = n }(csvPartSize)
		csvPartSize = 5
		parts, err := LoadIndex(filepath.Join("testdata", "index", "sample.jsonl"), ixSampleOptions)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ixRecordings(ix), ixRecordings(parts), ixCmp); diff != "" {
			t.Errorf("in parts (-one +parts):\n%s", diff)
		}
		if diff := cmp.Diff(ixErrorRows(ix), ixErrorRows(parts)); diff != "" {
			t.Errorf("in parts, errors (-one +parts):\n%s", diff)
		}
	}()
	wantErrs := []string{"4:path:missing path", "5:size_bytes:bad number:kept", "6:started_at:bad time:kept",
		"7:duration_s:bad number:kept", "11:path:duplicate path (subjects merged into the first row):kept", "12::syntax error"}
	if diff := cmp.Diff(wantErrs, ixErrorRows(ix)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	ixCheckErrorText(t, ix)
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
	if got := ixErrorRows(folded); !cmp.Equal(got[len(got)-2:], []string{"9:path:duplicate path (subjects merged into the first row):kept",
		"12:path:duplicate path (subjects merged into the first row):kept"}) {
		t.Errorf("folded duplicates: %v", got)
	}
	if folded.Len() != 7 {
		t.Errorf("folded Len = %d, want 7", folded.Len())
	}
	// C1 now has the subjects of C8 (row 9) and row 12.
	if n := folded.NumSubjects(0); n != 4 {
		t.Errorf("folded C1 has %d subjects, want 4", n)
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
	f("/rec/2019/02/02/?C=N;O=D", []string{"C3", "C5", "C6", "C7"}, []string{"x"}, true)
	f("/rec%2F2019/02/02/x/", []string{"C9"}, nil, true)
	f("/rec/2019/02/01/C2.mp3", nil, nil, false)
	f("/rec/2019/0", nil, nil, false)
	f("/nope/", nil, nil, false)
}

func TestReadIndexRowBounds(t *testing.T) {
	// An over-long JSONL line is an error for that line only.
	const cols = `"started_at": "2019-02-01T10:00:00Z", "size_bytes": 1, "subjects": "x:RES-1"`
	in := `{"path": "/a.mp3", ` + cols + `}` + "\n" + `{"path": "/b.mp3", "x": "` + strings.Repeat("y", maxLine) + `"}` + "\n" + `{"path": "/c.mp3", ` + cols + `}` + "\n"
	ix, err := ReadIndex(strings.NewReader(in), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 2 || !cmp.Equal(ixErrorRows(ix), []string{"2::row too long"}) {
		t.Errorf("Len = %d, errors %v", ix.Len(), ixErrorRows(ix))
	}
	// A CSV syntax error is an error for that row only.
	ix, err = ReadIndex(strings.NewReader("path,size_bytes,started_at,subjects\n/a,1,2019-02-01T10:00:00Z,x\n/b\"x,2,,x\n/c,3,,x\n"), IndexOptions{})
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
	f.Add("path,size_bytes,started_at,subjects\n/a,1,,x\n/a,,,y\n")
	f.Add("path,subjects,size_bytes,started_at\n/a,\"caller:x;;:;|\",1,\n")
	f.Add("path,started_at,duration_s,size_bytes,subjects\n/a,2019-02-01 10:00:00,1:2:3,1,\"a\nb\"\n/b\n/c,,,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		ix, err := ReadIndex(strings.NewReader(in), IndexOptions{Format: "csv"})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "exposure: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		ixCheckCSVRows(t, in, ix)
		ixCheckParts(t, in, ix)
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

// BenchmarkLoadIndex3M writes a 3-million-row CSV index (1 to 3
// subjects a row, children and samordningsnummer, phone numbers in file
// names) and loads it, reporting the bytes the Index keeps per recording
// (subjects and persons apart), per subject and per person, and the heap
// growth per recording. It takes a minute or more and about 450 MB of
// disk; it is skipped with -short.
//
//	go test ./pkg/exposure -run '^$' -bench LoadIndex -benchtime 1x
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
	var perRec, cpu float64
	var ix *Index
	for b.Loop() {
		ix = nil
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var err error
		cpu0 := ixCPUTime()
		ix, err = LoadIndex(name, IndexOptions{})
		cpu = ixCPUTime() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if ix.Len() != n || len(ix.Errors()) != 0 {
			b.Fatalf("Len = %d, errors %d", ix.Len(), len(ix.Errors()))
		}
		perRec = float64(after.HeapAlloc-before.HeapAlloc) / n
	}
	recs, subjs, persons := ix.footprint()
	b.ReportMetric(perRec, "heapB/recording")
	b.ReportMetric(float64(recs)/n, "B/recording")
	b.ReportMetric(float64(subjs)/float64(ix.subjStart[n]), "B/subject")
	b.ReportMetric(float64(persons)/float64(ix.NumPersons()), "B/person")
	b.ReportMetric(float64(ix.NumPersons()), "persons")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "recordings/s")
	b.ReportMetric(cpu, "cpu-s/op")
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
		// Distinct callers: a birth date and serial from i.
		q := i / 1000
		birth := fmt.Sprintf("%02d%02d%02d", (30+q%70)%100, 1+(q/70)%12, 1+(q/840)%28)
		fmt.Fprintf(w, "/rec/%s/C%08d_46%d.mp3,C%08d,%s,%d,%d,%s,,caller:%s",
			t.Format("2006/01/02"), i, phone, i, t.Format(time.RFC3339), 60+i%900, 100000+i%9000000, regions[i%3], ixPnr(birth, fmt.Sprintf("%03d", i%1000)))
		if i%3 == 0 {
			fmt.Fprintf(w, ";patient:20%s", ixPnr(fmt.Sprintf("%02d%02d%02d", 5+q%8, 1+(q/8)%12, 1+(q/96)%28), fmt.Sprintf("%03d", i%1000)))
		}
		if i%7 == 0 { // a samordningsnummer
			fmt.Fprintf(w, "|patient:%s", ixPnr(fmt.Sprintf("%02d%02d%02d", 60+q%30, 1+(q/30)%12, 61+(q/360)%28), fmt.Sprintf("%03d", i%1000)))
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// ixCheckCSVRows compares the rows an index kept with what encoding/csv
// reads from the same input: every record is a recording, an error row,
// or (a row repeating a path) merged; row numbers are csv's start lines.
func ixCheckCSVRows(t *testing.T, in string, ix *Index) {
	t.Helper()
	in = strings.TrimPrefix(in, "\ufeff")
	cr := csv.NewReader(strings.NewReader(in))
	cr.FieldsPerRecord = -1
	var rows []int
	header := true
	for {
		_, err := cr.Read()
		if err == io.EOF {
			break
		}
		var line int
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			line = pe.StartLine
		case err != nil:
			t.Fatalf("csv: %v", err)
		default:
			line, _ = cr.FieldPos(0)
		}
		if header {
			header = false
			continue
		}
		rows = append(rows, line)
	}
	got := map[int]bool{}
	for i := range ix.Len() {
		got[ix.Recording(i).Row] = true
	}
	for _, e := range ix.Errors() {
		if !e.Kept || errors.Is(e, ErrIndexDuplicate) {
			got[e.Row] = true
		}
	}
	for _, r := range rows {
		if !got[r] {
			t.Fatalf("csv record at line %d is neither a recording nor an error", r)
		}
		delete(got, r)
	}
	if len(got) > 0 {
		t.Fatalf("rows %v are not csv records", got)
	}
}

// ixCheckParts reads in again cut into parts of a few bytes (each parsed
// on its own, in parallel) and checks that the index is the same as ix,
// read in one part.
func ixCheckParts(t *testing.T, in string, ix *Index) {
	t.Helper()
	defer func(n int) { csvPartSize = n }(csvPartSize)
	for _, size := range []int{1, 7, 40} {
		csvPartSize = size
		got, err := ReadIndex(strings.NewReader(in), IndexOptions{Format: "csv"})
		if err != nil {
			t.Fatalf("parts of %d bytes: %v", size, err)
		}
		if diff := cmp.Diff(ixRecordings(ix), ixRecordings(got), ixCmp); diff != "" {
			t.Fatalf("parts of %d bytes: recordings differ (-one part +parts):\n%s", size, diff)
		}
		if diff := cmp.Diff(ixErrorRows(ix), ixErrorRows(got)); diff != "" {
			t.Fatalf("parts of %d bytes: errors differ (-one part +parts):\n%s", size, diff)
		}
		for i := range ix.Len() {
			for _, s := range ix.Recording(i).Subjects {
				if ix.Person(int(s.Person)).ID() != got.Person(int(s.Person)).ID() {
					t.Fatalf("parts of %d bytes: persons differ", size)
				}
			}
		}
	}
}

// TestReadIndexParts reads indexes with quoted line ends, errors and
// duplicates across many small parts, as one part would.
func TestReadIndexParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("path,started_at,size_bytes,subjects,region\n")
	for i := range 300 {
		switch i % 10 {
		case 3:
			fmt.Fprintf(&b, "/r/%d/c%d.mp3,2019-02-01T10:00:00Z,%d,\"caller:%s\npatient:x\",\"two\nlines\"\n", i%7, i, i, ixA)
		case 5:
			fmt.Fprintf(&b, "/r/%d/c%d.mp3,bad,1,caller:%s\n", i%7, i-1, ixA) // a duplicate, uncertain
		case 7:
			fmt.Fprintf(&b, "/r/%d/c%d.mp3,\"2019\"x,1,\n", i%7, i) // a syntax error
		case 8:
			b.WriteString("\r\n\n/short,row\n")
		default:
			fmt.Fprintf(&b, "/r/%d/c%d.mp3,2019-02-01T10:00:00+01:00,%d,caller:%s\r\n", i%7, i, i, ixPnr(fmt.Sprintf("8001%02d", 1+i%28), fmt.Sprintf("%03d", i)))
		}
	}
	in := b.String()
	ix, err := ReadIndex(strings.NewReader(in), IndexOptions{Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	ixCheckCSVRows(t, in, ix)
	ixCheckParts(t, in, ix)
	ixCheckTables(t, ix)
}
