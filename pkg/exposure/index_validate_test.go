package exposure

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestIndexColumns: required columns missing, unmapped or empty in every
// row stop the load, with the columns found and the flag to map them.
func TestIndexColumns(t *testing.T) {
	f := func(name, in string, opt IndexOptions, missing, empty []string, found []string, msg string) {
		t.Helper()
		_, err := ReadIndex(strings.NewReader(in), opt)
		var ce *IndexColumnsError
		if !errors.As(err, &ce) {
			t.Errorf("%s: error %v, want an *IndexColumnsError", name, err)
			return
		}
		if !cmp.Equal(ce.Missing, missing) || !cmp.Equal(ce.Empty, empty) || !cmp.Equal(ce.Found, found) {
			t.Errorf("%s: missing %v empty %v found %v, want %v %v %v", name, ce.Missing, ce.Empty, ce.Found, missing, empty, found)
		}
		if !strings.Contains(err.Error(), msg) || !strings.HasPrefix(err.Error(), "exposure: ") {
			t.Errorf("%s: %q does not say %q", name, err, msg)
		}
	}
	pnr := ixPnr("800101", "123")
	f("subjects misnamed", "path,started_at,size_bytes,persons\n/a,2019-02-01T10:00:00Z,1,caller:"+pnr+"\n", IndexOptions{},
		[]string{"subjects"}, nil, []string{"path", "started_at", "size_bytes", "persons"}, `--column subjects=NAME`)
	f("only path mapped", "File,Start,Bytes,Persons\n/a,2019-02-01T10:00:00Z,1,x\n", IndexOptions{Columns: map[string]string{ColPath: "file"}},
		[]string{"subjects", "started_at", "size_bytes"}, nil, []string{"File", "Start", "Bytes", "Persons"},
		`columns found: "File", "Start", "Bytes", "Persons"`)
	f("no path", "file,subjects,started_at,size_bytes\n/a,x,2019-02-01T10:00:00Z,1\n", IndexOptions{},
		[]string{"path"}, nil, []string{"file", "subjects", "started_at", "size_bytes"}, `--column path=NAME`)
	f("started_at empty", "path,subjects,started_at,size_bytes\n/a,x,,1\n/b,y, ,2\n", IndexOptions{},
		nil, []string{"started_at"}, []string{"path", "subjects", "started_at", "size_bytes"}, `column started_at is empty in every row`)
	f("no header row", pnr+",/a,2019-02-01T10:00:00Z,1\n", IndexOptions{},
		[]string{"path", "subjects", "started_at", "size_bytes"}, nil,
		[]string{"#1 (holds digits: no header row?)", "/a", "#3 (holds digits: no header row?)", "1"}, "no header row?")
	f("jsonl without subjects", `{"path": "/a", "started_at": "2019-02-01T10:00:00Z", "size_bytes": 1}`+"\n", IndexOptions{},
		[]string{"subjects"}, nil, nil, `--column subjects=NAME`)
	f("jsonl subjects always empty", `{"path": "/a", "started_at": "2019-02-01T10:00:00Z", "size_bytes": 1, "subjects": []}`+"\n", IndexOptions{},
		nil, []string{"subjects"}, nil, `empty in every row`)
}

// TestIndexRows: every row is used, kept in part or counted, by row
// number and reason.
func TestIndexRows(t *testing.T) {
	const header = "path,call_id,started_at,duration_s,size_bytes,subjects\n"
	pnr := func(i int) string { return ixPnr(fmt.Sprintf("8001%02d", 1+i), fmt.Sprintf("%03d", i)) }
	type want struct {
		recordings int
		persons    int
		uncertain  []bool
		errs       []string
	}
	f := func(name, rows string, w want) {
		t.Helper()
		ix, err := ReadIndex(strings.NewReader(header+rows), IndexOptions{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		ixCheckErrorText(t, ix)
		ixCheckTables(t, ix)
		var unc []bool
		for i := range ix.Len() {
			unc = append(unc, ix.Uncertain(i))
			if ix.Uncertain(i) != ix.Recording(i).Uncertain {
				t.Errorf("%s: Uncertain(%d) disagrees with Recording", name, i)
			}
		}
		got := want{ix.Len(), ix.NumPersons(), unc, ixErrorRows(ix)}
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	ok := "2019-02-01T10:00:00Z,60,1000"
	f("a short row", "/a,c1,"+ok+",caller:"+pnr(1)+"\n/b,c2,2019-02-01T10:00:00Z\n",
		want{1, 1, []bool{false}, []string{"3::wrong number of fields"}})
	f("a long row", "/a,c1,"+ok+",caller:"+pnr(1)+",patient:"+pnr(2)+"\n/b,c2,"+ok+",x\n",
		want{1, 1, []bool{false}, []string{"2::wrong number of fields"}})
	f("bad size, time, duration keep their persons",
		"/a,c1,2019-02-01T10:00:00Z,60,-1,caller:"+pnr(1)+"\n"+
			"/b,c2,1 Feb 2019,60,1000,caller:"+pnr(2)+"\n"+
			"/c,c3,2019-02-01T10:00:00Z,a minute,1000,caller:"+pnr(3)+"\n"+
			"/d,c4,"+ok+",caller:"+pnr(4)+"\n",
		want{4, 4, []bool{true, true, true, false}, []string{"2:size_bytes:bad number:kept", "3:started_at:bad time:kept", "4:duration_s:bad number:kept"}})
	f("a duplicate path merges its subjects", "/a,c1,"+ok+",caller:"+pnr(1)+"\n/b,c2,"+ok+",\n//a,c3,"+ok+",patient:"+pnr(2)+"\n",
		want{2, 2, []bool{false, false}, []string{"4:path:duplicate path (subjects merged into the first row):kept"}})
	f("a row without path", "/a,c1,"+ok+",caller:"+pnr(1)+"\n,c2,"+ok+",caller:"+pnr(2)+"\n",
		want{1, 1, []bool{false}, []string{"3:path:missing path"}})
	f("a row of commas", "/a,c1,"+ok+",x\n,,,,,\n",
		want{1, 1, []bool{false}, []string{"3:path:missing path"}})

	// The merged subject is there, once per person.
	ix, err := ReadIndex(strings.NewReader(header+"/a,c1,"+ok+",caller:"+pnr(1)+"\n/a,c3,"+ok+",patient:"+pnr(2)+";x:"+pnr(1)+"\n"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := ix.Recording(0); len(r.Subjects) != 3 || r.Subjects[1].Role != "patient" || r.Subjects[2].Person != r.Subjects[0].Person {
		t.Errorf("merged subjects wrong")
	}
	if e := ix.Errors()[0]; e.First != 2 || e.Row != 3 || !e.Kept {
		t.Errorf("duplicate error: %+v", e)
	}
}

// TestIndexCentury: a 10-digit number in a row without a call date is
// one person with its 12-digit form, by IndexOptions.Reference, else by
// the latest call in the index; with neither, it is kept with a warning.
func TestIndexCentury(t *testing.T) {
	const header = "path,started_at,size_bytes,subjects\n"
	for k := range 50 {
		// Generated numbers born 1950-2019: the 10-digit form is
		// ambiguous between 19xx and 20xx.
		yy := (50 + k*7) % 100
		ten := ixPnr(fmt.Sprintf("%02d%02d%02d", yy, 1+k%12, 1+k%28), fmt.Sprintf("%03d", 100+k))
		century := "19"
		if yy < 20 {
			century = "20"
		}
		twelve := century + ten
		rows := "/a.mp3,2019-06-01T10:00:00Z,1,caller:" + twelve + "\n/b.mp3,,1,caller:" + ten + "\n"
		for _, opt := range []IndexOptions{{}, {Reference: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}} {
			ix, err := ReadIndex(strings.NewReader(header+rows), opt)
			if err != nil {
				t.Fatal(err)
			}
			if ix.NumPersons() != 1 || len(ix.Errors()) != 0 {
				t.Fatalf("number %d (reference %v): %d persons, errors %v", k, !opt.Reference.IsZero(), ix.NumPersons(), ixErrorRows(ix))
			}
			if got := ix.Recording(1).Subjects[0].ID; got.Canonical != twelve || got.Given != ten {
				t.Fatalf("number %d: the 10-digit form is not resolved to its 12-digit form", k)
			}
		}
	}
	// No usable date anywhere and no reference: kept as given, one
	// warning per row.
	ten := ixPnr("800101", "123")
	ix, err := ReadIndex(strings.NewReader(header+"/a.mp3,today,1,caller:"+ten+";patient:RES-1\n/b.mp3,,1,caller:"+ten+"\n"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2:started_at:bad time:kept", "2:subjects:" + ErrIndexCentury.Error() + ":kept",
		"3:subjects:" + ErrIndexCentury.Error() + ":kept"}, ixErrorRows(ix)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if id := ix.Recording(0).Subjects[0].ID; id.Canonical != "" || id.Kind != Personnummer || ix.NumPersons() != 2 {
		t.Errorf("without any date: canonical %v, kind %v, %d persons", id.Canonical != "", id.Kind, ix.NumPersons())
	}
}

// TestIndexLarge reads an index large enough for the parallel paths
// (hash table parts, chunks copied at once, persons sorted in halves)
// and checks it against the rows.
func TestIndexLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a 100,000-row index; not in -short mode")
	}
	const n = 100_000
	var b strings.Builder
	b.WriteString("path,started_at,size_bytes,subjects\n")
	for i := range n {
		fmt.Fprintf(&b, "/r/%d/%d/c%d.mp3,2019-02-01T10:%02d:00Z,%d,caller:%s", i%13, i%101, i, i%60, i, ixPnr(fmt.Sprintf("%02d%02d%02d", 30+i%70, 1+i%12, 1+i%28), fmt.Sprintf("%03d", i%997)))
		if i%5 == 0 {
			fmt.Fprintf(&b, ";patient:RES-%d", i%1234)
		}
		b.WriteByte('\n')
	}
	in := b.String()
	for _, dup := range []string{"", "/r/3/3/c3.mp3,,1,x:RES-9\n"} {
		ix, err := ReadIndex(strings.NewReader(in+dup), IndexOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ix.Len() != n {
			t.Fatalf("Len = %d", ix.Len())
		}
		ixCheckTables(t, ix)
		for i := 0; i < n; i += 7 {
			if j, ok := ix.Match(fmt.Sprintf("/r/%d/%d/c%d.mp3", i%13, i%101, i)); !ok || j != i {
				t.Fatalf("Match of recording %d = %d %v", i, j, ok)
			}
			if r := ix.Recording(i); r.Row != i+2 || r.Size != int64(i) {
				t.Fatalf("recording %d: row %d size %d", i, r.Row, r.Size)
			}
		}
		if dup != "" && ix.NumSubjects(3) != 2 {
			t.Errorf("the duplicate's subject is not merged")
		}
	}
}

func TestParallelRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a := make([]uint64, 200_000)
	for i := range a {
		a[i] = uint64(r.IntN(5000))<<24 | uint64(i) // keys repeat; subjects ascending
	}
	want := slices.Clone(a)
	slices.Sort(want)
	parallelRadixSort40(a)
	if !slices.Equal(a, want) {
		t.Errorf("parallelRadixSort40 differs from slices.Sort")
	}
}

// TestChildAt checks the index's age test against Identity.Child on
// generated numbers and call dates.
func TestChildAt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		d := time.Date(1990+r.IntN(35), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		day := d.Day()
		if r.IntN(4) == 0 {
			day += 60 // a samordningsnummer
		}
		twelve := ixPnr(fmt.Sprintf("%02d%02d%02d", d.Year()%100, d.Month(), day), fmt.Sprintf("%03d", r.IntN(1000)))
		id := ParseIdentity(fmt.Sprintf("%02d", d.Year()/100)+twelve, time.Time{})
		at := d.AddDate(r.IntN(25), r.IntN(12)-6, r.IntN(60)-30)
		var digits [12]byte
		copy(digits[:], id.Canonical)
		if got, want := childAt(canonicalKey(&digits), at), id.Child(at); got != want {
			t.Fatalf("childAt differs from Identity.Child (%v at %v)", id, at.Format(time.DateOnly))
		}
	}
}

// BenchmarkIndexMatch looks up request paths (half of them in the index)
// and their folders in a 200,000-recording index.
func BenchmarkIndexMatch(b *testing.B) {
	const n = 200_000
	var sb strings.Builder
	sb.WriteString("path,started_at,size_bytes,subjects\n")
	paths := make([]string, 0, 2*n)
	for i := range n {
		p := fmt.Sprintf("/rec/%d/%02d/%02d/C%07d_0701740%03d.mp3", 2013+i%7, 1+i%12, 1+i%28, i, i%1000)
		fmt.Fprintf(&sb, "%s,2019-02-01T10:00:00Z,%d,x:RES-%d\n", p, i, i)
		paths = append(paths, p, p[:len(p)-4]+".wav")
	}
	ix, err := ReadIndex(strings.NewReader(sb.String()), IndexOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		p := paths[k%len(paths)]
		k++
		if _, ok := ix.Match(p); !ok && k%2 == 1 {
			b.Fatal("no match")
		}
		ix.Folder(p[:strings.LastIndexByte(p, '/')+1])
	}
}
