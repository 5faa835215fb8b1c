package exposure

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// LoadIndex reads a recording index from the named file: CSV, TSV, JSONL
// or a format registered with RegisterIndexFormat (the CLI registers
// Parquet). Rows that cannot be used are left out, or kept in part, and
// reported by Errors; the error returned is for an input that cannot be
// used at all: no file, a required column missing or empty in every row
// (*IndexColumnsError), an I/O error.
//
// The file is mapped into memory (or read whole) and parsed in
// parallel.
func LoadIndex(name string, opt IndexOptions) (*Index, error) {
	format := opt.Format
	if format == "" {
		format = formatFromExt(name)
	}
	if f, ok := registeredFormat(format); ok || format == "" {
		file, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("exposure: %w", err)
		}
		defer file.Close()
		st, err := file.Stat()
		if err != nil {
			return nil, fmt.Errorf("exposure: %w", err)
		}
		if !ok {
			head := make([]byte, 8)
			n, _ := file.ReadAt(head, 0)
			if f, ok = formatByMagic(head[:n]); !ok {
				format = formatByContent(head[:n])
			}
		}
		if ok {
			return readRegistered(f, file, st.Size(), opt)
		}
	}
	data, release, drop, err := mapFile(name)
	if err != nil {
		return nil, fmt.Errorf("exposure: %w", err)
	}
	defer release()
	opt.Format = format
	return readIndexDataDrop(data, opt, drop)
}

// ReadIndex reads a recording index from r, as LoadIndex; a format that
// needs random access is read into memory first.
func ReadIndex(r io.Reader, opt IndexOptions) (*Index, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("exposure: reading index: %w", err)
	}
	format := opt.Format
	if format == "" {
		if f, ok := formatByMagic(data); ok {
			return readRegistered(f, bytes.NewReader(data), int64(len(data)), opt)
		}
		format = formatByContent(data)
	}
	if f, ok := registeredFormat(format); ok {
		return readRegistered(f, bytes.NewReader(data), int64(len(data)), opt)
	}
	opt.Format = format
	return readIndexData(data, opt)
}

func readIndexData(data []byte, opt IndexOptions) (*Index, error) {
	return readIndexDataDrop(data, opt, nil)
}

// readIndexDataDrop is readIndexData on mapped data: drop, when not nil,
// gives back the pages of each part once parsed.
func readIndexDataDrop(data []byte, opt IndexOptions, drop func([]byte)) (*Index, error) {
	switch opt.Format {
	case "csv", "tsv", "jsonl":
	case "parquet":
		return nil, fmt.Errorf("exposure: index format %q is not registered (import internal/parquetindex)", opt.Format)
	default:
		return nil, fmt.Errorf("exposure: unknown index format %q", opt.Format)
	}
	sh, err := newBuildShared(opt)
	if err != nil {
		return nil, err
	}
	sh.drop = drop
	if opt.Format == "jsonl" {
		return readJSONLIndex(data, sh)
	}
	return readCSVIndex(data, opt.Format == "tsv", sh)
}

func readRegistered(f IndexFormat, r io.ReaderAt, size int64, opt IndexOptions) (*Index, error) {
	b, err := NewIndexBuilder(opt)
	if err != nil {
		return nil, err
	}
	if err := f.Read(r, size, b); err != nil {
		return nil, err
	}
	return b.Finish()
}

// formatFromExt returns the format a file name suggests, or "".
func formatFromExt(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".csv":
		return "csv"
	case ".tsv":
		return "tsv"
	case ".jsonl", ".ndjson", ".json":
		return "jsonl"
	case ".parquet", ".pq":
		return "parquet"
	}
	formats.Lock()
	defer formats.Unlock()
	for _, f := range formats.list {
		if slices.Contains(f.Exts, ext) {
			return f.Name
		}
	}
	return ""
}

// formatByContent tells JSONL (a leading '{') from CSV.
func formatByContent(head []byte) string {
	head = bytes.TrimPrefix(head, utf8BOM)
	if bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("{")) {
		return "jsonl"
	}
	return "csv"
}

// An IndexFormat reads an index format that this package does not read
// itself, so that importing the package does not import its library.
// internal/parquetindex registers "parquet".
type IndexFormat struct {
	// Name is the IndexOptions.Format value.
	Name string
	// Exts are file extensions (".parquet") that choose the format.
	Exts []string
	// Magic, when not empty, recognises the format by the input's first
	// bytes.
	Magic string
	// Read reads the whole input into b: Header first when the format
	// has column names, then Add for each row. An error is for an input
	// that cannot be read at all; it should carry the "exposure: " or
	// its own package prefix, and never a value from the input.
	Read func(r io.ReaderAt, size int64, b *IndexBuilder) error
}

var formats struct {
	sync.Mutex
	list []IndexFormat
}

// RegisterIndexFormat makes a format available to LoadIndex and
// ReadIndex. A later registration of a name replaces the earlier one.
func RegisterIndexFormat(f IndexFormat) {
	formats.Lock()
	defer formats.Unlock()
	formats.list = slices.DeleteFunc(formats.list, func(g IndexFormat) bool { return g.Name == f.Name })
	formats.list = append(formats.list, f)
}

func registeredFormat(name string) (IndexFormat, bool) {
	formats.Lock()
	defer formats.Unlock()
	for _, f := range formats.list {
		if f.Name == name {
			return f, true
		}
	}
	return IndexFormat{}, false
}

func formatByMagic(head []byte) (IndexFormat, bool) {
	formats.Lock()
	defer formats.Unlock()
	for _, f := range formats.list {
		if f.Magic != "" && bytes.HasPrefix(head, []byte(f.Magic)) {
			return f, true
		}
	}
	return IndexFormat{}, false
}
