package parquetout

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

type asyncRow struct {
	N    int64  `parquet:"n"`
	Name string `parquet:"name"`
}

// TestAsyncWritesAllRows: every row written reaches the file, in order,
// across several batches.
func TestAsyncWritesAllRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.parquet")
	a, err := CreateAsync[asyncRow](path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3*asyncBatch + 17
	for i := range n {
		row := asyncRow{N: int64(i), Name: "r"}
		if err := a.Write(&row); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[asyncRow](path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r.N != int64(i) {
			t.Fatalf("row %d holds %d", i, r.N)
		}
	}
	if err := a.Write(&asyncRow{}); err != ErrClosed {
		t.Errorf("Write after Close: %v, want ErrClosed", err)
	}
	a.Abort() // after Close: nothing
}

// TestAsyncCloseBeforeGoroutineRuns: with one processor the writer's
// goroutine first runs when Close waits for it. It must still see the
// rows and end (it once read the channel after Close had cleared it, and
// hung).
func TestAsyncCloseBeforeGoroutineRuns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	dir := t.TempDir()
	done := make(chan error, 1)
	go func() {
		for i := range 50 {
			a, err := CreateAsync[asyncRow](filepath.Join(dir, "r.parquet"))
			if err != nil {
				done <- err
				return
			}
			row := asyncRow{N: int64(i)}
			a.Write(&row)
			if err := a.Close(); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Close did not return: the writer's goroutine hangs")
	}
}

// TestAsyncAbort removes the file begun.
func TestAsyncAbort(t *testing.T) {
	dir := t.TempDir()
	a, err := CreateAsync[asyncRow](filepath.Join(dir, "r.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	a.Write(&asyncRow{N: 1})
	a.Abort()
	a.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files left after Abort", len(ents))
	}
	var nilAsync *Async[asyncRow]
	nilAsync.Abort()
}
