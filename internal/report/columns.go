package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// flatColumn is one top-level, non-repeated column that a flatReader
// reads into a row of type T.
type flatColumn[T any] struct {
	name string
	kind parquet.Kind // ByteArray, Boolean or Int64 (a timestamp in milliseconds)
	// set stores a value into the row. Byte arrays are valid only during
	// the call.
	set func(row *T, v parquet.Value, s *strCache)
	// cache keeps the column's strings (see strCache); few, when the
	// column has few distinct values.
	few bool
}

// strCache makes strings of a column's byte arrays without allocating
// for the value just seen (exposures.parquet is in recording order, so
// a recording's path, call and persons repeat row after row) and, for
// columns with few distinct values (levels, roles, regions), for any
// value seen before.
type strCache struct {
	last  string
	names map[string]string
}

func (c *strCache) get(b []byte) string {
	if string(b) == c.last {
		return c.last
	}
	if c.names != nil {
		if s, ok := c.names[string(b)]; ok {
			c.last = s
			return s
		}
	}
	s := string(b)
	if c.names != nil && len(c.names) < 1<<14 {
		c.names[s] = s
	}
	c.last = s
	return s
}

// flatReader reads chosen flat columns of a Parquet file column by
// column, a batch of rows at a time, without decoding the file's other
// columns or building rows through reflection. A column the file lacks
// leaves its field at the zero value, as parquet-go's generic reader
// does.
type flatReader[T any] struct {
	f    *os.File
	pf   *parquet.File
	name string
	cols []flatColumn[T]
	idx  []int // the file's column index of each column, -1 if missing
	str  []strCache

	rg    int // row groups begun
	left  int64
	pages []parquet.Pages
	vals  []parquet.Value
	buf   []T
	i, n  int
	err   error
	// readers of the current page of each column; page kept to release it
	vr   []parquet.ValueReader
	page []parquet.Page
}

// errNotFlat says the file's columns are not of the types a flatReader
// takes: the caller reads the file another way.
var errNotFlat = errors.New("columns not flat or of another type")

// openFlat opens the Parquet file name in dir for a flatReader, or
// returns errNotFlat when one of the columns present is not a top-level
// leaf of the kind given (a timestamp must be in milliseconds).
func openFlat[T any](dir, name string, cols []flatColumn[T]) (*flatReader[T], error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("report: %w", err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("report: %s: %w", name, err)
	}
	r := &flatReader[T]{f: f, pf: pf, name: name, cols: cols, idx: make([]int, len(cols)), str: make([]strCache, len(cols)),
		pages: make([]parquet.Pages, len(cols)), vr: make([]parquet.ValueReader, len(cols)), page: make([]parquet.Page, len(cols)),
		vals: make([]parquet.Value, 1024), buf: make([]T, 1024)}
	for i, c := range cols {
		r.idx[i] = -1
		if c.few {
			r.str[i].names = map[string]string{}
		}
		leaf, ok := pf.Schema().Lookup(c.name)
		if !ok {
			if hasField(pf.Schema(), c.name) {
				f.Close()
				return nil, errNotFlat // a group: a list, a map
			}
			continue
		}
		if !flatKind(leaf, c.kind) {
			f.Close()
			return nil, errNotFlat
		}
		r.idx[i] = leaf.ColumnIndex
	}
	return r, nil
}

func hasField(s *parquet.Schema, name string) bool {
	for _, f := range s.Fields() {
		if f.Name() == name {
			return true
		}
	}
	return false
}

func flatKind(leaf parquet.LeafColumn, kind parquet.Kind) bool {
	n := leaf.Node
	if !n.Leaf() || n.Repeated() || len(leaf.Path) != 1 || leaf.MaxRepetitionLevel != 0 || n.Type().Kind() != kind {
		return false
	}
	if kind == parquet.Int64 {
		lt := n.Type().LogicalType()
		if lt == nil {
			return false
		}
		ts, ok := lt.Value.(*format.TimestampType)
		if !ok {
			return false
		}
		_, ok = ts.Unit.Value.(*format.MilliSeconds)
		return ok
	}
	return true
}

// Next returns the next row, valid until the call after next, or false at
// the end or on an error (see Err).
func (r *flatReader[T]) Next() (*T, bool) {
	if r.i == r.n {
		if r.err != nil || !r.fill() {
			return nil, false
		}
	}
	r.i++
	return &r.buf[r.i-1], true
}

// fill reads the next batch of rows.
func (r *flatReader[T]) fill() bool {
	for r.left == 0 {
		r.closePages()
		groups := r.pf.RowGroups()
		if r.rg == len(groups) {
			return false
		}
		g := groups[r.rg]
		r.rg++
		r.left = g.NumRows()
		chunks := g.ColumnChunks()
		for i, ix := range r.idx {
			if ix >= 0 {
				r.pages[i] = chunks[ix].Pages()
			}
		}
	}
	n := int(min(r.left, int64(len(r.buf))))
	clear(r.buf[:n])
	for i := range r.cols {
		if r.idx[i] < 0 {
			continue
		}
		if err := r.readColumn(i, n); err != nil {
			r.err = fmt.Errorf("report: %s: %s: %w", r.name, r.cols[i].name, err)
			return false
		}
	}
	r.left -= int64(n)
	r.i, r.n = 0, n
	return true
}

// readColumn sets column i of the batch's n rows.
func (r *flatReader[T]) readColumn(i, n int) error {
	c := &r.cols[i]
	done := 0
	for done < n {
		if r.vr[i] == nil {
			p, err := r.pages[i].ReadPage()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return io.ErrUnexpectedEOF
				}
				return err
			}
			r.page[i], r.vr[i] = p, p.Values()
		}
		k, err := r.vr[i].ReadValues(r.vals[:n-done])
		for j, v := range r.vals[:k] {
			c.set(&r.buf[done+j], v, &r.str[i])
		}
		done += k
		if errors.Is(err, io.EOF) {
			parquet.Release(r.page[i])
			r.page[i], r.vr[i] = nil, nil
		} else if err != nil {
			return err
		} else if k == 0 {
			return io.ErrNoProgress
		}
	}
	return nil
}

func (r *flatReader[T]) closePages() {
	for i, p := range r.pages {
		if r.page[i] != nil {
			parquet.Release(r.page[i])
		}
		r.page[i], r.vr[i] = nil, nil
		if p != nil {
			p.Close()
		}
		r.pages[i] = nil
	}
}

// NumRows returns the number of rows of the file.
func (r *flatReader[T]) NumRows() int64 { return r.pf.NumRows() }

// Err returns the read error that stopped Next, nil at a clean end.
func (r *flatReader[T]) Err() error { return r.err }

// Close releases the file.
func (r *flatReader[T]) Close() error {
	r.closePages()
	return r.f.Close()
}

// millis is a timestamp column's value as parquet-go's generic reader
// gives it: the zero time for null.
func millis(v parquet.Value) time.Time {
	if v.IsNull() {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64()).UTC()
}

// rows is a stream of rows: a rowReader or a flatReader.
type rows[T any] interface {
	NumRows() int64
	Next() (*T, bool)
	Err() error
	Close() error
}

// openExposures reads exposures.parquet column by column (flatReader);
// a file whose columns are of other types (an engine of another
// version) through parquet-go's generic reader.
func openExposures(dir string) (rows[exposureIn], error) {
	r, err := openFlat(dir, "exposures.parquet", exposureColumns)
	if errors.Is(err, errNotFlat) {
		return openRows[exposureIn](dir, "exposures.parquet")
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// openRecordings reads recordings.parquet as openExposures reads
// exposures.parquet.
func openRecordings(dir string) (rows[recordingIn], error) {
	r, err := openFlat(dir, "recordings.parquet", recordingColumns)
	if errors.Is(err, errNotFlat) {
		return openRows[recordingIn](dir, "recordings.parquet")
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// recordingColumns are recordingIn's columns for a flatReader.
var recordingColumns = []flatColumn[recordingIn]{
	{name: "path", kind: parquet.ByteArray, set: func(e *recordingIn, v parquet.Value, s *strCache) { e.Path = s.get(v.ByteArray()) }},
	{name: "call_id", kind: parquet.ByteArray, set: func(e *recordingIn, v parquet.Value, s *strCache) { e.CallID = s.get(v.ByteArray()) }},
	{name: "region", kind: parquet.ByteArray, few: true, set: func(e *recordingIn, v parquet.Value, s *strCache) { e.Region = s.get(v.ByteArray()) }},
	{name: "caller_phone", kind: parquet.ByteArray, set: func(e *recordingIn, v parquet.Value, s *strCache) { e.CallerPhone = s.get(v.ByteArray()) }},
	{name: "started_at", kind: parquet.Int64, set: func(e *recordingIn, v parquet.Value, _ *strCache) { e.StartedAt = millis(v) }},
	{name: "level", kind: parquet.ByteArray, few: true, set: func(e *recordingIn, v parquet.Value, s *strCache) { e.Level = s.get(v.ByteArray()) }},
	{name: "in_gap", kind: parquet.Boolean, set: func(e *recordingIn, v parquet.Value, _ *strCache) { e.InGap = !v.IsNull() && v.Boolean() }},
	{name: "uncertain", kind: parquet.ByteArray, few: true, set: func(e *recordingIn, v parquet.Value, s *strCache) { e.Uncertain = s.get(v.ByteArray()) }},
}

// exposureColumns are exposureIn's columns for a flatReader.
var exposureColumns = []flatColumn[exposureIn]{
	{name: "subject_id", kind: parquet.ByteArray, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.SubjectID = s.get(v.ByteArray()) }},
	{name: "role", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.Role = s.get(v.ByteArray()) }},
	{name: "call_id", kind: parquet.ByteArray, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.CallID = s.get(v.ByteArray()) }},
	{name: "path", kind: parquet.ByteArray, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.Path = s.get(v.ByteArray()) }},
	{name: "region", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.Region = s.get(v.ByteArray()) }},
	{name: "caller_phone", kind: parquet.ByteArray, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.CallerPhone = s.get(v.ByteArray()) }},
	{name: "level", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.Level = s.get(v.ByteArray()) }},
	{name: "started_at", kind: parquet.Int64, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.StartedAt = millis(v) }},
	{name: "first_seen", kind: parquet.Int64, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.FirstSeen = millis(v) }},
	{name: "last_seen", kind: parquet.Int64, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.LastSeen = millis(v) }},
	{name: "via_listing", kind: parquet.Boolean, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.ViaListing = !v.IsNull() && v.Boolean() }},
	{name: "in_gap", kind: parquet.Boolean, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.InGap = !v.IsNull() && v.Boolean() }},
	{name: "uncertain", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.Uncertain = s.get(v.ByteArray()) }},
	{name: "actor_ip", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.ActorIP = s.get(v.ByteArray()) }},
	{name: "actor_ua", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.ActorUA = s.get(v.ByteArray()) }},
	{name: "actor_category", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.ActorCategory = s.get(v.ByteArray()) }},
}
