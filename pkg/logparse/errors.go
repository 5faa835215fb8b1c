package logparse

import (
	"errors"
	"fmt"
	"strconv"
)

// Kinds of line errors, wrapped by ParseError. Compare with errors.Is.
var (
	ErrLineTooLong   = errors.New("line too long")
	ErrBinary        = errors.New("binary data (NUL bytes)")
	ErrFieldCount    = errors.New("wrong number of fields")
	ErrQuote         = errors.New("unbalanced or missing quote")
	ErrTimestamp     = errors.New("bad timestamp")
	ErrAddress       = errors.New("bad client address")
	ErrRequestLine   = errors.New("bad request line")
	ErrStatus        = errors.New("bad status")
	ErrNumber        = errors.New("bad number")
	ErrLiteral       = errors.New("text does not match the format")
	ErrTrailing      = errors.New("unexpected data after last field")
	ErrSyntax        = errors.New("syntax error")
	ErrNoFields      = errors.New("data line before any #Fields header")
	ErrTruncated     = errors.New("input cut short inside a line")
	ErrUnknownFormat = errors.New("unknown format")
	// ErrNotHTTP marks a line that the format recognises as its server's
	// but that records no HTTP request: an HAProxy TCP-mode connection, an
	// FTP session line of a W3C log. It is counted as rejected, under its
	// own kind, and Detect counts such lines as recognised.
	ErrNotHTTP = errors.New("not an HTTP request (a TCP connection or another service's line)")
)

// ErrCompressed is wrapped by the fatal error a Reader made by NewReader
// returns for an input that starts with the magic bytes of gzip, bzip2,
// zstd or xz: NewReader reads bytes as they are, Open decompresses.
var ErrCompressed = errors.New("compressed input (NewReader does not decompress: use logparse.Open or Input.Open)")

// noName stands for the input's name in errors when the Reader's Name is
// not set.
const noName = "<input>"

// displayName returns name, or noName for "".
func displayName(name string) string {
	if name == "" {
		return noName
	}
	return name
}

// A ParseError reports a line that could not be parsed. The reader goes on
// with the next line. It carries the line's position, never its contents.
type ParseError struct {
	Path   string // input name
	Line   int64  // 1-based line number
	Column int    // 1-based byte column where the problem was found, 0 if unknown
	Offset int64  // byte offset of the problem in the decompressed input
	Err    error  // the kind, one of the Err* values above or a wrapper of one
}

func (e *ParseError) Error() string {
	s := displayName(e.Path) + ":" + strconv.FormatInt(e.Line, 10)
	if e.Column > 0 {
		s += ":" + strconv.Itoa(e.Column)
	}
	return s + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// A ReadError reports a failure to read an input (an I/O error, a corrupt
// or cut-short compressed stream). It ends the input: Read returns it again
// on every later call. Records before it were delivered.
type ReadError struct {
	Path   string
	Line   int64 // lines read before the failure
	Offset int64 // decompressed bytes read before the failure
	Err    error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("logparse: %s: read error after line %d (byte %d): %v", displayName(e.Path), e.Line, e.Offset, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// A lineError is what a Parser returns: a kind and a 0-based column. The
// Reader turns it into a ParseError with the line's position.
type lineError struct {
	col  int
	kind error
}

func (e *lineError) Error() string { return e.kind.Error() }
func (e *lineError) Unwrap() error { return e.kind }

// errAt returns a parser error of the given kind at 0-based column col.
func errAt(col int, kind error) error { return &lineError{col: col, kind: kind} }
