package exposure

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"
)

// CSV and TSV indexes, read in parallel: the input is cut into parts at
// line starts, each part is parsed on its own from its first line as if
// a row started there, and the parts are checked in order: a part whose
// first row did not start where it was cut (a quoted field ran over a
// line end) is parsed again from where its predecessor ended. Rows and
// errors are the same as encoding/csv gives with FieldsPerRecord -1 and
// strict quotes, but '\ufeff' at the start of the input is skipped.

// csvPartSize is the least size of a part read on its own (a variable
// for the tests, which cut small inputs into many parts).
var csvPartSize = 256 << 10

func readCSVIndex(data []byte, tabs bool, sh *buildShared) (*Index, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	comma := byte(',')
	if tabs {
		comma = '\t'
	}
	hs := csvScanner{data: data, comma: comma}
	header, _, err, ok := hs.next(len(data))
	if !ok {
		return nil, errors.New("exposure: index is empty (no header)")
	}
	if err != nil {
		return nil, fmt.Errorf("exposure: index header: %w", err.Err)
	}
	if len(header) == 1 && bytes.IndexByte([]byte(header[0]), '\t') >= 0 {
		// A tab-separated file read as CSV: give up clearly.
		return nil, errors.New("exposure: index header has one column (tab-separated? use Format \"tsv\")")
	}
	header = slices.Clone(header)
	for i, h := range header {
		header[i] = strings.Clone(h) // the data may be unmapped later
	}
	pos, err2 := sh.columnPositions(header)
	if err2 != nil {
		return nil, err2
	}
	body := hs.pos
	headerLines := hs.line

	starts := partStarts(data, body)
	chunks := make([]*chunk, len(starts)-1)
	defer unadviseChunks(chunks)
	parse := func(k, from int) *chunk {
		c := &chunk{start: from}
		sh.reserve(c, data[from:starts[k+1]])
		e := sh.encoder(c)
		s := csvScanner{data: data, pos: from, comma: comma}
		var row IndexRow
		for {
			fields, line, perr, ok := s.next(starts[k+1])
			if !ok {
				break
			}
			if perr != nil {
				e.fail(line, -1, fmt.Errorf("%w: %w", ErrIndexSyntax, perr.Err))
				continue
			}
			if len(fields) != len(header) {
				e.fail(line, -1, ErrIndexFields)
				continue
			}
			row = IndexRow{Row: line}
			for i, p := range pos {
				if p >= 0 {
					row.vals[i], row.given[i] = fields[p], true
				}
			}
			e.add(&row)
		}
		c.end, c.lines = s.pos, s.line
		sh.parsed(c, data[from:c.end])
		return c
	}
	var wg sync.WaitGroup
	next := make(chan int, len(chunks))
	for k := range chunks {
		next <- k
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Go(func() {
			for k := range next {
				chunks[k] = parse(k, starts[k])
			}
		})
	}
	wg.Wait()
	// Check the parts in order; count lines.
	at, line := body, headerLines
	for k, c := range chunks {
		if c.start != at {
			if at >= starts[k+1] {
				// The previous part's last row covered all of this one.
				chunks[k] = &chunk{start: at, end: at, maxStart: math.MinInt64}
				c = chunks[k]
			} else {
				c = parse(k, at)
				chunks[k] = c
			}
		}
		c.line = line
		line += c.lines
		at = c.end
	}
	var has [numIndexColumns]bool
	for i, p := range pos {
		has[i] = p >= 0
	}
	if err := sh.checkColumns(chunks, has, header); err != nil {
		return nil, err
	}
	return sh.assemble(chunks)
}

var utf8BOM = []byte("\xef\xbb\xbf")

// csvScanner reads CSV records from data, as encoding/csv would.
type csvScanner struct {
	data   []byte
	pos    int
	line   int // line ends passed since the scanner's start
	comma  byte
	fields []string
	buf    []byte
	ends   []int
}

// readLine returns the next line without its line end ("\n" or "\r\n";
// a '\r' before the end of the input is dropped too) and whether it had
// one. ok is false at the end of the input.
func (s *csvScanner) readLine() (line []byte, nl, ok bool) {
	if s.pos >= len(s.data) {
		return nil, false, false
	}
	rest := s.data[s.pos:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		s.pos = len(s.data)
		line = rest
	} else {
		s.pos += i + 1
		s.line++
		line, nl = rest[:i], true
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nl, true
}

// next reads the record that starts before limit, skipping empty lines;
// ok is false when there is none. line is the record's first line,
// counted from 1 at the scanner's start. The fields are valid until the
// next call; a *csv.ParseError says why the record is unusable.
func (s *csvScanner) next(limit int) (fields []string, line int, perr *csv.ParseError, ok bool) {
	var content []byte
	var nl bool
	for {
		if s.pos >= limit {
			return nil, 0, nil, false
		}
		line = s.line + 1
		if content, nl, ok = s.readLine(); !ok {
			return nil, 0, nil, false
		}
		if len(content) > 0 {
			break
		}
	}
	fail := func(err error) ([]string, int, *csv.ParseError, bool) {
		return nil, line, &csv.ParseError{StartLine: line, Line: s.line + 1, Err: err}, true
	}
	s.fields = s.fields[:0]
	if bytes.IndexByte(content, '"') < 0 {
		// The common row: no quotes at all.
		for {
			i := bytes.IndexByte(content, s.comma)
			if i < 0 {
				s.fields = append(s.fields, bstr(content))
				return s.fields, line, nil, true
			}
			s.fields = append(s.fields, bstr(content[:i]))
			content = content[i+1:]
		}
	}
	s.buf, s.ends = s.buf[:0], s.ends[:0]
fields:
	for {
		if len(content) == 0 || content[0] != '"' {
			i := bytes.IndexByte(content, s.comma)
			field := content
			if i >= 0 {
				field = content[:i]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return fail(csv.ErrBareQuote)
			}
			s.buf = append(s.buf, field...)
			s.ends = append(s.ends, len(s.buf))
			if i < 0 {
				break fields
			}
			content = content[i+1:]
			continue
		}
		content = content[1:]
		for {
			i := bytes.IndexByte(content, '"')
			if i >= 0 {
				s.buf = append(s.buf, content[:i]...)
				content = content[i+1:]
				switch {
				case len(content) > 0 && content[0] == '"':
					s.buf = append(s.buf, '"')
					content = content[1:]
				case len(content) > 0 && content[0] == s.comma:
					content = content[1:]
					s.ends = append(s.ends, len(s.buf))
					continue fields
				case len(content) == 0:
					s.ends = append(s.ends, len(s.buf))
					break fields
				default:
					return fail(csv.ErrQuote)
				}
				continue
			}
			if len(content) == 0 && !nl {
				// The input ends inside a quoted field.
				return fail(csv.ErrQuote)
			}
			s.buf = append(s.buf, content...)
			if nl {
				s.buf = append(s.buf, '\n')
			}
			if content, nl, ok = s.readLine(); !ok {
				return fail(csv.ErrQuote)
			}
		}
	}
	str := string(s.buf)
	prev := 0
	for _, e := range s.ends {
		s.fields = append(s.fields, str[prev:e])
		prev = e
	}
	return s.fields, line, nil, true
}

// bstr views b as a string; b must not change while the string is used.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// partStarts cuts data[body:] at line starts into parts to parse on all
// cores, a few per core: the parts' starts, then len(data).
func partStarts(data []byte, body int) []int {
	size := max(csvPartSize, (len(data)-body)/(runtime.GOMAXPROCS(0)*4)+1)
	if csvPartSize < 64 {
		size = csvPartSize // the tests' many parts
	}
	starts := []int{body}
	for at := body + size; at < len(data); at += size {
		nl := bytes.IndexByte(data[at-1:], '\n')
		if nl < 0 {
			break
		}
		if s := at + nl; s > starts[len(starts)-1] && s < len(data) {
			starts = append(starts, s)
		}
	}
	return append(starts, len(data))
}
