// Package parquetindex reads recording indexes stored as Parquet files
// for pkg/exposure. Importing it registers the "parquet" index format
// (extensions .parquet and .pq, magic "PAR1") with
// exposure.RegisterIndexFormat, so that exposure.LoadIndex reads such
// files; pkg/exposure itself does not import parquet-go.
//
// Columns are found by their top-level name, as IndexOptions.Columns
// maps them. subjects may be a string column in the CSV form, a list of
// such strings, or a list of structs with "role" and "id" fields;
// started_at may be a string or a TIMESTAMP.
package parquetindex

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

func init() {
	exposure.RegisterIndexFormat(exposure.IndexFormat{
		Name: "parquet", Exts: []string{".parquet", ".pq"}, Magic: "PAR1", Read: Read,
	})
}

var columns = [...]string{exposure.ColPath, exposure.ColCallID, exposure.ColStartedAt, exposure.ColDuration,
	exposure.ColSize, exposure.ColRegion, exposure.ColCallerPhone, exposure.ColSubjects}

// Read reads a Parquet index of size bytes from r into b.
func Read(r io.ReaderAt, size int64, b *exposure.IndexBuilder) (err error) {
	defer func() {
		// parquet-go panics on some corrupt files: report, do not crash.
		if p := recover(); p != nil {
			err = errors.New("exposure: parquet index: corrupt file")
		}
	}()
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return fmt.Errorf("exposure: parquet index: %w", err)
	}
	var names [len(columns)]string
	for i, c := range columns {
		names[i] = b.InputColumn(c)
	}
	schema := pf.Schema()
	paths := schema.Columns()
	leafCol := make([]int, len(paths))
	tsUnit := make([]time.Duration, len(paths))
	subjRole, subjID := -1, -1
	var found []string
	for i, p := range paths {
		leafCol[i] = -1
		if !slices.Contains(found, p[0]) {
			found = append(found, p[0])
		}
		c := slices.Index(names[:], strings.ToLower(p[0]))
		if c < 0 {
			continue
		}
		if columns[c] == exposure.ColSubjects && len(p) > 1 {
			switch strings.ToLower(p[len(p)-1]) {
			case "role":
				subjRole = i
				continue
			case "id":
				subjID = i
				continue
			}
		}
		leafCol[i] = c
		if leaf, ok := schema.Lookup(p...); ok {
			if lt := leaf.Node.Type().LogicalType(); lt != nil {
				if ts, ok := lt.Value.(*format.TimestampType); ok && ts.Unit.Value != nil {
					tsUnit[i] = ts.Unit.Value.Duration()
				}
			}
		}
	}
	if err := b.Header(found); err != nil {
		return err
	}
	pr := parquet.NewReader(pf)
	defer pr.Close()
	rows := make([]parquet.Row, 64)
	rowNum := 0
	var roles, ids []string
	for {
		n, rerr := pr.ReadRows(rows)
		for _, row := range rows[:n] {
			rowNum++
			ir := exposure.IndexRow{Row: rowNum}
			var text []string
			roles, ids = roles[:0], ids[:0]
			structured := false
			row.Range(func(ci int, vals []parquet.Value) bool {
				switch {
				case ci == subjRole:
					structured = true
					for _, v := range vals {
						roles = append(roles, str(v))
					}
				case ci == subjID:
					structured = true
					for _, v := range vals {
						ids = append(ids, str(v))
					}
				case ci >= len(leafCol) || leafCol[ci] < 0:
				case columns[leafCol[ci]] == exposure.ColSubjects:
					for _, v := range vals {
						if !v.IsNull() {
							text = append(text, str(v))
						}
					}
					ir.Set(exposure.ColSubjects, strings.Join(text, ";"))
				default:
					col := columns[leafCol[ci]]
					if len(vals) == 0 || vals[0].IsNull() {
						ir.Set(col, "")
						break
					}
					v := vals[0]
					if tsUnit[ci] != 0 && v.Kind() == parquet.Int64 {
						ir.StartedAt = time.Unix(0, 0).Add(time.Duration(v.Int64()) * tsUnit[ci]).UTC()
						break
					}
					ir.Set(col, str(v))
				}
				return true
			})
			if structured {
				ir.Subjects = []exposure.IndexSubject{}
				for k, id := range ids {
					if id = strings.TrimSpace(id); id != "" {
						role := ""
						if k < len(roles) {
							role = strings.TrimSpace(roles[k])
						}
						ir.Subjects = append(ir.Subjects, exposure.IndexSubject{Role: role, ID: id})
					}
				}
			}
			b.Add(&ir)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("exposure: parquet index: %w", rerr)
		}
	}
	return nil
}

// str returns a Parquet value as text ("" for null).
func str(v parquet.Value) string {
	if v.IsNull() {
		return ""
	}
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'f', -1, 32)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'f', -1, 64)
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	}
	return ""
}
