package exposure

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Stockholm must resolve on every machine
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// A Recording is one recorded call listed in the index.
type Recording struct {
	// Path is the file's path as the index gives it.
	Path string
	// CallID is the call platform's identifier, "" when not given.
	CallID string
	// StartedAt is when the call started, zero when not given.
	StartedAt time.Time
	// Duration is the length of the call, 0 when not given.
	Duration time.Duration
	// Size is the file size in bytes, -1 when not given.
	Size int64
	// Region is the region (care provider) the call belongs to.
	Region string
	// CallerPhone is the caller's number in E.164 form, taken from the
	// file name when the index gives none; a number the phone metadata
	// rejects is kept as given. "" when unknown. It is personal data.
	CallerPhone string
	// Subjects are the persons the call is about, in index order. Their
	// identities were parsed with StartedAt as the reference date.
	Subjects []Subject
	// Row is where the recording stands in the index: the 1-based line
	// on which its row starts for CSV (the header is line 1) and JSONL,
	// the 1-based row number for Parquet.
	Row int
}

// A Subject is a person a recording is about, with the role the index
// gives ("caller", "patient", ...; "" when none).
type Subject struct {
	Role string
	ID   Identity
	// Person is the subject's person number in the index (see
	// Index.NumPersons): equal for every spelling of one person.
	Person int32
}

// Names of the index columns, as IndexOptions.Columns keys them.
const (
	ColPath        = "path"         // the file's path: required
	ColCallID      = "call_id"      // the platform's call identifier
	ColStartedAt   = "started_at"   // RFC 3339, or "2006-01-02 15:04:05" in IndexOptions.Location
	ColDuration    = "duration_s"   // seconds (decimal), or [h:]mm:ss
	ColSize        = "size_bytes"   // file size in bytes
	ColRegion      = "region"       // region or care provider
	ColCallerPhone = "caller_phone" // the caller's phone number
	ColSubjects    = "subjects"     // persons: "caller:19800101-1234;patient:..." or a JSON list
)

// indexColumns lists the columns in their internal order.
var indexColumns = [...]string{ColPath, ColCallID, ColStartedAt, ColDuration, ColSize, ColRegion, ColCallerPhone, ColSubjects}

const (
	cPath = iota
	cCallID
	cStartedAt
	cDuration
	cSize
	cRegion
	cPhone
	cSubjects
	numIndexColumns
)

// IndexOptions control how an index is read.
type IndexOptions struct {
	// Format is "csv", "tsv", "jsonl" or "parquet"; "" chooses by the file
	// extension, then by the content (Parquet magic, a leading '{').
	Format string
	// Columns renames columns: our name (ColPath, ...) -> the column name
	// in the input. Names are matched case-insensitively. A column left
	// out is looked up by our name.
	Columns map[string]string
	// PathMapper maps request paths to index paths in Match and Dir; its
	// FoldCase also applies to the index paths.
	PathMapper PathMapper
	// Location is the zone of started_at values without an offset; nil
	// means Europe/Stockholm.
	Location *time.Location
}

// Sentinel errors wrapped by IndexError. Compare with errors.Is.
var (
	ErrIndexNoPath    = errors.New("missing path")
	ErrIndexDuplicate = errors.New("duplicate path (first row kept)")
	ErrIndexNumber    = errors.New("bad number")
	ErrIndexTime      = errors.New("bad time")
	ErrIndexSyntax    = errors.New("syntax error")
	ErrIndexTooLong   = errors.New("row too long")
	ErrIndexSubjects  = errors.New("bad subjects")
)

// An IndexError reports an index row that could not be used; the row is
// left out and loading goes on. It carries the row's position and the
// column, never a value from the row.
type IndexError struct {
	Row    int    // as Recording.Row
	Column string // our column name (ColPath, ...), "" for the whole row
	Err    error  // one of the ErrIndex* values, or a wrapper of one
}

func (e *IndexError) Error() string {
	s := "exposure: index row " + strconv.Itoa(e.Row) + ": "
	if e.Column != "" {
		s += e.Column + ": "
	}
	return s + e.Err.Error()
}

func (e *IndexError) Unwrap() error { return e.Err }

// IndexStats counts what an index holds.
type IndexStats struct {
	Recordings int
	// Subjects counts subject entries (one person in two recordings
	// counts twice); SubjectsByKind splits them by kind.
	Subjects       int
	SubjectsByKind map[IdentityKind]int
	// Children counts subject entries under 18 at the call date.
	Children int
	// WithPhone counts recordings with a caller phone number.
	WithPhone int
	// Errors counts rows left out.
	Errors int
}

// An Index is a recording index held in memory, compactly: about 130
// bytes per recording for typical rows. Build it with LoadIndex or
// ReadIndex. Recordings are numbered 0 to Len()-1 in input order. An
// Index is safe for concurrent use once built.
type Index struct {
	chunks [][]byte // encoded recordings, see encodeRecording
	offs   []uint32 // recording -> chunk<<chunkBits | offset
	order  []uint32 // recordings sorted by key
	roles  []string // interned roles, index 0 is ""
	region []string // interned regions, index 0 is ""
	loc    *time.Location
	mapper PathMapper
	// strip and add are the mapper's prefixes, normalised (and folded),
	// without a trailing slash.
	strip, add string
	errs       []*IndexError

	// Tables derived once all rows are read (index_tables.go).
	folderKeys  []string         // folder paths with a trailing slash, sorted
	folderIDs   map[string]int32 // folder path without its trailing slash -> number
	folderOf    []int32          // recording -> folder directly holding it
	folderStart []uint32         // folder -> start in folderRecs; len NumFolders()+1
	folderRecs  []int32          // recordings by folder, by AvailableAt
	avail       []int64          // recording -> AvailableAt
	subjStart   []uint32         // recording -> start in subjPerson; len Len()+1
	subjPerson  []int32          // subject -> person number
	personStart []uint32         // person -> start in personRecs; len NumPersons()+1
	personRecs  []int32          // recordings by person, ascending

	statsOnce sync.Once
	stats     IndexStats
}

// Chunks hold encoded recordings; an encoded recording never spans two.
const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
	maxChunks = 1 << (32 - chunkBits)
	// maxEncoded bounds one encoded recording.
	maxEncoded = 64 << 10
	// maxLine bounds a JSONL line.
	maxLine = 1 << 20
)

// LoadIndex reads a recording index from the named file (CSV, JSONL or
// Parquet). Rows that cannot be used are left out and reported by
// Errors; the error returned is for an input that cannot be read at all
// (no file, no path column, an I/O error).
func LoadIndex(name string, opt IndexOptions) (*Index, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("exposure: %w", err)
	}
	defer f.Close()
	format := opt.Format
	if format == "" {
		format = formatFromExt(name)
	}
	if format == "" {
		var magic [4]byte
		if n, _ := f.ReadAt(magic[:], 0); n == 4 && string(magic[:]) == "PAR1" {
			format = "parquet"
		}
	}
	if format == "parquet" {
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("exposure: %w", err)
		}
		return readParquetIndex(f, st.Size(), opt)
	}
	opt.Format = format
	return ReadIndex(f, opt)
}

// formatFromExt returns the format a file name suggests, or "".
func formatFromExt(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".tsv":
		return "tsv"
	case ".jsonl", ".ndjson", ".json":
		return "jsonl"
	case ".parquet", ".pq":
		return "parquet"
	}
	return ""
}

// ReadIndex reads a recording index from r, as LoadIndex. CSV and JSONL
// are read as a stream; Parquet needs random access, so ReadIndex reads
// a Parquet input into memory first (prefer LoadIndex for it). A JSONL
// line is bounded (1 MiB, longer lines are row errors); a CSV row is not,
// as encoding/csv does not bound it: the index is the responder's own
// input.
func ReadIndex(r io.Reader, opt IndexOptions) (*Index, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	format := opt.Format
	if format == "" {
		head, _ := br.Peek(512)
		head = bytes.TrimPrefix(head, utf8BOM)
		switch {
		case bytes.HasPrefix(head, []byte("PAR1")):
			format = "parquet"
		case bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("{")):
			format = "jsonl"
		default:
			format = "csv"
		}
	}
	switch format {
	case "csv", "tsv":
		return readCSVIndex(br, format == "tsv", opt)
	case "jsonl":
		return readJSONLIndex(br, opt)
	case "parquet":
		data, err := io.ReadAll(br)
		if err != nil {
			return nil, fmt.Errorf("exposure: reading index: %w", err)
		}
		return readParquetIndex(bytes.NewReader(data), int64(len(data)), opt)
	}
	return nil, fmt.Errorf("exposure: unknown index format %q", format)
}

var utf8BOM = []byte("\xef\xbb\xbf")

// Len returns the number of recordings.
func (ix *Index) Len() int { return len(ix.offs) }

// Errors returns the rows left out, by row number. The slice is shared:
// do not modify it.
func (ix *Index) Errors() []*IndexError { return ix.errs }

// Recording returns recording i (0 <= i < Len()), decoded afresh on each
// call: the caller owns the result. It panics if i is out of range.
func (ix *Index) Recording(i int) *Recording {
	d := ix.decoder(i)
	rec := &Recording{Path: strings.Clone(d.path), Row: d.row, StartedAt: d.startedAt(ix.loc),
		Duration: d.duration, Size: d.size, Region: ix.region[d.region],
		CallID: string(d.callID), CallerPhone: string(d.phone)}
	if d.nsubj > 0 {
		rec.Subjects = make([]Subject, 0, d.nsubj)
		persons := ix.subjPerson[ix.subjStart[i]:]
		for k := range d.nsubj {
			role, given := d.subject()
			rec.Subjects = append(rec.Subjects, Subject{Role: ix.roles[role],
				ID: ParseIdentity(string(given), rec.StartedAt), Person: persons[k]})
		}
	}
	return rec
}

// NumSubjects returns the number of subjects of recording i without
// decoding them.
func (ix *Index) NumSubjects(i int) int { return ix.decoder(i).nsubj }

// Key returns the normalised path of recording i, the key Match uses.
// The string is valid as long as the Index.
func (ix *Index) Key(i int) string { return ix.key(ix.offs[i]) }

// Size returns the size of recording i (-1 when unknown) without
// decoding the whole recording.
func (ix *Index) Size(i int) int64 { return ix.decoder(i).size }

// StartedAt returns the start of recording i (zero when unknown) without
// decoding the whole recording.
func (ix *Index) StartedAt(i int) time.Time { return ix.decoder(i).startedAt(ix.loc) }

// Duration returns the length of recording i (0 when unknown) without
// decoding the whole recording.
func (ix *Index) Duration(i int) time.Duration { return ix.decoder(i).duration }

// Match finds the recording a request path names. The path is the one
// logparse gives (percent-decoded once); it is normalised with
// NormalizePath and the index's PathMapper, so any spelling of the
// recording's path matches. When the mapper has a StripPrefix, a path
// outside it matches nothing. Match does not allocate for a path already in
// canonical form.
func (ix *Index) Match(requestPath string) (int, bool) {
	key, ok := ix.mapRequest(requestPath)
	if !ok {
		return 0, false
	}
	j := ix.lowerBound(key)
	if j < len(ix.order) && ix.key(ix.offs[ix.order[j]]) == key {
		return int(ix.order[j]), true
	}
	return 0, false
}

// A DirListing is what a directory listing of one folder would show,
// as far as the index knows: the recordings directly in it, by index
// number in path order, and the names of its subfolders (no slash), in
// order.
type DirListing struct {
	Recordings []int
	Subdirs    []string
}

// HasDir reports whether the index holds anything under the folder a
// request path names (mapped as in Match): the cheap test for "is this
// request a listing of ours", where Dir would walk the folder. It is
// Folder's hash lookup.
func (ix *Index) HasDir(dirPath string) bool {
	_, ok := ix.Folder(dirPath)
	return ok
}

// Dir returns the direct children of a folder, named by a request path
// (mapped as in Match; a trailing slash is optional). It reports false
// when the index holds nothing under the folder. Recordings listed are
// those in the index: which of them existed at a given time is the
// caller's to decide from StartedAt.
func (ix *Index) Dir(dirPath string) (DirListing, bool) {
	dir, ok := ix.mapRequest(dirPath)
	if !ok {
		return DirListing{}, false
	}
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	var l DirListing
	found := false
	for j := ix.lowerBound(dir); j < len(ix.order); {
		k := ix.key(ix.offs[ix.order[j]])
		if !strings.HasPrefix(k, dir) {
			break
		}
		found = true
		rest := k[len(dir):]
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			l.Recordings = append(l.Recordings, int(ix.order[j]))
			j++
			continue
		}
		name := rest[:slash]
		l.Subdirs = append(l.Subdirs, strings.Clone(name))
		// Skip the subfolder: '0' follows '/'.
		j = ix.lowerBound(dir + name + "0")
	}
	return l, found
}

// mapRequest normalises a request path and maps it into the index's
// space. A path outside a set StripPrefix names no recording: false.
func (ix *Index) mapRequest(p string) (string, bool) {
	p = normalizeBase(p)
	if ix.mapper.FoldCase {
		p = foldPath(p)
	}
	if ix.strip == "" && ix.add == "" {
		return p, true
	}
	if !hasPathPrefix(p, ix.strip) {
		return "", false
	}
	return mapPrefix(p, ix.strip, ix.add), true
}

// lowerBound returns the first position in order whose key is >= key.
func (ix *Index) lowerBound(key string) int {
	lo, hi := 0, len(ix.order)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.key(ix.offs[ix.order[m]]) < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Stats counts the recordings, subjects and errors. The first call scans
// the index.
func (ix *Index) Stats() IndexStats {
	ix.statsOnce.Do(func() {
		s := IndexStats{Recordings: ix.Len(), Errors: len(ix.errs),
			SubjectsByKind: make(map[IdentityKind]int, numKinds)}
		for i := range ix.offs {
			d := ix.decoder(i)
			if len(d.phone) > 0 {
				s.WithPhone++
			}
			at := d.startedAt(ix.loc)
			for range d.nsubj {
				_, given := d.subject()
				id := ParseIdentity(unsafe.String(unsafe.SliceData(given), len(given)), at)
				s.Subjects++
				s.SubjectsByKind[id.Kind]++
				if id.Child(at) {
					s.Children++
				}
			}
		}
		ix.stats = s
	})
	s := ix.stats
	s.SubjectsByKind = maps.Clone(s.SubjectsByKind)
	return s
}

// ---- encoding ----
//
// An encoded recording is:
//
//	key      uvarint length, bytes (normalised path)
//	flags    byte: flagPath, flagTime
//	path     uvarint length, bytes, when flagPath (path differs from key)
//	row      uvarint
//	time     when flagTime: varint unix seconds, uvarint nanoseconds,
//	         zone byte (zoneUTC, zoneLoc, zoneFixed + varint offset)
//	duration uvarint nanoseconds
//	size     varint, -1 unknown
//	region   uvarint intern number
//	call id  uvarint length, bytes
//	phone    uvarint length, bytes
//	subjects uvarint count, then per subject uvarint role number and
//	         uvarint length, bytes of the identifier as given

const (
	flagPath = 1 << iota
	flagTime
)

const (
	zoneUTC = iota
	zoneLoc
	zoneFixed
)

// key returns the key of the recording at position p, aliasing its chunk.
func (ix *Index) key(p uint32) string {
	b := ix.chunks[p>>chunkBits][p&(chunkSize-1):]
	n, w := binary.Uvarint(b)
	return unsafe.String(&b[w], int(n))
}

// recDecoder walks an encoded recording.
type recDecoder struct {
	b        []byte
	key      string
	path     string // aliases the chunk
	row      int
	hasTime  bool
	sec      int64
	nsec     int64
	zone     byte
	offset   int
	duration time.Duration
	size     int64
	region   uint64
	callID   []byte
	phone    []byte
	nsubj    int
}

func (ix *Index) decoder(i int) *recDecoder {
	p := ix.offs[i]
	d := &recDecoder{b: ix.chunks[p>>chunkBits][p&(chunkSize-1):]}
	d.key = d.str()
	flags := d.b[0]
	d.b = d.b[1:]
	d.path = d.key
	if flags&flagPath != 0 {
		d.path = d.str()
	}
	d.row = int(d.uvarint())
	if flags&flagTime != 0 {
		d.hasTime = true
		d.sec = d.varint()
		d.nsec = int64(d.uvarint())
		d.zone = d.b[0]
		d.b = d.b[1:]
		if d.zone == zoneFixed {
			d.offset = int(d.varint())
		}
	}
	d.duration = time.Duration(d.uvarint())
	d.size = d.varint()
	d.region = d.uvarint()
	d.callID = d.bytes()
	d.phone = d.bytes()
	d.nsubj = int(d.uvarint())
	return d
}

func (d *recDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	d.b = d.b[n:]
	return v
}

func (d *recDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	d.b = d.b[n:]
	return v
}

func (d *recDecoder) bytes() []byte {
	n := int(d.uvarint())
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *recDecoder) str() string {
	b := d.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (d *recDecoder) subject() (role uint64, given []byte) {
	role = d.uvarint()
	return role, d.bytes()
}

func (d *recDecoder) startedAt(loc *time.Location) time.Time {
	if !d.hasTime {
		return time.Time{}
	}
	t := time.Unix(d.sec, d.nsec)
	switch d.zone {
	case zoneLoc:
		return t.In(loc)
	case zoneFixed:
		return t.In(time.FixedZone("", d.offset))
	}
	return t.UTC()
}

// ---- building ----

// indexBuilder turns rows into an Index.
type indexBuilder struct {
	ix      *Index
	cols    [numIndexColumns]string // their column names, lower-cased
	foldKey PathMapper
	memo    phoneMemo
	roleIDs map[string]uint64
	regIDs  map[string]uint64
	buf     []byte
	subj    []rawSubject
}

// rawSubject is a subject as read, before interning.
type rawSubject struct{ role, id string }

// indexRow is one input row as strings. A typed time (Parquet) is put in
// t with hasT set.
type indexRow struct {
	row      int
	vals     [numIndexColumns]string
	subjects []rawSubject // structured subjects (JSON, Parquet), else parsed from vals
	t        time.Time
	hasT     bool
}

func newIndexBuilder(opt IndexOptions) (*indexBuilder, error) {
	loc := opt.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation("Europe/Stockholm"); err != nil {
			return nil, fmt.Errorf("exposure: %w", err)
		}
	}
	b := &indexBuilder{
		ix:      &Index{loc: loc, mapper: opt.PathMapper, roles: []string{""}, region: []string{""}},
		foldKey: PathMapper{FoldCase: opt.PathMapper.FoldCase},
		roleIDs: map[string]uint64{"": 0},
		regIDs:  map[string]uint64{"": 0},
	}
	m := opt.PathMapper
	if m.StripPrefix != "" || m.AddPrefix != "" {
		strip, add := normalizeBase(m.StripPrefix), normalizeBase(m.AddPrefix)
		if m.FoldCase {
			strip, add = foldPath(strip), foldPath(add)
		}
		b.ix.strip, b.ix.add = strings.TrimSuffix(strip, "/"), strings.TrimSuffix(add, "/")
	}
	for k := range opt.Columns {
		if !slices.Contains(indexColumns[:], k) {
			return nil, fmt.Errorf("exposure: IndexOptions.Columns: unknown column %q", k)
		}
	}
	for i, name := range indexColumns {
		if v, ok := opt.Columns[name]; ok {
			name = v
		}
		b.cols[i] = strings.ToLower(strings.TrimSpace(name))
	}
	return b, nil
}

// columnPositions maps a header to column positions (-1 when absent).
func (b *indexBuilder) columnPositions(header []string) ([numIndexColumns]int, error) {
	var pos [numIndexColumns]int
	for i := range pos {
		pos[i] = -1
	}
	for j, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for i, c := range b.cols {
			if h == c && pos[i] < 0 {
				pos[i] = j
			}
		}
	}
	if pos[cPath] < 0 {
		return pos, errors.New("exposure: index has no path column")
	}
	return pos, nil
}

func (b *indexBuilder) intern(ids map[string]uint64, table *[]string, s string) uint64 {
	if id, ok := ids[s]; ok {
		return id
	}
	s = strings.Clone(s)
	id := uint64(len(*table))
	*table = append(*table, s)
	ids[s] = id
	return id
}

func (b *indexBuilder) fail(row int, col int, err error) {
	name := ""
	if col >= 0 {
		name = indexColumns[col]
	}
	b.ix.errs = append(b.ix.errs, &IndexError{Row: row, Column: name, Err: err})
}

// add encodes one row, or records why it cannot be used.
func (b *indexBuilder) add(r *indexRow) error {
	v := &r.vals
	p := strings.TrimSpace(v[cPath])
	if p == "" {
		b.fail(r.row, cPath, ErrIndexNoPath)
		return nil
	}
	size := int64(-1)
	if s := strings.TrimSpace(v[cSize]); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			b.fail(r.row, cSize, ErrIndexNumber)
			return nil
		}
		size = n
	}
	t, hasT := r.t, r.hasT
	if !hasT {
		if s := strings.TrimSpace(v[cStartedAt]); s != "" {
			var ok bool
			if t, ok = parseIndexTime(s, b.ix.loc); !ok {
				b.fail(r.row, cStartedAt, ErrIndexTime)
				return nil
			}
			hasT = true
		}
	}
	var dur time.Duration
	if s := strings.TrimSpace(v[cDuration]); s != "" {
		var ok bool
		if dur, ok = parseIndexDuration(s); !ok {
			b.fail(r.row, cDuration, ErrIndexNumber)
			return nil
		}
	}
	subj := r.subjects
	if subj == nil {
		subj = parseSubjects(v[cSubjects], b.subj[:0])
		b.subj = subj
	}
	phone := strings.TrimSpace(v[cPhone])
	if phone != "" {
		if e, ok := b.normalizePhone(phone); ok {
			phone = e
		}
	} else if e, ok := phoneFromFileName(p, &b.memo); ok {
		phone = e
	}

	key := NormalizePath(p, b.foldKey)
	e := b.buf[:0]
	e = appendStr(e, key)
	var flags byte
	if key != p {
		flags |= flagPath
	}
	if hasT {
		flags |= flagTime
	}
	e = append(e, flags)
	if key != p {
		e = appendStr(e, p)
	}
	e = binary.AppendUvarint(e, uint64(r.row))
	if hasT {
		e = binary.AppendVarint(e, t.Unix())
		e = binary.AppendUvarint(e, uint64(t.Nanosecond()))
		switch _, off := t.Zone(); {
		case t.Location() == time.UTC:
			e = append(e, zoneUTC)
		case t.Location() == b.ix.loc:
			e = append(e, zoneLoc)
		default:
			e = append(e, zoneFixed)
			e = binary.AppendVarint(e, int64(off))
		}
	}
	e = binary.AppendUvarint(e, uint64(dur))
	e = binary.AppendVarint(e, size)
	e = binary.AppendUvarint(e, b.intern(b.regIDs, &b.ix.region, strings.TrimSpace(v[cRegion])))
	e = appendStr(e, strings.TrimSpace(v[cCallID]))
	e = appendStr(e, phone)
	e = binary.AppendUvarint(e, uint64(len(subj)))
	for _, s := range subj {
		e = binary.AppendUvarint(e, b.intern(b.roleIDs, &b.ix.roles, s.role))
		e = appendStr(e, s.id)
	}
	b.buf = e
	if len(e) > maxEncoded {
		b.fail(r.row, -1, ErrIndexTooLong)
		return nil
	}
	return b.store(e)
}

func (b *indexBuilder) normalizePhone(s string) (string, bool) {
	if d, ok := phoneDigits(s); ok {
		return normalizeDigitRun(d, s[0] == '+', &b.memo)
	}
	return NormalizePhone(s)
}

// store copies an encoded recording into the chunks.
func (b *indexBuilder) store(e []byte) error {
	ix := b.ix
	n := len(ix.chunks)
	if n == 0 || len(ix.chunks[n-1])+len(e) > chunkSize {
		if n == maxChunks {
			return errors.New("exposure: index too large (4 GiB encoded)")
		}
		ix.chunks = append(ix.chunks, make([]byte, 0, chunkSize))
		n++
	}
	c := ix.chunks[n-1]
	ix.offs = append(ix.offs, uint32(n-1)<<chunkBits|uint32(len(c)))
	ix.chunks[n-1] = append(c, e...)
	return nil
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// finish sorts the keys, drops duplicate paths and returns the Index.
func (b *indexBuilder) finish() *Index {
	ix := b.ix
	order := make([]uint32, len(ix.offs))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(x, y uint32) int {
		if c := strings.Compare(ix.key(ix.offs[x]), ix.key(ix.offs[y])); c != 0 {
			return c
		}
		return int(x) - int(y)
	})
	// Drop later rows with a key seen before: the tie-break above puts
	// the first row of each key first.
	var dup []bool
	for j := 1; j < len(order); j++ {
		if ix.key(ix.offs[order[j]]) == ix.key(ix.offs[order[j-1]]) {
			if dup == nil {
				dup = make([]bool, len(order))
			}
			dup[order[j]] = true
			b.fail(ix.decoder(int(order[j])).row, cPath, ErrIndexDuplicate)
		}
	}
	if dup != nil {
		remap := make([]uint32, len(ix.offs))
		k := 0
		for i, off := range ix.offs {
			if !dup[i] {
				remap[i] = uint32(k)
				ix.offs[k] = off
				k++
			}
		}
		ix.offs = ix.offs[:k]
		o := order[:0]
		for _, x := range order {
			if !dup[x] {
				o = append(o, remap[x])
			}
		}
		order = o
	}
	ix.offs = slices.Clone(ix.offs)
	ix.order = order
	if len(ix.chunks) > 0 {
		last := len(ix.chunks) - 1
		ix.chunks[last] = slices.Clip(ix.chunks[last])
	}
	slices.SortStableFunc(ix.errs, func(x, y *IndexError) int { return x.Row - y.Row })
	ix.buildTables()
	return ix
}

// ---- values ----

// parseIndexTime parses an RFC 3339 time, or a local "2006-01-02
// 15:04:05" (a 'T' instead of the space and fractional seconds allowed)
// in loc.
func parseIndexTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range [...]string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseIndexDuration parses decimal seconds ("93", "93.5") or [h:]mm:ss.
func parseIndexDuration(s string) (time.Duration, bool) {
	if strings.IndexByte(s, ':') >= 0 {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, false
		}
		var total int64
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 10, 32)
			if err != nil || p == "" || i > 0 && n >= 60 {
				return 0, false
			}
			total = total*60 + int64(n)
		}
		return time.Duration(total) * time.Second, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) || f > float64(math.MaxInt64)/float64(time.Second) {
		return 0, false
	}
	return time.Duration(math.Round(f * float64(time.Second))), true
}

// parseSubjects parses "caller:19800101-1234;patient:20150505-1234".
// Items are separated by ';', '|' or ','; an item's role is the part
// before its first ':' when that part is a word (letters, digits, '_',
// '-', ' ', not all digits); otherwise the whole item is the identifier
// and the role is "". Empty items are skipped. The result is appended
// to dst.
func parseSubjects(s string, dst []rawSubject) []rawSubject {
	for item := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == '|' || r == ',' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		role, id := "", item
		if r, rest, ok := strings.Cut(item, ":"); ok && isRoleWord(strings.TrimSpace(r)) {
			role, id = strings.TrimSpace(r), strings.TrimSpace(rest)
		}
		if id == "" {
			continue
		}
		dst = append(dst, rawSubject{role: role, id: id})
	}
	if dst == nil {
		dst = []rawSubject{}
	}
	return dst
}

// isRoleWord reports whether s can be a role name.
func isRoleWord(s string) bool {
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c >= 0x80:
			letter = true
		case '0' <= c && c <= '9', c == '_', c == '-', c == ' ':
		default:
			return false
		}
	}
	return letter
}

// ---- CSV ----

func readCSVIndex(r io.Reader, tabs bool, opt IndexOptions) (*Index, error) {
	b, err := newIndexBuilder(opt)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if tabs {
		cr.Comma = '\t'
	}
	var pos [numIndexColumns]int
	header := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("exposure: reading index: %w", err)
			}
			if header {
				return nil, fmt.Errorf("exposure: index header: %w", pe.Err)
			}
			b.fail(pe.StartLine, -1, fmt.Errorf("%w: %w", ErrIndexSyntax, pe.Err))
			continue
		}
		if header {
			if len(rec) > 0 && strings.ContainsRune(rec[0], '\t') && len(rec) == 1 {
				// A tab-separated file read as CSV: give up clearly.
				return nil, errors.New("exposure: index header has one column (tab-separated? use Format \"tsv\")")
			}
			if pos, err = b.columnPositions(rec); err != nil {
				return nil, err
			}
			header = false
			continue
		}
		line, _ := cr.FieldPos(0)
		row := indexRow{row: line}
		empty := true
		for i, p := range pos {
			if p >= 0 && p < len(rec) {
				row.vals[i] = rec[p]
			}
		}
		for _, f := range rec {
			if strings.TrimSpace(f) != "" {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		if err := b.add(&row); err != nil {
			return nil, err
		}
	}
	if header {
		return nil, errors.New("exposure: index is empty (no header)")
	}
	return b.finish(), nil
}

// ---- JSONL ----

func readJSONLIndex(r *bufio.Reader, opt IndexOptions) (*Index, error) {
	b, err := newIndexBuilder(opt)
	if err != nil {
		return nil, err
	}
	var line []byte
	for n := 1; ; n++ {
		line = line[:0]
		tooLong := false
		var rerr error
		for {
			frag, err := r.ReadSlice('\n')
			if len(line)+len(frag) > maxLine {
				tooLong = true
			} else {
				line = append(line, frag...)
			}
			if err != bufio.ErrBufferFull {
				rerr = err
				break
			}
		}
		if rerr != nil && rerr != io.EOF {
			return nil, fmt.Errorf("exposure: reading index: %w", rerr)
		}
		switch {
		case tooLong:
			b.fail(n, -1, ErrIndexTooLong)
		case len(bytes.TrimSpace(line)) > 0:
			if n == 1 {
				line = bytes.TrimPrefix(line, utf8BOM)
			}
			if err := b.addJSON(n, line); err != nil {
				return nil, err
			}
		}
		if rerr == io.EOF {
			break
		}
	}
	return b.finish(), nil
}

// addJSON adds one JSONL line.
func (b *indexBuilder) addJSON(n int, line []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		b.fail(n, -1, ErrIndexSyntax)
		return nil
	}
	row := indexRow{row: n}
	for k, raw := range obj {
		k = strings.ToLower(strings.TrimSpace(k))
		for i, c := range b.cols {
			if k != c {
				continue
			}
			if i == cSubjects {
				subj, ok := jsonSubjects(raw)
				if !ok {
					b.fail(n, cSubjects, ErrIndexSubjects)
					return nil
				}
				row.subjects = subj
				continue
			}
			v, ok := jsonScalar(raw)
			if !ok {
				b.fail(n, i, ErrIndexSyntax)
				return nil
			}
			row.vals[i] = v
		}
	}
	return b.add(&row)
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
func jsonSubjects(raw json.RawMessage) ([]rawSubject, bool) {
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
	out := []rawSubject{}
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
				out = append(out, rawSubject{role: strings.TrimSpace(o.Role), id: id})
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

// ---- Parquet ----

// readParquetIndex reads a Parquet index. Columns are found by their top
// name. subjects may be a string column in the CSV form, a list of such
// strings, or a list of structs with "role" and "id" fields. started_at
// may be a string or a TIMESTAMP.
func readParquetIndex(ra io.ReaderAt, size int64, opt IndexOptions) (ix *Index, err error) {
	b, err := newIndexBuilder(opt)
	if err != nil {
		return nil, err
	}
	defer func() {
		// parquet-go panics on some corrupt files: report, do not crash.
		if p := recover(); p != nil {
			ix, err = nil, errors.New("exposure: parquet index: corrupt file")
		}
	}()
	pf, err := parquet.OpenFile(ra, size)
	if err != nil {
		return nil, fmt.Errorf("exposure: parquet index: %w", err)
	}
	schema := pf.Schema()
	paths := schema.Columns()
	leafCol := make([]int, len(paths))
	tsUnit := make([]time.Duration, len(paths))
	subjRole, subjID := -1, -1
	hasPath := false
	for i, p := range paths {
		leafCol[i] = -1
		top := strings.ToLower(p[0])
		c := slices.Index(b.cols[:], top)
		if c < 0 {
			continue
		}
		if c == cSubjects && len(p) > 1 {
			switch strings.ToLower(p[len(p)-1]) {
			case "role":
				subjRole = i
				continue
			case "id":
				subjID = i
				continue
			}
		}
		if leafCol[i] = c; c == cPath {
			hasPath = true
		}
		if leaf, ok := schema.Lookup(p...); ok {
			if lt := leaf.Node.Type().LogicalType(); lt != nil {
				if ts, ok := lt.Value.(*format.TimestampType); ok && ts.Unit.Value != nil {
					tsUnit[i] = ts.Unit.Value.Duration()
				}
			}
		}
	}
	if !hasPath {
		return nil, errors.New("exposure: index has no path column")
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	rows := make([]parquet.Row, 64)
	rowNum := 0
	var roles, ids []string
	for {
		n, rerr := r.ReadRows(rows)
		for _, row := range rows[:n] {
			rowNum++
			ir := indexRow{row: rowNum}
			roles, ids = roles[:0], ids[:0]
			row.Range(func(ci int, vals []parquet.Value) bool {
				switch {
				case ci == subjRole:
					for _, v := range vals {
						roles = append(roles, parquetString(v))
					}
				case ci == subjID:
					for _, v := range vals {
						ids = append(ids, parquetString(v))
					}
				case ci >= len(leafCol) || leafCol[ci] < 0:
				case leafCol[ci] == cSubjects:
					for _, v := range vals {
						if !v.IsNull() {
							ir.subjects = parseSubjects(parquetString(v), ir.subjects)
						}
					}
				case len(vals) > 0 && !vals[0].IsNull():
					v := vals[0]
					if tsUnit[ci] != 0 && v.Kind() == parquet.Int64 {
						ir.t = time.Unix(0, 0).Add(time.Duration(v.Int64()) * tsUnit[ci]).UTC()
						ir.hasT = true
						break
					}
					ir.vals[leafCol[ci]] = parquetString(v)
				}
				return true
			})
			for k, id := range ids {
				if id = strings.TrimSpace(id); id != "" {
					role := ""
					if k < len(roles) {
						role = strings.TrimSpace(roles[k])
					}
					ir.subjects = append(ir.subjects, rawSubject{role: role, id: id})
				}
			}
			if err := b.add(&ir); err != nil {
				return nil, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, fmt.Errorf("exposure: parquet index: %w", rerr)
		}
	}
	return b.finish(), nil
}

// parquetString returns a Parquet value as text ("" for null).
func parquetString(v parquet.Value) string {
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
