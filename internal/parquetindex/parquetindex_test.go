package parquetindex_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	_ "github.com/forensiclog/forensics/internal/parquetindex"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// Generated numbers (valid check digits, no real person's).
const (
	pnrA = "8001011231"    // 1980-01-01
	pnrC = "20150505-9871" // 2015-05-05
	pnrS = "8001612244"    // samordningsnummer
	res  = "RES-4711-X"    // a reserve number
	tel  = "+46701740605"  // in the range kept for fiction
	telN = "0701740606"    // national form
	telE = "+46701740606"  // its E.164
)

type row struct {
	Path      string    `parquet:"path"`
	CallID    string    `parquet:"call_id"`
	StartedAt time.Time `parquet:"started_at,timestamp(millisecond)"`
	Duration  float64   `parquet:"duration_s"`
	Size      int64     `parquet:"size_bytes"`
	Region    string    `parquet:"region"`
	Phone     string    `parquet:"caller_phone"`
	Subjects  []subject `parquet:"subjects,list"`
}

type subject struct {
	Role string `parquet:"role"`
	ID   string `parquet:"id"`
}

// flat has subjects as one string in the CSV form and renamed columns.
type flat struct {
	File     string `parquet:"File"`
	Bytes    int32  `parquet:"Bytes"`
	Started  string `parquet:"Started"`
	Subjects string `parquet:"subjects"`
}

func write[T any](t *testing.T, rows []T) string {
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

// summary describes a recording without showing a number: subjects as
// role and whether the ID equals the expected one.
func summary(r *exposure.Recording, ids map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s row=%d size=%d dur=%v start=%s phone=%v uncertain=%v", r.CallID, r.Row, r.Size, r.Duration,
		r.StartedAt.UTC().Format(time.RFC3339), r.CallerPhone != "", r.Uncertain)
	for _, s := range r.Subjects {
		name := "?"
		for n, id := range ids {
			if s.ID.ID() == id {
				name = n
			}
		}
		fmt.Fprintf(&b, " %s:%s", s.Role, name)
	}
	return b.String()
}

func TestLoadParquet(t *testing.T) {
	t1 := time.Date(2019, 2, 1, 8, 30, 0, 0, time.UTC)
	name := write(t, []row{
		{Path: "/rec/C1_46701740605.mp3", CallID: "C1", StartedAt: t1, Duration: 93.5, Size: 1495040, Region: "Stockholm",
			Subjects: []subject{{"caller", pnrA}, {"patient", pnrC}}},
		{Path: "/rec/C2.mp3", CallID: "C2", StartedAt: t1, Size: 10, Phone: telN, Subjects: []subject{{"", res}}},
		{Path: "", CallID: "C3", StartedAt: t1, Size: 10},
		{Path: "/rec/C4.mp3", CallID: "C4", StartedAt: t1, Size: -1, Subjects: []subject{{"caller", pnrS}}},
		{Path: "/rec/C5.mp3", CallID: "C5", StartedAt: t1, Size: 5},
	})
	ix, err := exposure.LoadIndex(name, exposure.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"A": "19" + pnrA, "C": "201505059871", "S": "19" + pnrS, "R": res}
	var got []string
	for i := range ix.Len() {
		got = append(got, summary(ix.Recording(i), ids))
	}
	want := []string{
		"C1 row=1 size=1495040 dur=1m33.5s start=2019-02-01T08:30:00Z phone=true uncertain=false caller:A patient:C",
		"C2 row=2 size=10 dur=0s start=2019-02-01T08:30:00Z phone=true uncertain=false :R",
		"C4 row=4 size=-1 dur=0s start=2019-02-01T08:30:00Z phone=false uncertain=true caller:S",
		"C5 row=5 size=5 dur=0s start=2019-02-01T08:30:00Z phone=false uncertain=false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recordings (-want +got):\n%s", diff)
	}
	if ix.Recording(1).CallerPhone != telE || ix.Recording(0).CallerPhone != tel {
		t.Errorf("phones not normalised")
	}
	var errs []string
	for _, e := range ix.Errors() {
		errs = append(errs, e.Error())
	}
	if diff := cmp.Diff([]string{"exposure: index row 3: path: missing path",
		"exposure: index row 4: size_bytes: bad number (row kept, recording uncertain)"}, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	// Renamed columns, subjects as a string, local time; read from a
	// stream with the format detected from the content.
	name = write(t, []flat{{File: "/rec/C9.mp3", Bytes: 7, Started: "2019-02-01 10:15:00", Subjects: "caller:" + pnrS + ";patient:" + pnrC}})
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	helsinki := time.FixedZone("EET", 2*3600)
	ix, err = exposure.ReadIndex(bytes.NewReader(data), exposure.IndexOptions{Location: helsinki, Columns: map[string]string{
		exposure.ColPath: "file", exposure.ColSize: "BYTES", exposure.ColStartedAt: "started"}})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 1 {
		t.Fatalf("Len = %d", ix.Len())
	}
	r := ix.Recording(0)
	if got := summary(r, ids); got != " row=1 size=7 dur=0s start=2019-02-01T08:15:00Z phone=false uncertain=false caller:S patient:C" {
		t.Errorf("flat parquet: %s", got)
	}
	if r.StartedAt.Location() != helsinki {
		t.Errorf("zone not kept")
	}

	// A required column missing: the error lists what was found.
	name = write(t, []struct {
		Path string `parquet:"path"`
		Size int64  `parquet:"bytes"`
	}{{"/a.mp3", 1}})
	_, err = exposure.LoadIndex(name, exposure.IndexOptions{})
	var ce *exposure.IndexColumnsError
	if !errors.As(err, &ce) || !cmp.Equal(ce.Missing, []string{"subjects", "started_at", "size_bytes"}) ||
		!cmp.Equal(ce.Found, []string{"path", "bytes"}) {
		t.Errorf("missing columns: %v", err)
	}
	// Not Parquet after all.
	if _, err := exposure.ReadIndex(strings.NewReader("PAR1 not really"), exposure.IndexOptions{}); err == nil {
		t.Errorf("a broken Parquet file gave no error")
	}
}
