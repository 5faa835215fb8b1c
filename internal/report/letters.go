package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"text/template"
)

// letterBatch is the number of letters rendered together before they are
// written: enough to keep every processor busy, little enough memory
// (a letter is a few KiB).
const letterBatch = 2048

// lettersPerArchive is the number of letters in one ZIP file. A ZIP
// writer keeps about 200 bytes per entry until the archive's directory is
// written at its end: 100,000 letters keep it near 20 MB per region, where
// Stockholm's 2.2 million of the incident in one archive would hold
// 440 MB. Tests make it small.
var lettersPerArchive = 100_000

// letterArchive writes one region's letters, one Markdown file per person
// (<region>-NNNNN.md), into ZIP files of lettersPerArchive letters each
// (letters/<region>-001.zip, -002.zip, ...): a file per person is what a
// mail-merge or a digital mailbox takes, and a few archives per region keep
// millions of them cheap to write, copy and remove (no file system entry
// each). Letters are rendered in parallel, in batches, and written in
// list order, so the archives are the same bytes whatever the number of
// processors. They are stored, not compressed: deflating millions of
// letters of a few KiB each cost three times as much as rendering them
// (each entry is compressed on its own, with a Huffman table of its own).
type letterArchive struct {
	dir, slug string
	tmpl      *template.Template
	prog      *letterProgram // tmpl compiled, nil if it cannot be
	jobs      []letterJob
	n         int // jobs pending in jobs[:n]
	procs     int

	part   int // number of the archive being written, from 1
	inPart int // letters in it
	f      *os.File
	bw     *bufio.Writer
	zw     *zip.Writer
}

// letterJob is one letter: its entry name and data in, its text out.
type letterJob struct {
	name string
	data letterData
	text bytes.Buffer
	crc  uint32
	err  error
}

func newLetterArchive(dir, slug string, tmpl *template.Template, prog *letterProgram) *letterArchive {
	return &letterArchive{dir: dir, slug: slug, tmpl: tmpl, prog: prog, jobs: make([]letterJob, letterBatch), procs: runtime.GOMAXPROCS(0)}
}

// next returns the path, relative to the output directory, under which
// the letter of list row row is found: the archive's path, then the
// entry's name ("letters/stockholm-001.zip/stockholm-00001.md", the path
// a file manager that opens ZIP files as folders shows), and the entry's
// name alone.
func (a *letterArchive) next(row int) (path, entry string) {
	entry = fmt.Sprintf("%s-%05d.md", a.slug, row)
	return "letters/" + a.archiveName((row-1)/lettersPerArchive+1) + "/" + entry, entry
}

func (a *letterArchive) archiveName(part int) string {
	return fmt.Sprintf("%s-%03d.zip", a.slug, part)
}

// add queues a letter; it is written with its batch.
func (a *letterArchive) add(entry string, d letterData) error {
	j := &a.jobs[a.n]
	j.name, j.data = entry, d
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
				if a.prog != nil {
					a.prog.run(&j.text, &j.data)
				} else {
					j.err = a.tmpl.Execute(&j.text, j.data)
				}
				if j.err == nil {
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
		if a.zw == nil || a.inPart == lettersPerArchive {
			if err := a.nextPart(); err != nil {
				return err
			}
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
		a.inPart++
		j.data = letterData{}
	}
	return nil
}

// nextPart ends the archive being written, if any, and begins the next.
func (a *letterArchive) nextPart() error {
	if err := a.endPart(); err != nil {
		return err
	}
	a.part++
	f, err := os.OpenFile(filepath.Join(a.dir, a.archiveName(a.part)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	a.f, a.inPart = f, 0
	a.bw = bufio.NewWriterSize(f, 1<<20)
	a.zw = zip.NewWriter(a.bw)
	return nil
}

// endPart writes the archive's directory and closes it.
func (a *letterArchive) endPart() error {
	if a.zw == nil {
		return nil
	}
	err := a.zw.Close()
	if err == nil {
		err = a.bw.Flush()
	}
	if cerr := a.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	a.zw, a.bw, a.f = nil, nil, nil
	if err != nil {
		return fmt.Errorf("report: letters: %w", err)
	}
	return nil
}

// close writes the remaining letters and ends the last archive.
func (a *letterArchive) close() error {
	if err := a.flush(); err != nil {
		return err
	}
	return a.endPart()
}

// abort closes the file of a failed rendering (the staging folder it is
// in is removed).
func (a *letterArchive) abort() {
	if a.f != nil {
		a.f.Close()
	}
}
