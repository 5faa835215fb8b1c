package exposure

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
)

// JSONL indexes: one JSON object per line, read in parallel by parts cut
// at line starts (a JSON line holds no raw newline).

// maxLine bounds a JSONL line.
const maxLine = 1 << 20

func readJSONLIndex(data []byte, sh *buildShared) (*Index, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	starts := partStarts(data, 0)
	chunks := make([]*chunk, len(starts)-1)
	defer unadviseChunks(chunks)
	var wg sync.WaitGroup
	next := make(chan int, len(chunks))
	for k := range chunks {
		next <- k
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Go(func() {
			for k := range next {
				c := &chunk{start: starts[k], end: starts[k+1]}
				sh.reserve(c, data[c.start:c.end])
				e := sh.encoder(c)
				part := data[c.start:c.end]
				for n := 1; len(part) > 0; n++ {
					line := part
					if i := bytes.IndexByte(part, '\n'); i >= 0 {
						line, part = part[:i], part[i+1:]
						c.lines++
					} else {
						part = nil
					}
					switch {
					case len(line) > maxLine:
						e.fail(n, -1, ErrIndexTooLong)
					case len(bytes.TrimSpace(line)) > 0:
						e.addJSON(n, line)
					}
				}
				sh.parsed(c, data[c.start:c.end])
				chunks[k] = c
			}
		})
	}
	wg.Wait()
	line := 0
	var has [numIndexColumns]bool
	for _, c := range chunks {
		c.line = line
		line += c.lines
		for i, h := range c.has {
			has[i] = has[i] || h
		}
	}
	if err := sh.checkColumns(chunks, has, nil); err != nil {
		return nil, err
	}
	return sh.assemble(chunks)
}

// addJSON adds one JSONL line.
func (e *rowEncoder) addJSON(n int, line []byte) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		e.fail(n, -1, ErrIndexSyntax)
		return
	}
	row := IndexRow{Row: n}
	for k, raw := range obj {
		k = strings.ToLower(strings.TrimSpace(k))
		for i, c := range e.sh.cols {
			if k != c {
				continue
			}
			e.out.has[i] = true
			if i == cSubjects {
				subj, ok := jsonSubjects(raw)
				if !ok {
					e.fail(n, cSubjects, ErrIndexSubjects)
					return
				}
				row.Subjects = subj
				continue
			}
			v, ok := jsonScalar(raw)
			if !ok {
				e.fail(n, i, ErrIndexSyntax)
				return
			}
			row.vals[i], row.given[i] = v, true
		}
	}
	e.add(&row)
}

// jsonScalar returns a JSON string's value, a number's text, "" for null.
func jsonScalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", true
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9':
		return string(raw), true
	}
	return "", false
}

// jsonSubjects reads [{"role": ..., "id": ...}], a list of strings in the
// CSV item form, or one string in the CSV form.
func jsonSubjects(raw json.RawMessage) ([]IndexSubject, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		s, ok := jsonScalar(raw)
		if !ok {
			return nil, false
		}
		return parseSubjects(s, nil), true
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	out := []IndexSubject{}
	for _, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '{' {
			var o struct {
				Role string          `json:"role"`
				ID   json.RawMessage `json:"id"`
			}
			if json.Unmarshal(it, &o) != nil {
				return nil, false
			}
			id, ok := jsonScalar(o.ID)
			if !ok {
				return nil, false
			}
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, IndexSubject{Role: strings.TrimSpace(o.Role), ID: id})
			}
			continue
		}
		s, ok := jsonScalar(it)
		if !ok {
			return nil, false
		}
		out = parseSubjects(s, out)
	}
	return out, true
}
