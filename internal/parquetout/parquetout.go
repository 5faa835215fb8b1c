// Package parquetout writes rows of a Go struct type to a Parquet file,
// atomically: the file appears under its name only once it is complete.
//
// It is the Parquet adapter shared by the forensics commands; the schema
// comes from the row type's `parquet` struct tags (see parquet-go's
// SchemaOf). Pages are compressed with zstd.
//
// # Atomic output
//
// Rows go to a temporary file in the destination's directory (named
// ".NAME.tmp-*", mode 0600). Close flushes the footer, syncs the file to
// disk and renames it over the destination. If a write fails, or the caller
// calls Abort, or the process dies, the destination is left as it was: an
// interrupted run never leaves a file that looks complete.
//
// # Usage
//
//	type Row struct {
//		Path   string `parquet:"path"`
//		Status int32  `parquet:"status"`
//	}
//	if err := parquetout.WriteFile("out.parquet", rows); err != nil { ... }
//
// or, streaming:
//
//	w, err := parquetout.Create[Row]("out.parquet")
//	if err != nil { ... }
//	defer w.Abort() // no-op after a successful Close
//	for ... {
//		if err := w.Write(row); err != nil { return err }
//	}
//	return w.Close()
//
// # Concurrency
//
// A Writer is for one goroutine.
package parquetout

import (
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"slices"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"

	"github.com/forensiclog/forensics/internal/atomicfile"
)

// RowGroupRows is the number of rows in each row group: it bounds the
// memory a Writer holds before it writes a group to the file.
const RowGroupRows = 64 * 1024

// batchRows is how many rows a Writer gathers before handing them to
// parquet-go in one call.
const batchRows = 512

// ErrClosed is returned by Write after Close or Abort.
var ErrClosed = errors.New("parquetout: writer is closed")

// WriteFile writes rows to a Parquet file at path, atomically.
func WriteFile[T any](path string, rows []T) error {
	return WriteSeq(path, slices.Values(rows))
}

// WriteSeq writes the rows of seq to a Parquet file at path, atomically.
func WriteSeq[T any](path string, seq iter.Seq[T]) error {
	w, err := Create[T](path)
	if err != nil {
		return err
	}
	for row := range seq {
		if err := w.Write(row); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// A Writer writes rows of type T to a Parquet file. Create one with Create.
type Writer[T any] struct {
	path  string
	f     *atomicfile.File
	pw    *parquet.GenericWriter[T]
	batch []T
	err   error // sticky: the first write error
	done  bool
}

// Create starts a Parquet file that will be named path once Close succeeds.
// The rows are written to a temporary file in path's directory meanwhile.
func Create[T any](path string) (*Writer[T], error) {
	f, err := atomicfile.Create(path) // mode 0600
	if err != nil {
		return nil, fmt.Errorf("parquetout: %w", err)
	}
	codec := newZstdCodec(zstd.SpeedFastest)
	pw := parquet.NewGenericWriter[T](f,
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		// Each page's min and max are computed twice by default: for the
		// page header's statistics and for the column index. Readers
		// prune on the column index and the row groups' statistics (which
		// stay); the header copy cost 3 of the incident's 28 CPU seconds
		// of Parquet writing. Evidence lines have no useful bounds.
		parquet.DataPageStatistics(false),
		parquet.SkipPageBounds("evidence", "list", "element"),
	)
	return &Writer[T]{path: path, f: f, pw: pw, batch: make([]T, 0, batchRows)}, nil
}

// Write adds one row. After an error, every later Write and Close returns
// it, and Close removes the temporary file.
func (w *Writer[T]) Write(row T) error {
	if w.done {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	w.batch = append(w.batch, row)
	if len(w.batch) == cap(w.batch) {
		return w.flushBatch()
	}
	return nil
}

func (w *Writer[T]) flushBatch() error {
	if len(w.batch) == 0 {
		return nil
	}
	if _, err := w.pw.Write(w.batch); err != nil {
		w.err = fmt.Errorf("parquetout: %s: %w", filepath.Base(w.path), err)
		return w.err
	}
	clear(w.batch) // drop references to strings the rows held
	w.batch = w.batch[:0]
	return nil
}

// Close writes the footer, syncs the file and renames it to its final name.
// If any step fails, or a Write failed before, the temporary file is
// removed, the destination is left untouched, and the error is returned.
func (w *Writer[T]) Close() error {
	if w.done {
		return ErrClosed
	}
	err := w.finish()
	w.done = true
	if err != nil {
		w.f.Abort() // nothing left after a failed Commit either
		return err
	}
	return nil
}

func (w *Writer[T]) finish() error {
	if w.err != nil {
		return w.err
	}
	if err := w.flushBatch(); err != nil {
		return err
	}
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("parquetout: %s: %w", filepath.Base(w.path), err)
	}
	if err := w.f.Commit(); err != nil {
		return fmt.Errorf("parquetout: %w", err)
	}
	return nil
}

// Abort discards the rows written so far and removes the temporary file.
// It does nothing after Close or a previous Abort, so it may be deferred.
func (w *Writer[T]) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Abort()
}
