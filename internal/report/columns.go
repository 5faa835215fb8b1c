package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// flatColumn is one column that a flatReader reads into a row of type
// T: a top-level, non-repeated column, or a list of strings (the LIST
// form parquet-go writes for a []string field tagged "list").
type flatColumn[T any] struct {
	name string
	kind parquet.Kind // ByteArray, Boolean or Int64
	ts   bool         // an Int64 that is a timestamp in milliseconds
	// set stores a value into the row. Byte arrays are valid only during
	// the call.
	set func(row *T, v parquet.Value, s *strCache)
	// list, for a list column, stores the row's list, valid only during
	// the call (set is not used).
	list func(row *T, l []string)
	// few marks a column with few distinct values: its strings are
	// interned (see strCache).
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

// flatReader reads chosen columns of a Parquet file column by column, a
// batch of rows at a time, without decoding the file's other columns or
// building rows through reflection. A column the file lacks leaves its
// field at the zero value, as parquet-go's generic reader does.
type flatReader[T any] struct {
	f    *os.File
	pf   *parquet.File
	name string
	cols []flatColumn[T]
	cur  []*valueCursor // nil for a column the file lacks

	rg   int // row groups begun
	left int64
	buf  []T
	i, n int
	err  error
	list []string // a list column's values of one row
}

// valueCursor reads the values of one column chunk, page after page.
// Values are valid until the cursor reads the next page, which it does
// only once every value of the current one has been taken.
type valueCursor struct {
	index int // the column's index in the file
	str   strCache
	pages parquet.Pages
	page  parquet.Page
	vr    parquet.ValueReader
	vals  []parquet.Value
	pos   int
	end   bool // the page's values are all in vals
}

// peek returns the next value without taking it; false at the end of
// the chunk.
func (c *valueCursor) peek() (parquet.Value, bool, error) {
	for c.pos == len(c.vals) {
		if c.end || c.vr == nil {
			if c.page != nil {
				parquet.Release(c.page)
			}
			p, err := c.pages.ReadPage()
			if errors.Is(err, io.EOF) {
				c.page, c.vr = nil, nil
				return parquet.Value{}, false, nil
			} else if err != nil {
				return parquet.Value{}, false, err
			}
			c.page, c.vr, c.end = p, p.Values(), false
		}
		n, err := c.vr.ReadValues(c.vals[:cap(c.vals)])
		c.vals, c.pos = c.vals[:n], 0
		if errors.Is(err, io.EOF) {
			c.end = true
		} else if err != nil {
			return parquet.Value{}, false, err
		} else if n == 0 {
			return parquet.Value{}, false, io.ErrNoProgress
		}
	}
	return c.vals[c.pos], true, nil
}

// next takes the next value; a chunk that ends is an error.
func (c *valueCursor) next() (parquet.Value, error) {
	v, ok, err := c.peek()
	if err == nil && !ok {
		err = io.ErrUnexpectedEOF
	}
	c.pos++
	return v, err
}

func (c *valueCursor) close() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	if c.pages != nil {
		c.pages.Close()
	}
	c.pages, c.page, c.vr, c.vals, c.pos, c.end = nil, nil, nil, c.vals[:0], 0, false
}

// errNotFlat says the file's columns are not of the types a flatReader
// takes: the caller reads the file another way.
var errNotFlat = errors.New("columns not flat or of another type")

// openFlat opens the Parquet file name in dir for a flatReader, or
// returns errNotFlat when one of the columns present is not of the form
// and kind given (a timestamp must be in milliseconds).
func openFlat[T any](dir, name string, cols []flatColumn[T]) (*flatReader[T], error) {
	f, pf, err := openParquet(dir, name)
	if err != nil {
		return nil, err
	}
	r := &flatReader[T]{f: f, pf: pf, name: name, cols: cols, cur: make([]*valueCursor, len(cols)), buf: make([]T, 1024)}
	for i, c := range cols {
		path := []string{c.name}
		if c.list != nil {
			path = []string{c.name, "list", "element"}
		}
		leaf, ok := pf.Schema().Lookup(path...)
		if !ok {
			if hasField(pf.Schema(), c.name) {
				f.Close()
				return nil, errNotFlat // of another form: a group, a map
			}
			continue
		}
		if !flatKind(leaf, c) {
			f.Close()
			return nil, errNotFlat
		}
		r.cur[i] = &valueCursor{index: leaf.ColumnIndex, vals: make([]parquet.Value, 0, 1024)}
		if c.few || c.list != nil {
			r.cur[i].str.names = map[string]string{}
		}
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

func flatKind[T any](leaf parquet.LeafColumn, c flatColumn[T]) bool {
	n := leaf.Node
	if !n.Leaf() || n.Repeated() || n.Type().Kind() != c.kind {
		return false
	}
	if c.list != nil {
		// required group (LIST) { repeated group list { required element } },
		// found by the path name.list.element
		return leaf.MaxRepetitionLevel == 1 && leaf.MaxDefinitionLevel == 1 && n.Required()
	}
	if len(leaf.Path) != 1 || leaf.MaxRepetitionLevel != 0 {
		return false
	}
	lt := n.Type().LogicalType()
	if c.kind == parquet.Int64 && c.ts {
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
	if c.kind == parquet.Int64 {
		// a plain integer, not a time, date or decimal
		if lt == nil || lt.Value == nil {
			return true
		}
		it, ok := lt.Value.(*format.IntType)
		return ok && it.BitWidth == 64 && it.IsSigned
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
		for _, c := range r.cur {
			if c != nil {
				c.pages = chunks[c.index].Pages()
			}
		}
	}
	n := int(min(r.left, int64(len(r.buf))))
	clear(r.buf[:n])
	for i, cur := range r.cur {
		if cur == nil {
			continue
		}
		if err := r.readColumn(&r.cols[i], cur, n); err != nil {
			r.err = fmt.Errorf("report: %s: %s: %w", r.name, r.cols[i].name, err)
			return false
		}
	}
	r.left -= int64(n)
	r.i, r.n = 0, n
	return true
}

// readColumn sets a column of the batch's n rows.
func (r *flatReader[T]) readColumn(c *flatColumn[T], cur *valueCursor, n int) error {
	if c.list == nil {
		for k := range n {
			v, err := cur.next()
			if err != nil {
				return err
			}
			c.set(&r.buf[k], v, &cur.str)
		}
		return nil
	}
	for k := range n {
		// A row's list: its first value has repetition level 0 (an empty
		// list is one value of definition level 0), the others 1.
		v, err := cur.next()
		if err != nil {
			return err
		}
		if v.RepetitionLevel() != 0 {
			return errBadList
		}
		r.list = r.list[:0]
		for {
			if v.DefinitionLevel() > 0 {
				r.list = append(r.list, cur.str.get(v.ByteArray()))
			}
			next, ok, err := cur.peek()
			if err != nil {
				return err
			}
			if !ok || next.RepetitionLevel() == 0 {
				break
			}
			v, _ = cur.next()
		}
		c.list(&r.buf[k], r.list)
	}
	return nil
}

var errBadList = errors.New("list values out of step with the rows")

func (r *flatReader[T]) closePages() {
	for _, c := range r.cur {
		if c != nil {
			c.close()
		}
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

// openPersons reads persons.parquet as openExposures reads
// exposures.parquet.
func openPersons(dir string) (rows[personIn], error) {
	r, err := openFlat(dir, "persons.parquet", personColumns)
	if errors.Is(err, errNotFlat) {
		return openRows[personIn](dir, "persons.parquet")
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// personColumns are personIn's columns for a flatReader. Lists are
// copied: a row's lists outlive the batch (they go to the lists' spool).
var personColumns = []flatColumn[personIn]{
	{name: "subject_id", kind: parquet.ByteArray, set: func(p *personIn, v parquet.Value, s *strCache) { p.SubjectID = s.get(v.ByteArray()) }},
	{name: "subject_id_given", kind: parquet.ByteArray, set: func(p *personIn, v parquet.Value, s *strCache) { p.SubjectIDGiven = s.get(v.ByteArray()) }},
	{name: "subject_kind", kind: parquet.ByteArray, few: true, set: func(p *personIn, v parquet.Value, s *strCache) { p.SubjectKind = s.get(v.ByteArray()) }},
	{name: "child", kind: parquet.Boolean, set: func(p *personIn, v parquet.Value, _ *strCache) { p.Child = !v.IsNull() && v.Boolean() }},
	{name: "level", kind: parquet.ByteArray, few: true, set: func(p *personIn, v parquet.Value, s *strCache) { p.Level = s.get(v.ByteArray()) }},
	{name: "roles", kind: parquet.ByteArray, list: func(p *personIn, l []string) { p.Roles = listCopy(l) }},
	{name: "calls", kind: parquet.Int64, set: func(p *personIn, v parquet.Value, _ *strCache) {
		if !v.IsNull() {
			p.Calls = v.Int64()
		}
	}},
	{name: "regions", kind: parquet.ByteArray, list: func(p *personIn, l []string) { p.Regions = listCopy(l) }},
	{name: "phones", kind: parquet.ByteArray, list: func(p *personIn, l []string) { p.Phones = listCopy(l) }},
	{name: "first_exposure", kind: parquet.Int64, ts: true, set: func(p *personIn, v parquet.Value, _ *strCache) { p.FirstExposure = millis(v) }},
	{name: "actor_categories", kind: parquet.ByteArray, list: func(p *personIn, l []string) { p.ActorCategories = listCopy(l) }},
	{name: "verdict_rests_on_gap", kind: parquet.Boolean, set: func(p *personIn, v parquet.Value, _ *strCache) { p.OnGap = !v.IsNull() && v.Boolean() }},
}

// listCopy copies a list as parquet-go's generic reader gives it: an
// empty list is an empty, non-nil slice.
func listCopy(l []string) []string {
	return append(make([]string, 0, len(l)), l...)
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
	{name: "started_at", kind: parquet.Int64, ts: true, set: func(e *recordingIn, v parquet.Value, _ *strCache) { e.StartedAt = millis(v) }},
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
	{name: "started_at", kind: parquet.Int64, ts: true, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.StartedAt = millis(v) }},
	{name: "first_seen", kind: parquet.Int64, ts: true, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.FirstSeen = millis(v) }},
	{name: "last_seen", kind: parquet.Int64, ts: true, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.LastSeen = millis(v) }},
	{name: "via_listing", kind: parquet.Boolean, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.ViaListing = !v.IsNull() && v.Boolean() }},
	{name: "in_gap", kind: parquet.Boolean, set: func(e *exposureIn, v parquet.Value, _ *strCache) { e.InGap = !v.IsNull() && v.Boolean() }},
	{name: "uncertain", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.Uncertain = s.get(v.ByteArray()) }},
	{name: "actor_ip", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.ActorIP = s.get(v.ByteArray()) }},
	{name: "actor_ua", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.ActorUA = s.get(v.ByteArray()) }},
	{name: "actor_category", kind: parquet.ByteArray, few: true, set: func(e *exposureIn, v parquet.Value, s *strCache) { e.ActorCategory = s.get(v.ByteArray()) }},
}
