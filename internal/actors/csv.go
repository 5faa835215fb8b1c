package actors

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseCSV reads an actors file in CSV. The first record is the header:
// label (required), category, cidrs, user_agents and note, in any order.
// A cidrs cell holds addresses separated by spaces or commas; a
// user_agents cell one pattern per line. Lines starting with # are
// comments. name is used in errors.
func ParseCSV(r io.Reader, name string) (*Directory, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true

	header, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{Path: name, Err: ErrNoEntries}
	}
	if err != nil {
		return nil, csvError(name, 0, err)
	}
	line, _ := cr.FieldPos(0)
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "label", "category", "cidrs", "user_agents", "note":
		default:
			return nil, &Error{Path: name, Line: line, Err: fmt.Errorf("%w: column %d", ErrUnknownField, i+1)}
		}
		if _, dup := col[h]; dup {
			return nil, &Error{Path: name, Line: line, Err: fmt.Errorf("%w: %s", ErrDuplicate, h)}
		}
		col[h] = i
	}
	if _, ok := col["label"]; !ok {
		return nil, &Error{Path: name, Line: line, Err: fmt.Errorf("%w: the header has no label column", ErrStructure)}
	}
	cell := func(rec []string, h string) string {
		if i, ok := col[h]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}

	var raws []raw
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, len(raws)+1, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > len(header) {
			return nil, &Error{Path: name, Entry: len(raws) + 1, Line: line,
				Err: fmt.Errorf("%w: more cells than the header has columns", ErrStructure)}
		}
		if blank(rec) {
			continue
		}
		raws = append(raws, raw{
			label:    cell(rec, "label"),
			category: cell(rec, "category"),
			cidrs:    splitCIDRs(cell(rec, "cidrs")),
			uas:      splitLines(cell(rec, "user_agents")),
		})
		lines = append(lines, line)
	}
	return build(name, raws, lines)
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// csvError turns an encoding/csv error into an Error with its line; the
// csv package's messages name the problem, not the text.
func csvError(name string, entry int, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Path: name, Entry: entry, Line: pe.Line, Err: fmt.Errorf("%w: %w", ErrSyntax, pe.Err)}
	}
	return &Error{Path: name, Entry: entry, Err: fmt.Errorf("%w: %w", ErrSyntax, err)}
}
