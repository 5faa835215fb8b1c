package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"runtime"
	"sync"
	"text/template"
)

// letterBatch is the number of letters rendered together before they are
// written: enough to keep every processor busy, little enough memory
// (a letter is a few KiB).
const letterBatch = 2048

// letterArchive writes one region's letters, one Markdown file per person
// (<region>-NNNNN.md), into one ZIP file: a file per person is what a
// mail-merge or a digital mailbox takes, and one archive per region keeps
// millions of them cheap to write, copy and remove (no file system entry
// each). Letters are rendered in parallel, in batches, and written in
// list order, so the archive is the same bytes whatever the number of
// processors. They are stored, not compressed: deflating millions of
// letters of a few KiB each cost three times as much as rendering them
// (each entry is compressed on its own, with a Huffman table of its own).
type letterArchive struct {
	f     *os.File
	bw    *bufio.Writer
	zw    *zip.Writer
	tmpl  *template.Template
	jobs  []letterJob
	n     int // jobs pending in jobs[:n]
	procs int
}

// letterJob is one letter: its entry name and data in, its text out.
type letterJob struct {
	name string
	data letterData
	text bytes.Buffer
	crc  uint32
	err  error
}

func newLetterArchive(path string, tmpl *template.Template) (*letterArchive, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	return &letterArchive{f: f, bw: bw, zw: zip.NewWriter(bw), tmpl: tmpl, jobs: make([]letterJob, letterBatch),
		procs: runtime.GOMAXPROCS(0)}, nil
}

// add queues a letter; it is written with its batch.
func (a *letterArchive) add(name string, d letterData) error {
	j := &a.jobs[a.n]
	j.name, j.data = name, d
	a.n++
	if a.n == len(a.jobs) {
		return a.flush()
	}
	return nil
}

// flush renders the pending letters in parallel and writes them in order.
func (a *letterArchive) flush() error {
	jobs := a.jobs[:a.n]
	a.n = 0
	if len(jobs) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	per := (len(jobs) + a.procs - 1) / a.procs
	for lo := 0; lo < len(jobs); lo += per {
		hi := min(lo+per, len(jobs))
		wg.Go(func() {
			for k := lo; k < hi; k++ {
				j := &jobs[k]
				j.text.Reset()
				if j.err = a.tmpl.Execute(&j.text, j.data); j.err == nil {
					j.crc = crc32.ChecksumIEEE(j.text.Bytes())
				}
			}
		})
	}
	wg.Wait()
	for k := range jobs {
		j := &jobs[k]
		if j.err != nil {
			return fmt.Errorf("report: letter template: %w", j.err)
		}
		size := uint64(j.text.Len())
		h := &zip.FileHeader{Name: j.name, Method: zip.Store, CRC32: j.crc, CompressedSize64: size, UncompressedSize64: size}
		h.SetMode(0o600)
		zf, err := a.zw.CreateRaw(h)
		if err != nil {
			return fmt.Errorf("report: letters: %w", err)
		}
		if _, err := zf.Write(j.text.Bytes()); err != nil {
			return fmt.Errorf("report: letters: %w", err)
		}
		j.data = letterData{}
	}
	return nil
}

// close writes the remaining letters and the archive's directory.
func (a *letterArchive) close() error {
	err := a.flush()
	if err == nil {
		err = a.zw.Close()
	}
	if err == nil {
		err = a.bw.Flush()
	}
	if cerr := a.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("report: letters: %w", cerr)
	}
	return err
}

// abort closes the file of a failed rendering (the staging folder it is
// in is removed).
func (a *letterArchive) abort() { a.f.Close() }
