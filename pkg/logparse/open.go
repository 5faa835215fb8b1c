package logparse

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Open opens the named file and returns a Reader over its records: the
// one call that reads any log this package knows. The compression (gzip,
// bzip2, zstd or xz) is found from the file's first bytes as Input.Open
// finds it, whatever the file's name, and the format is detected from its
// first lines as DetectInput detects it (Reader.Detection says why). The
// name "-" reads standard input (named StdinName). A directory is an
// error: ExpandInputs turns folders, globs and rotated sets into Inputs,
// each read with OpenInput.
//
// The Reader's Name is the name given. Close the Reader when done.
func Open(name string) (*Reader, error) {
	if name != "-" {
		fi, err := os.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("logparse: %w", err)
		}
		if fi.IsDir() {
			return nil, fmt.Errorf("logparse: %s is a directory (use ExpandInputs and OpenInput)", name)
		}
	}
	ins, err := ExpandInputs([]string{name})
	if err != nil {
		return nil, err
	}
	if len(ins) != 1 {
		return nil, fmt.Errorf("logparse: %s names %d inputs, not one", name, len(ins))
	}
	return OpenInput(ins[0], nil)
}

// OpenInput opens in (see Input.Open: compression is found from its first
// bytes) and returns a Reader over its decompressed bytes, named in.Name,
// in format f; when f is nil, the format is detected from the input's
// first lines (see DetectInput) and Reader.Detection tells why. An input
// whose format cannot be detected is an error wrapping ErrNotDetected; an
// input that fails inside the sample (a compressed file cut short) is
// detected from the whole lines before the failure, and the Reader
// delivers them before the *ReadError.
//
// Close the Reader when done; InputReader gives the input's compression,
// SHA-256 and size once it was read to its end.
func OpenInput(in Input, f Format) (*Reader, error) {
	r, _, err := openInput(in, f)
	return r, err
}

// openInput is OpenInput that also returns the Detection when detection
// failed (its candidates), for ParallelReader's InputResult.
func openInput(in Input, f Format) (*Reader, *Detection, error) {
	ir, err := in.Open()
	if err != nil {
		return nil, nil, err
	}
	var src io.Reader = ir
	var det *Detection
	if f == nil {
		df, d, br, err := DetectInput(ir)
		if err != nil {
			ir.Close()
			if !errors.Is(err, ErrNotDetected) {
				return nil, &d, &ReadError{Path: in.Name, Err: err} // failed before the first newline
			}
			return nil, &d, &namedError{name: in.Name, err: err}
		}
		f, src, det = df, br, &d
	}
	r := NewReader(src, f)
	r.Name = in.Name
	r.input, r.detection = ir, det
	return r, det, nil
}

// Detection says why the Reader's format was chosen, when OpenInput or
// Open detected it; nil when the format was given.
func (r *Reader) Detection() *Detection { return r.detection }

// InputReader returns the opened input of a Reader made by Open or
// OpenInput (its compression, and its digest and raw size once read to
// the end), nil for a Reader made by NewReader.
func (r *Reader) InputReader() *InputReader { return r.input }

// Close releases the input opened by Open or OpenInput. For a Reader made
// by NewReader it does nothing: the caller owns that io.Reader.
func (r *Reader) Close() error {
	if r.input == nil {
		return nil
	}
	return r.input.Close()
}

// namedError puts an input's name into a package error that lacks it.
type namedError struct {
	name string
	err  error
}

func (e *namedError) Error() string {
	return "logparse: " + displayName(e.name) + ": " + strings.TrimPrefix(e.err.Error(), "logparse: ")
}

func (e *namedError) Unwrap() error { return e.err }
