package logparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"unicode/utf8"
)

// DefaultMaxLineLength is the longest line a Reader accepts when
// MaxLineLength is zero. Longer lines are rejected with ErrLineTooLong
// and the reader resynchronises at the next newline.
const DefaultMaxLineLength = 1 << 20

// DefaultMaxDiscard bounds the bytes of one over-long line that a Reader
// skips while it looks for the line's end, when MaxDiscard is zero: 1 GiB.
// An input without a newline in that many bytes is not a line-oriented
// log (/dev/zero, a disk image, a stream of garbage): the Reader ends it
// with a *ReadError wrapping ErrNoLineEnd instead of reading for ever.
const DefaultMaxDiscard = 1 << 30

// ErrNoLineEnd is wrapped by the *ReadError that ends an input in which
// the Reader found no newline within MaxDiscard bytes of a line's start.
var ErrNoLineEnd = errors.New("no line end within the bound: not a line-oriented log")

// Stats counts what a Reader did with the lines it read. For every input,
// Lines == Records + Skipped + Rejected.
type Stats struct {
	Lines    int64 // lines read; a last line without a newline counts
	Records  int64 // lines returned as records
	Skipped  int64 // blank lines, comments and header directives
	Rejected int64 // lines returned as *ParseError
	Bytes    int64 // decompressed bytes read

	CRLF        int64 // lines that ended in CR LF (the CR is dropped)
	InvalidUTF8 int64 // records holding bytes that are not UTF-8 (kept as they are)
	NULPrefixed int64 // lines that began with NUL bytes (dropped before parsing)

	// RejectedBy counts rejected lines by kind (the kind's message).
	RejectedBy map[string]int64
}

// A Reader reads records from one input in one format.
//
// As with encoding/csv, settings are exported fields to set before the
// first call to Read. A Reader is not safe for concurrent use; to use all
// cores, see ParallelReader.
//
// NewReader reads the bytes it is given as they are: an input that starts
// with the magic bytes of gzip, bzip2, zstd or xz is refused with an error
// wrapping ErrCompressed. Open and OpenInput decompress.
type Reader struct {
	// Name is the input's name, used in records (Source) and errors.
	Name string
	// ReuseRecord makes Read return the same *Record each time, with
	// strings that alias the reader's buffer: valid until the next Read.
	// It avoids all allocation per line on the common formats.
	ReuseRecord bool
	// MaxLineLength bounds a line in bytes; 0 means DefaultMaxLineLength.
	MaxLineLength int
	// MaxDiscard bounds the bytes of an over-long line skipped in search
	// of its end; 0 means DefaultMaxDiscard. Past it the input ends with
	// a *ReadError wrapping ErrNoLineEnd.
	MaxDiscard int64

	r      io.Reader
	format Format
	parser Parser

	// firstLine and firstOffset are the line count and byte offset that
	// precede the stream when it is a section of a larger input (a chunk
	// of a split file, see ParallelReader).
	firstLine   int64
	firstOffset int64

	// Set by Open and OpenInput.
	input     *InputReader
	detection *Detection

	buf        []byte
	start, end int   // unread bytes are buf[start:end]
	consumed   int64 // stream bytes before buf[start]
	eof        bool
	readErr    error // from r, not yet reported
	fatal      error // sticky error returned by every later Read (io.EOF at the end)
	started    bool
	sniffed    bool  // the first bytes were checked for compression
	discarding bool  // inside an over-long line, looking for its end
	discarded  int64 // bytes of that line skipped so far
	line       int64

	rec   Record
	stats Stats
}

// NewReader returns a Reader that parses r in format f.
func NewReader(r io.Reader, f Format) *Reader {
	return &Reader{r: r, format: f, parser: f.NewParser()}
}

// Format returns the reader's format.
func (r *Reader) Format() Format { return r.format }

// Stats returns the counts so far.
func (r *Reader) Stats() Stats { return r.stats }

// Read returns the next record. A line that cannot be parsed yields a
// *ParseError: the caller may call Read again to go on. At the end of the
// input Read returns io.EOF. Any other error (a *ReadError, an input that
// is compressed) is fatal: the input ended early, and Read returns the
// same error on every later call; Err returns it too. Lines that hold no
// request (comments, headers, blank lines) are skipped.
func (r *Reader) Read() (*Record, error) {
	if r.fatal != nil {
		return nil, r.fatal
	}
	if !r.started {
		r.start1()
	}
	if !r.sniffed {
		if err := r.sniff(); err != nil {
			r.fatal = err
			return nil, err
		}
	}
	for {
		line, off, err := r.readLine()
		if err != nil {
			if perr, ok := err.(*ParseError); ok {
				r.reject(perr)
				return nil, perr
			}
			r.fatal = err
			return nil, err
		}
		rec := &r.rec
		if !r.ReuseRecord {
			rec = new(Record)
			line = bytes.Clone(line)
		}
		rec.reset(r.ReuseRecord)
		rec.Source, rec.Line, rec.Offset = r.Name, r.line, off

		if len(line) > 0 && line[0] == 0 {
			n := 0
			for n < len(line) && line[n] == 0 {
				n++
			}
			line, off = line[n:], off+int64(n)
			rec.Offset = off
			r.stats.NULPrefixed++
		}
		if i := bytes.IndexByte(line, 0); i >= 0 {
			perr := r.lineErr(off, &lineError{col: i, kind: ErrBinary})
			r.reject(perr)
			return nil, perr
		}
		err = r.parser.Parse(line, rec)
		switch {
		case err == nil:
			r.stats.Records++
			if !utf8.Valid(line) {
				r.stats.InvalidUTF8++
			}
			return rec, nil
		case err == ErrSkip:
			r.stats.Skipped++
			continue
		default:
			perr := r.lineErr(off, err)
			r.reject(perr)
			return nil, perr
		}
	}
}

// All returns an iterator over the records and line errors of r, for use
// in a range loop. It yields each record with a nil error, and each line
// that could not be parsed as a nil record with its *ParseError (the loop
// may go on). It never yields io.EOF or a fatal error: the loop just ends,
// and Err tells whether the input was read to its end, as with
// bufio.Scanner:
//
//	for rec, err := range r.All() {
//		if err != nil {
//			continue // a *ParseError: the line's position and kind
//		}
//		use(rec)
//	}
//	if err := r.Err(); err != nil {
//		return err // the input ended early: records are missing
//	}
func (r *Reader) All() iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for {
			rec, err := r.Read()
			if err != nil {
				perr, ok := err.(*ParseError)
				if !ok {
					return // io.EOF or fatal: see Err
				}
				if !yield(nil, perr) {
					return
				}
				continue
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// Err returns the fatal error that ended the input early: a *ReadError, an
// error wrapping ErrCompressed, or an error of the underlying reader. It
// returns nil while the input is being read and once it was read to its
// end. Check it after a loop over All; a loop over Read sees the same
// error from Read.
func (r *Reader) Err() error {
	if r.fatal == io.EOF {
		return nil
	}
	return r.fatal
}

func (r *Reader) start1() {
	r.started = true
	r.line = r.firstLine
	r.consumed = r.firstOffset
	if r.MaxLineLength <= 0 {
		r.MaxLineLength = DefaultMaxLineLength
	}
	if r.MaxDiscard <= 0 {
		r.MaxDiscard = DefaultMaxDiscard
	}
	size := 256 << 10
	if size > r.MaxLineLength+1 {
		size = r.MaxLineLength + 1
	}
	r.buf = make([]byte, size)
}

// magicLen is the length of the longest magic sniffCompression knows (xz).
const magicLen = 6

// sniff refuses an input that starts with the magic bytes of a
// compression format, rather than rejecting each of its lines as binary.
// A section of a larger input (firstOffset > 0) is not checked.
func (r *Reader) sniff() error {
	r.sniffed = true
	if r.firstOffset > 0 || r.firstLine > 0 {
		return nil
	}
	for r.end-r.start < magicLen && !r.eof && r.readErr == nil && r.end < len(r.buf) {
		r.fill()
	}
	if c := sniffCompression(r.buf[r.start:r.end]); c != CompressionNone {
		return fmt.Errorf("logparse: %s: %s: %w", displayName(r.Name), c, ErrCompressed)
	}
	return nil
}

func (r *Reader) reject(perr *ParseError) {
	r.stats.Rejected++
	if r.stats.RejectedBy == nil {
		r.stats.RejectedBy = make(map[string]int64)
	}
	r.stats.RejectedBy[errorKind(perr.Err).Error()]++
}

func errorKind(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

func (r *Reader) lineErr(off int64, err error) *ParseError {
	perr := &ParseError{Path: r.Name, Line: r.line, Offset: off, Err: err}
	var le *lineError
	if errors.As(err, &le) {
		perr.Err = le.kind
		perr.Column = le.col + 1
		perr.Offset = off + int64(le.col)
	}
	return perr
}

// readLine returns the next line without its terminator and the stream
// offset of its first byte. It returns a *ParseError for a line that is too
// long or cut short, a *ReadError for a failing input, and io.EOF.
func (r *Reader) readLine() ([]byte, int64, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.start:r.end], '\n'); i >= 0 {
			lineStart := r.consumed
			line := r.buf[r.start : r.start+i]
			r.advance(i + 1)
			if r.discarding {
				r.discarding, r.discarded = false, 0
				continue // the over-long line's end; already reported
			}
			r.line++
			r.stats.Lines++
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
				r.stats.CRLF++
			}
			if r.line == 1 && bytes.HasPrefix(line, utf8BOM) {
				line = line[len(utf8BOM):]
				lineStart += int64(len(utf8BOM))
			}
			return line, lineStart, nil
		}
		pending := r.end - r.start
		if r.discarding {
			r.advance(pending)
			r.discarded += int64(pending)
			if r.discarded > r.MaxDiscard {
				return nil, 0, &ReadError{Path: r.Name, Line: r.line, Offset: r.consumed, Err: ErrNoLineEnd}
			}
		} else if pending > r.MaxLineLength {
			r.line++
			r.stats.Lines++
			perr := &ParseError{Path: r.Name, Line: r.line, Offset: r.consumed, Err: ErrLineTooLong}
			r.discarding, r.discarded = true, int64(pending)
			r.advance(pending)
			return nil, 0, perr
		}
		if r.eof || r.readErr != nil {
			pending = r.end - r.start
			if pending > 0 && !r.discarding {
				lineStart := r.consumed
				line := r.buf[r.start:r.end]
				r.advance(pending)
				r.line++
				r.stats.Lines++
				if r.readErr != nil {
					// The input failed inside this line: it is cut short.
					return nil, 0, &ParseError{Path: r.Name, Line: r.line, Offset: lineStart, Err: ErrTruncated}
				}
				if n := len(line); n > 0 && line[n-1] == '\r' {
					line = line[:n-1]
				}
				if r.line == 1 && bytes.HasPrefix(line, utf8BOM) {
					line = line[len(utf8BOM):]
					lineStart += int64(len(utf8BOM))
				}
				return line, lineStart, nil
			}
			if r.readErr != nil {
				return nil, 0, &ReadError{Path: r.Name, Line: r.line, Offset: r.consumed, Err: r.readErr}
			}
			return nil, 0, io.EOF
		}
		r.fill()
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func (r *Reader) advance(n int) {
	r.start += n
	r.consumed += int64(n)
}

// fill reads more input, compacting or growing the buffer as needed.
func (r *Reader) fill() {
	if r.start > 0 {
		n := copy(r.buf, r.buf[r.start:r.end])
		r.start, r.end = 0, n
	}
	if r.end == len(r.buf) {
		size := 2 * len(r.buf)
		if size > r.MaxLineLength+1 {
			size = r.MaxLineLength + 1
		}
		if size <= len(r.buf) {
			// Full of one over-long line: let readLine report it.
			return
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	n, err := r.r.Read(r.buf[r.end:])
	r.end += n
	r.stats.Bytes += int64(n)
	if err == io.EOF {
		r.eof = true
	} else if err != nil {
		r.readErr = err
	}
}
