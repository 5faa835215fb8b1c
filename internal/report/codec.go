package report

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// The temporary files of the report (sorted runs of calls, the spooled
// lists) hold records in a small binary form of their own: each record is
// its length (uvarint) then its fields, strings as a uvarint length and
// their bytes, times as a flag and Unix seconds and nanoseconds. It is
// written and read back by the same process, so it needs no versioning;
// encoding/gob, used before, cost four times as much CPU for the same
// records.

// recordWriter writes length-prefixed records.
type recordWriter struct {
	w   *bufio.Writer
	rec []byte
}

func (w *recordWriter) begin() { w.rec = w.rec[:0] }

// end writes the record built since begin.
func (w *recordWriter) end() error {
	var n [binary.MaxVarintLen64]byte
	if _, err := w.w.Write(n[:binary.PutUvarint(n[:], uint64(len(w.rec)))]); err != nil {
		return err
	}
	_, err := w.w.Write(w.rec)
	return err
}

func (w *recordWriter) uint(v uint64) { w.rec = binary.AppendUvarint(w.rec, v) }
func (w *recordWriter) int(v int64)   { w.rec = binary.AppendVarint(w.rec, v) }

func (w *recordWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.rec = append(w.rec, s...)
}

func (w *recordWriter) bool(b bool) {
	if b {
		w.rec = append(w.rec, 1)
	} else {
		w.rec = append(w.rec, 0)
	}
}

func (w *recordWriter) strs(ss []string) {
	w.uint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

// time keeps the instant (the zone is not kept: the reports show times
// in Options.TZ) and the zero time as zero.
func (w *recordWriter) time(t time.Time) {
	if t.IsZero() {
		w.rec = append(w.rec, 0)
		return
	}
	w.rec = append(w.rec, 1)
	w.int(t.Unix())
	w.uint(uint64(t.Nanosecond()))
}

var errBadRecord = errors.New("malformed record")

// recordReader reads the records of a recordWriter. Its field readers
// record the first error and return zero values after it.
type recordReader struct {
	r   *bufio.Reader
	rec []byte
	err error
	// names interns the strings of fields with few distinct values
	// (levels, roles, regions, kinds).
	names map[string]string
}

// next reads the next record; io.EOF at a clean end.
func (r *recordReader) next() error {
	n, err := binary.ReadUvarint(r.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return err
	}
	if n > 1<<30 {
		return errBadRecord
	}
	if uint64(cap(r.rec)) < n {
		r.rec = make([]byte, n)
	}
	r.rec = r.rec[:n]
	if _, err := io.ReadFull(r.r, r.rec); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%w: %w", errBadRecord, err)
	}
	r.err = nil
	return nil
}

// done returns the first error of the field readers, or one for bytes
// left over.
func (r *recordReader) done() error {
	if r.err == nil && len(r.rec) > 0 {
		r.err = errBadRecord
	}
	return r.err
}

func (r *recordReader) uint() uint64 {
	v, n := binary.Uvarint(r.rec)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.rec = r.rec[n:]
	return v
}

func (r *recordReader) int() int64 {
	v, n := binary.Varint(r.rec)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.rec = r.rec[n:]
	return v
}

func (r *recordReader) fail() {
	if r.err == nil {
		r.err = errBadRecord
	}
	r.rec = r.rec[:0]
}

func (r *recordReader) bytes() []byte {
	n := r.uint()
	if n > uint64(len(r.rec)) {
		r.fail()
		return nil
	}
	b := r.rec[:n]
	r.rec = r.rec[n:]
	return b
}

func (r *recordReader) str() string { return string(r.bytes()) }

// name is str for fields with few distinct values: they are interned.
func (r *recordReader) name() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	if s, ok := r.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if r.names == nil {
		r.names = map[string]string{}
	}
	if len(r.names) < 4096 {
		r.names[s] = s
	}
	return s
}

func (r *recordReader) bool() bool {
	if len(r.rec) == 0 {
		r.fail()
		return false
	}
	b := r.rec[0]
	r.rec = r.rec[1:]
	return b == 1
}

// strs reads a list of strings; an empty list is nil, as gob gave it.
func (r *recordReader) strs(name bool) []string {
	n := r.uint()
	if n == 0 || n > uint64(len(r.rec)) {
		if n > 0 {
			r.fail()
		}
		return nil
	}
	out := make([]string, n)
	for i := range out {
		if name {
			out[i] = r.name()
		} else {
			out[i] = r.str()
		}
	}
	return out
}

func (r *recordReader) time() time.Time {
	if len(r.rec) == 0 {
		r.fail()
		return time.Time{}
	}
	flag := r.rec[0]
	r.rec = r.rec[1:]
	if flag == 0 {
		return time.Time{}
	}
	sec := r.int()
	nsec := r.uint()
	return time.Unix(sec, int64(nsec)).UTC()
}

// putCall writes one call.
func (w *recordWriter) putCall(c *callIn) error {
	w.begin()
	w.call(c)
	return w.end()
}

// getCall reads one call into c.
func (r *recordReader) getCall(c *callIn) error {
	if err := r.next(); err != nil {
		return err
	}
	*c = r.call()
	return r.done()
}

// call adds a call's fields to the record (putCall, and each call of
// putRow).
func (w *recordWriter) call(c *callIn) {
	w.str(c.Subject)
	w.str(c.CallID)
	w.time(c.Started)
	w.str(c.Level)
	w.str(c.Role)
	w.str(c.Phone)
	w.str(c.Region)
}

// call reads the fields recordWriter.call added.
func (r *recordReader) call() callIn {
	return callIn{Subject: r.str(), CallID: r.str(), Started: r.time(), Level: r.name(), Role: r.name(), Phone: r.str(), Region: r.name()}
}

// putRow writes one row of a list, its calls with it.
func (w *recordWriter) putRow(row *notifyRow) error {
	w.begin()
	w.str(row.ID)
	w.str(row.IDGiven)
	w.str(row.Kind)
	w.bool(row.Child)
	w.str(row.Level)
	w.bool(row.OnGap)
	w.strs(row.Roles)
	w.int(row.CallsAll)
	w.uint(uint64(len(row.Calls)))
	for i := range row.Calls {
		w.call(&row.Calls[i])
	}
	w.strs(row.OtherRegions)
	w.strs(row.ActorCategories)
	w.time(row.FirstExposure)
	return w.end()
}

// getRow reads one row of a list into row.
func (r *recordReader) getRow(row *notifyRow) error {
	if err := r.next(); err != nil {
		return err
	}
	*row = notifyRow{ID: r.str(), IDGiven: r.str(), Kind: r.name(), Child: r.bool(), Level: r.name(), OnGap: r.bool(), Roles: r.strs(true), CallsAll: r.int()}
	if n := r.uint(); n > 0 && n <= uint64(len(r.rec)) {
		row.Calls = make([]callIn, n)
		for i := range row.Calls {
			row.Calls[i] = r.call()
		}
	} else if n > 0 {
		r.fail()
	}
	row.OtherRegions = r.strs(true)
	row.ActorCategories = r.strs(true)
	row.FirstExposure = r.time()
	return r.done()
}
