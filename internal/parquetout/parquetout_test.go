package parquetout_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/internal/testutil"
)

type row struct {
	Time   time.Time `parquet:"time,timestamp(microsecond)"`
	Path   string    `parquet:"path"`
	Status int32     `parquet:"status"`
	Bytes  *int64    `parquet:"bytes,optional"`
	Tags   []string  `parquet:"tags,list"`
	OK     bool      `parquet:"ok"`
}

func ptr[T any](v T) *T { return &v }

var sample = []row{
	{Time: time.Date(2019, 2, 11, 9, 30, 0, 123000000, time.UTC), Path: "/recordings/a.mp3", Status: 200, Bytes: ptr[int64](4000), Tags: []string{"x", "y"}, OK: true},
	{Time: time.Date(2019, 2, 11, 9, 31, 0, 0, time.UTC), Path: "/recordings/", Status: 304, Bytes: nil, Tags: nil},
	{Time: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), Path: "/ä b", Status: 206, Bytes: ptr[int64](1 << 40), Tags: []string{"z"}, OK: true},
}

// wantSample is sample as DuckDB prints it.
var wantSample = []map[string]any{
	{"time": "2019-02-11 09:30:00.123+00", "path": "/recordings/a.mp3", "status": 200.0, "bytes": 4000.0, "tags": []any{"x", "y"}, "ok": true},
	{"time": "2019-02-11 09:31:00+00", "path": "/recordings/", "status": 304.0, "bytes": nil, "tags": []any{}, "ok": false},
	{"time": "2016-01-01 00:00:00+00", "path": "/ä b", "status": 206.0, "bytes": float64(1 << 40), "tags": []any{"z"}, "ok": true},
}

func TestWriteFileDuckDB(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.parquet")
	if err := parquetout.WriteFile(path, sample); err != nil {
		t.Fatal(err)
	}
	checkOnlyFile(t, dir, "out.parquet")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode = %v, want 0600", mode)
	}
	got := testutil.DumpParquet(t, path)
	if diff := cmp.Diff(wantSample, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	codecs := testutil.DumpParquet(t, path, "SELECT DISTINCT compression FROM parquet_metadata({file})")
	if diff := cmp.Diff([]map[string]any{{"compression": "ZSTD"}}, codecs); diff != "" {
		t.Errorf("compression (-want +got):\n%s", diff)
	}
}

func TestWriterStreamsManyRows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "many.parquet")
	w, err := parquetout.Create[row](path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	const n = parquetout.RowGroupRows + 1000 // more than one row group
	for i := range n {
		if err := w.Write(row{Status: int32(i % 600), Path: "/p"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("destination exists before Close (err %v)", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(row{}); err != parquetout.ErrClosed {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	checkOnlyFile(t, dir, "many.parquet")
	got := testutil.DumpParquet(t, path,
		"SELECT count(*) AS n, sum(status) AS s, (SELECT count(*) FROM parquet_metadata({file}) WHERE path_in_schema = 'status') AS groups FROM data")
	var sum float64
	for i := range n {
		sum += float64(i % 600)
	}
	want := []map[string]any{{"n": float64(n), "s": sum, "groups": 2.0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWriteSeqOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq.parquet")
	backward := func(yield func(row) bool) {
		for i := len(sample) - 1; i >= 0; i-- {
			if !yield(sample[i]) {
				return
			}
		}
	}
	if err := parquetout.WriteSeq(path, backward); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(wantSample)
	slices.Reverse(want)
	if diff := cmp.Diff(want, testutil.DumpParquet(t, path)); diff != "" {
		t.Errorf("rows in file order (-want +got):\n%s", diff)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.parquet")
	// An earlier, complete output must survive an aborted run.
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := parquetout.Create[row](path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sample {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Abort()
	w.Abort() // idempotent
	if err := w.Close(); err != parquetout.ErrClosed {
		t.Errorf("Close after Abort = %v, want ErrClosed", err)
	}
	checkOnlyFile(t, dir, "out.parquet")
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("destination changed by an aborted write: %q", b)
	}
}

func TestCloseFailsWithoutDestinationDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "out.parquet")
	if _, err := parquetout.Create[row](path); err == nil {
		t.Fatal("Create in a missing directory succeeded")
	}
}

// checkOnlyFile fails unless dir holds exactly the file name (no temporary
// files left behind).
func checkOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{name}, names); diff != "" {
		t.Errorf("files in dir (-want +got):\n%s", diff)
	}
}
