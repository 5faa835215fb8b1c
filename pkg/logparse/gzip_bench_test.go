//go:build unix

package logparse

import (
	stdgzip "compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// BenchmarkGzipInput compares reading a gzip-compressed combined log
// (~64 MB uncompressed) through this package with the decoders alone:
// klauspost/compress's gzip (the fastest Go gzip decoder, which Input.Open
// uses) and the standard library's. MB/s are of uncompressed bytes.
//
//	go test ./pkg/logparse -run '^$' -bench GzipInput -benchtime 5x
//
// "InputReader" is Input.Open read to its end (decoding, SHA-256 of the
// stored bytes, size); "Reader" adds line splitting and parsing records.
func BenchmarkGzipInput(b *testing.B) {
	dir := b.TempDir()
	plain := filepath.Join(dir, "access.log")
	writeCombinedLog(b, plain, 64<<20)
	st, err := os.Stat(plain)
	if err != nil {
		b.Fatal(err)
	}
	size := st.Size()
	gz := plain + ".gz"
	compressFile(b, plain, gz)
	decode := func(b *testing.B, open func(io.Reader) (io.Reader, error)) {
		b.SetBytes(size)
		for b.Loop() {
			f, err := os.Open(gz)
			if err != nil {
				b.Fatal(err)
			}
			zr, err := open(f)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, zr); err != nil || n != size {
				b.Fatalf("read %d of %d: %v", n, size, err)
			}
			f.Close()
		}
	}
	b.Run("klauspost-gzip", func(b *testing.B) {
		decode(b, func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) })
	})
	b.Run("stdlib-gzip", func(b *testing.B) {
		decode(b, func(r io.Reader) (io.Reader, error) { return stdgzip.NewReader(r) })
	})
	in := Input{Name: "access.log.gz", Path: gz}
	b.Run("InputReader", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			ir, err := in.Open()
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, ir); err != nil || n != size {
				b.Fatalf("read %d of %d: %v", n, size, err)
			}
			ir.Close()
		}
	})
	b.Run("Reader", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			r, err := OpenInput(in, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, err := range r.All() {
				_ = err
			}
			if err := r.Err(); err != nil {
				b.Fatal(err)
			}
			r.Close()
		}
	})
}

func compressFile(tb testing.TB, from, to string) {
	tb.Helper()
	src, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		tb.Fatal(err)
	}
	zw := gzip.NewWriter(dst)
	if _, err := io.Copy(zw, src); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		tb.Fatal(err)
	}
}
