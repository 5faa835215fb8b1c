package report

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

// readAll reads every row of a stream.
func readAll[T any](t *testing.T, r rows[T], err error) []T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []T
	for row, ok := r.Next(); ok; row, ok = r.Next() {
		out = append(out, *row)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFlatExposuresDemo reads the demo's exposures.parquet column by
// column and through parquet-go's generic reader: the same rows.
func TestFlatExposuresDemo(t *testing.T) {
	dir := demoOut(t)
	flat, err := openFlat(dir, "exposures.parquet", exposureColumns)
	got := readAll[exposureIn](t, flat, err)
	gen, err := openRows[exposureIn](dir, "exposures.parquet")
	want := readAll[exposureIn](t, gen, err)
	if len(want) == 0 {
		t.Fatal("the demo has no exposure rows")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("flat reader (-generic +flat):\n%s", d)
	}
}

// exposureOld is an exposure row of a made-up engine: started_at and
// actor_ua missing, a column the reports do not read, optional times
// with nulls.
type exposureOld struct {
	SubjectID     string    `parquet:"subject_id"`
	Extra         string    `parquet:"extra"`
	Role          string    `parquet:"role"`
	CallID        string    `parquet:"call_id"`
	Path          string    `parquet:"path"`
	Region        string    `parquet:"region"`
	CallerPhone   string    `parquet:"caller_phone"`
	Level         string    `parquet:"level"`
	FirstSeen     time.Time `parquet:"first_seen,timestamp(millisecond),optional"`
	LastSeen      time.Time `parquet:"last_seen,timestamp(millisecond),optional"`
	ViaListing    bool      `parquet:"via_listing"`
	InGap         bool      `parquet:"in_gap"`
	Uncertain     string    `parquet:"uncertain"`
	ActorIP       string    `parquet:"actor_ip"`
	ActorCategory string    `parquet:"actor_category"`
}

// TestFlatExposuresPages reads a file of many small pages and row
// groups, with columns missing and nulls, both ways: the same rows.
func TestFlatExposuresPages(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "exposures.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[exposureOld](f, parquet.PageBufferSize(512), parquet.MaxRowsPerRowGroup(777))
	at := time.Date(2016, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	var in []exposureOld
	for i := range 5000 {
		e := exposureOld{SubjectID: "1912121212" + strconv.Itoa(i/3%100), Extra: strconv.Itoa(i), Role: []string{"caller", "patient"}[i%2],
			CallID: "c" + strconv.Itoa(i/4), Path: "/r/" + strconv.Itoa(i/4) + ".wav", Region: []string{"", "Stockholm", "Värmland"}[i%3],
			CallerPhone: "+4670" + strconv.Itoa(i/4), Level: levelNames[i%5], ViaListing: i%7 == 0, InGap: i%11 == 0,
			Uncertain: []string{"", "listing_unknown", "a,b"}[i%3], ActorIP: "10.0.0." + strconv.Itoa(i%9), ActorCategory: "unknown"}
		if i%5 != 0 {
			e.FirstSeen = at.Add(time.Duration(i) * time.Minute)
		}
		if i%3 == 0 {
			e.LastSeen = at.Add(time.Duration(i) * time.Hour)
		}
		in = append(in, e)
	}
	if _, err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	flat, err := openFlat(dir, "exposures.parquet", exposureColumns)
	if err == nil && len(flat.pf.RowGroups()) < 5 {
		t.Fatalf("%d row groups: want several", len(flat.pf.RowGroups()))
	}
	got := readAll[exposureIn](t, flat, err)
	gen, err := openRows[exposureIn](dir, "exposures.parquet")
	want := readAll[exposureIn](t, gen, err)
	if len(want) != len(in) {
		t.Fatalf("generic reader: %d rows, want %d", len(want), len(in))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("flat reader (-generic +flat):\n%s", d)
	}
}

// TestFlatExposuresOtherTypes: a column of another type than the
// reports expect sends the file to the generic reader.
func TestFlatExposuresOtherTypes(t *testing.T) {
	type micro struct {
		SubjectID string    `parquet:"subject_id"`
		FirstSeen time.Time `parquet:"first_seen,timestamp(microsecond),optional"`
	}
	type listed struct {
		SubjectID string   `parquet:"subject_id"`
		Role      []string `parquet:"role,list"`
	}
	for name, write := range map[string]func(*os.File) error{
		"microseconds": func(f *os.File) error {
			return parquet.Write(f, []micro{{SubjectID: "1", FirstSeen: time.Unix(5, 1000)}})
		},
		"list": func(f *os.File) error {
			return parquet.Write(f, []listed{{SubjectID: "1", Role: []string{"caller"}}})
		},
	} {
		dir := t.TempDir()
		f, err := os.Create(filepath.Join(dir, "exposures.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, err := openFlat(dir, "exposures.parquet", exposureColumns); !errors.Is(err, errNotFlat) {
			t.Errorf("%s: openFlat: %v, want errNotFlat", name, err)
		}
		r, err := openExposures(dir)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, ok := r.(*rowReader[exposureIn]); !ok {
			t.Errorf("%s: read by %T, want the generic reader", name, r)
		}
		r.Close()
	}
}

// TestFlatRecordingsDemo reads the demo's recordings.parquet both ways:
// the same rows.
func TestFlatRecordingsDemo(t *testing.T) {
	dir := demoOut(t)
	flat, err := openFlat(dir, "recordings.parquet", recordingColumns)
	got := readAll[recordingIn](t, flat, err)
	gen, err := openRows[recordingIn](dir, "recordings.parquet")
	want := readAll[recordingIn](t, gen, err)
	if len(want) == 0 {
		t.Fatal("the demo has no recordings")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("flat reader (-generic +flat):\n%s", d)
	}
}

// TestFlatPersonsDemo reads the demo's persons.parquet (with its lists)
// both ways: the same rows.
func TestFlatPersonsDemo(t *testing.T) {
	dir := demoOut(t)
	flat, err := openFlat(dir, "persons.parquet", personColumns)
	got := readAll[personIn](t, flat, err)
	gen, err := openRows[personIn](dir, "persons.parquet")
	want := readAll[personIn](t, gen, err)
	if len(want) == 0 {
		t.Fatal("the demo has no persons")
	}
	multi := 0
	for _, p := range want {
		if len(p.Roles) > 1 || len(p.Regions) > 1 || len(p.Phones) > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Error("no person of the demo has a list of several values: the test tests little")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("flat reader (-generic +flat):\n%s", d)
	}
}

// TestFlatPersonsPages reads persons with lists of 0 to 3 values over
// many small pages and row groups both ways: the same rows.
func TestFlatPersonsPages(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "persons.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[personIn](f, parquet.PageBufferSize(256), parquet.MaxRowsPerRowGroup(333))
	vals := []string{"caller", "patient", "Stockholm", "+46701740665", "unknown"}
	list := func(i, n int) []string {
		out := []string{}
		for k := range n {
			out = append(out, vals[(i+k)%len(vals)]+strconv.Itoa(i%7))
		}
		return out
	}
	var in []personIn
	for i := range 3000 {
		p := personIn{SubjectID: strconv.Itoa(100000 + i), SubjectIDGiven: "g" + strconv.Itoa(i), SubjectKind: "personnummer", Child: i%3 == 0,
			Level: levelNames[i%5], Roles: list(i, i%4), Calls: int64(i % 9), Regions: list(i+1, (i/2)%4), Phones: list(i+2, (i/3)%4),
			ActorCategories: list(i+3, (i/5)%4), OnGap: i%4 == 0}
		if i%2 == 0 {
			p.FirstExposure = time.UnixMilli(int64(i) * 1e7).UTC()
		}
		in = append(in, p)
	}
	if _, err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	flat, err := openFlat(dir, "persons.parquet", personColumns)
	if err == nil && len(flat.pf.RowGroups()) < 5 {
		t.Fatalf("%d row groups: want several", len(flat.pf.RowGroups()))
	}
	got := readAll[personIn](t, flat, err)
	gen, err := openRows[personIn](dir, "persons.parquet")
	want := readAll[personIn](t, gen, err)
	if len(want) != len(in) {
		t.Fatalf("generic reader: %d rows, want %d", len(want), len(in))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("flat reader (-generic +flat):\n%s", d)
	}
}
