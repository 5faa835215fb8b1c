package exposure

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The builder turns rows into an Index in two stages. Rows are encoded
// into chunks, each by one rowEncoder (for CSV and JSONL several chunks
// are encoded in parallel); then assemble puts the chunks together in
// input order: duplicate paths, the arena, folders, persons.

// An IndexRow is one input row, given to an IndexBuilder by a reader of a
// format this package does not read itself. Values are text as in a CSV
// index; a typed start time and structured subjects may be given instead.
type IndexRow struct {
	// Row is the row's position, as Recording.Row.
	Row int
	// StartedAt, when not zero, is the start time (a typed column) and
	// the ColStartedAt text is ignored.
	StartedAt time.Time
	// Subjects, when not nil, are the row's subjects (a structured
	// column) and the ColSubjects text is ignored.
	Subjects []IndexSubject
	vals     [numIndexColumns]string
	// given records which columns the row has, for the column checks.
	given [numIndexColumns]bool
}

// An IndexSubject is a subject as an input gives it.
type IndexSubject struct {
	Role, ID string
}

// Set sets the text of our column col (ColPath, ...); it reports false
// for an unknown column. Set it for every column the input has, even when
// the value is empty.
func (r *IndexRow) Set(col, value string) bool {
	c := columnNumber(col)
	if c < 0 {
		return false
	}
	r.vals[c], r.given[c] = value, true
	return true
}

func columnNumber(col string) int {
	for i, c := range indexColumns {
		if c == col {
			return i
		}
	}
	return -1
}

// An IndexBuilder builds an Index from rows given one by one. It exists
// for readers of formats this package does not read itself (see
// RegisterIndexFormat); LoadIndex and ReadIndex use it internally.
type IndexBuilder struct {
	sh    *buildShared
	enc   *rowEncoder
	found []string // the header's names, when Header was called
}

// NewIndexBuilder returns a builder for an index read with opt.
func NewIndexBuilder(opt IndexOptions) (*IndexBuilder, error) {
	sh, err := newBuildShared(opt)
	if err != nil {
		return nil, err
	}
	return &IndexBuilder{sh: sh, enc: sh.encoder(&chunk{})}, nil
}

// InputColumn returns the input column name (lower-cased) that holds our
// column col, as IndexOptions.Columns maps it.
func (b *IndexBuilder) InputColumn(col string) string {
	if c := columnNumber(col); c >= 0 {
		return b.sh.cols[c]
	}
	return ""
}

// Header checks the input's column names (as given, matched without
// regard to case) against the required columns and returns an
// *IndexColumnsError when one is missing. Call it once before the rows
// when the input has a header; without a call, Finish checks that every
// required column was set in some row.
func (b *IndexBuilder) Header(names []string) error {
	b.found = append([]string{}, names...)
	_, err := b.sh.columnPositions(names)
	return err
}

// Add adds a row.
func (b *IndexBuilder) Add(r *IndexRow) { b.enc.add(r) }

// Fail records a row that cannot be used at all (a syntax error, say):
// col is our column name or "", err one of the ErrIndex* values or a
// wrapper of one.
func (b *IndexBuilder) Fail(row int, col string, err error) {
	b.enc.fail(row, columnNumber(col), err)
}

// Finish returns the Index. It fails with an *IndexColumnsError when a
// required column was in no row, or empty in every row.
func (b *IndexBuilder) Finish() (*Index, error) {
	chunks := []*chunk{b.enc.out}
	if err := b.sh.checkColumns(chunks, b.enc.out.has, b.found); err != nil {
		return nil, err
	}
	return b.sh.assemble(chunks)
}

// buildShared is what the encoders of one index share.
type buildShared struct {
	opt     IndexOptions
	loc     *time.Location
	cols    [numIndexColumns]string // input column names, lower-cased
	foldKey PathMapper
	seed    maphash.Seed
	strip   string
	add     string
	folders interner
	roles   interner
	regions interner
	drop    func([]byte) // gives back parsed pages of a mapped input; may be nil

	// What the parts parsed so far read and wrote, for reserve.
	ratioMu                    sync.Mutex
	inBytes, outBytes, outKeys int64
}

// parsed is called when a chunk has been read from its part of the input:
// it gives the chunk's unused reserve back (reserve sizes for typical rows
// and may be far over) and the part's pages, when mapped.
func (sh *buildShared) parsed(c *chunk, part []byte) {
	sh.ratioMu.Lock()
	sh.inBytes += int64(len(part))
	sh.outBytes += int64(len(c.data))
	sh.outKeys += int64(len(c.keys))
	sh.ratioMu.Unlock()
	c.data = trim(c.data)
	c.recs = trim(c.recs)
	c.keys = trim(c.keys)
	if sh.drop != nil {
		sh.drop(part)
	}
}

// trim returns s in a slice of its own length when its capacity is more
// than an eighth larger.
func trim[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/8 {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

func newBuildShared(opt IndexOptions) (*buildShared, error) {
	sh := &buildShared{opt: opt, loc: opt.Location, foldKey: PathMapper{FoldCase: opt.PathMapper.FoldCase},
		seed: maphash.MakeSeed()}
	if sh.loc == nil {
		sh.loc = time.UTC
	}
	sh.strip, sh.add = mapperPrefixes(opt.PathMapper)
	for k := range opt.Columns {
		if columnNumber(k) < 0 {
			return nil, fmt.Errorf("exposure: IndexOptions.Columns: unknown column %q", k)
		}
	}
	for i, name := range indexColumns {
		if v, ok := opt.Columns[name]; ok {
			name = v
		}
		sh.cols[i] = strings.ToLower(strings.TrimSpace(name))
	}
	sh.roles.id("")
	sh.regions.id("")
	return sh, nil
}

// columnPositions maps a header to column positions (-1 when absent) and
// checks that the required columns are there.
func (sh *buildShared) columnPositions(header []string) ([numIndexColumns]int, error) {
	var pos [numIndexColumns]int
	for i := range pos {
		pos[i] = -1
	}
	for j, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for i, c := range sh.cols {
			if h == c && pos[i] < 0 {
				pos[i] = j
			}
		}
	}
	var missing []string
	for _, k := range requiredColumns {
		if pos[k] < 0 {
			missing = append(missing, indexColumns[k])
		}
	}
	if len(missing) > 0 {
		found := make([]string, len(header))
		for j, h := range header {
			found[j] = columnShown(j, strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		}
		return pos, &IndexColumnsError{Missing: missing, Found: found, Mapped: sh.opt.Columns}
	}
	return pos, nil
}

// columnShown returns a header name as an error may show it: a name
// that looks like data (a run of four digits or more, or over 40 bytes:
// a file without a header row) is shown by its position only.
func columnShown(j int, name string) string {
	run := 0
	for i := 0; i < len(name); i++ {
		if isDigit(name[i]) {
			if run++; run >= 4 {
				return "#" + strconv.Itoa(j+1) + " (holds digits: no header row?)"
			}
		} else {
			run = 0
		}
	}
	if len(name) > 40 {
		return "#" + strconv.Itoa(j+1) + " (long: no header row?)"
	}
	return name
}

// An interner numbers strings, for encoders working in parallel; each
// encoder keeps a cache in front of it.
type interner struct {
	mu   sync.Mutex
	ids  map[string]uint32
	list []string
}

// id returns s's number and the interner's copy of s.
func (in *interner) id(s string) (uint32, string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if id, ok := in.ids[s]; ok {
		return id, in.list[id]
	}
	if in.ids == nil {
		in.ids = make(map[string]uint32)
	}
	s = strings.Clone(s)
	id := uint32(len(in.list))
	in.list = append(in.list, s)
	in.ids[s] = id
	return id, s
}

// A chunk is the encoded rows of one part of the input.
type chunk struct {
	start, end int // the part's bytes in the input (CSV, JSONL)
	line       int // the input line number of start, minus one
	lines      int // line ends in the part (CSV)
	rows       int // rows given to the encoder
	data       []byte
	recs       []chunkRec
	keys       []uint64 // subject -> canonical number, or personString|index in strs
	strs       []string
	deferred   []deferredSubject
	errs       []*IndexError
	seen       [numIndexColumns]bool // columns with a value in some row
	has        [numIndexColumns]bool // columns some row has
	maxStart   int64                 // latest Unix start, math.MinInt64 when none
	huge       hugeRegions           // the buffers' memory advised for huge pages
}

// unadviseChunks takes back the huge-page advice of the chunks' buffers,
// which the Index does not keep (see largeSlice).
func unadviseChunks(chunks []*chunk) {
	for _, c := range chunks {
		if c != nil {
			c.huge.release()
		}
	}
}

// reserve sizes a chunk's buffers for part, its input: a record per
// line end, and encoded bytes and subjects in the proportions the parts
// parsed so far had (typical rows' proportions before the first). Parts
// of one index are alike, so the buffers rarely grow or need trimming:
// growing and trimming copied a third of a gigabyte on the incident's
// index.
func (sh *buildShared) reserve(c *chunk, part []byte) {
	n := len(part)
	lines := bytes.Count(part, newline) + 1
	dataPer, keysPer := 0.6, 1/60.0 // per input byte, before any part is parsed
	sh.ratioMu.Lock()
	if sh.inBytes > 0 {
		dataPer = float64(sh.outBytes)/float64(sh.inBytes)*1.04 + 1e-3
		keysPer = float64(sh.outKeys)/float64(sh.inBytes)*1.04 + 1e-4
	}
	sh.ratioMu.Unlock()
	c.data = largeSlice[byte](&c.huge, 0, int(float64(n)*dataPer)+64)
	c.recs = largeSlice[chunkRec](&c.huge, 0, lines)
	c.keys = largeSlice[uint64](&c.huge, 0, int(float64(n)*keysPer)+1)
}

var newline = []byte{'\n'}

type chunkRec struct {
	off, end uint32 // the body in data
	subjOff  uint32 // the subject count in data
	row      int    // relative to chunk.line
	hash     uint64
	folder   uint32 // folders interner number
	subjBase uint32 // first subject in keys
	nsubj    uint32
	avail    int64
}

// A deferredSubject waits for the index's latest call date to learn its
// century (IndexOptions.Reference zero, the row without a date).
type deferredSubject struct {
	key   int    // in chunk.keys
	hdr   uint32 // the subject's header byte in chunk.data
	rec   int    // in chunk.recs
	given string
}

// rowEncoder encodes rows into one chunk.
type rowEncoder struct {
	sh      *buildShared
	out     *chunk
	folders idCache
	roles   idCache
	regions idCache
	subj    []IndexSubject
	key     []byte
}

func (sh *buildShared) encoder(c *chunk) *rowEncoder {
	c.maxStart = math.MinInt64
	return &rowEncoder{sh: sh, out: c}
}

func (e *rowEncoder) fail(row, col int, err error) {
	e.failKept(row, col, err, false)
}

func (e *rowEncoder) failKept(row, col int, err error, kept bool) {
	name := ""
	if col >= 0 {
		name = indexColumns[col]
	}
	e.out.errs = append(e.out.errs, &IndexError{Row: row, Column: name, Err: err, Kept: kept})
}

// An idCache keeps an encoder's interner numbers: the last one (rows in
// a folder come together), then a map.
type idCache struct {
	last   string
	lastID uint32
	ids    map[string]interned
}

// interned is a string's number and the interner's copy of it (the
// input a row's strings point into may be unmapped later).
type interned struct {
	id  uint32
	own string
}

func (c *idCache) id(in *interner, s string) uint32 {
	if s == c.last && c.ids != nil {
		return c.lastID
	}
	if e, ok := c.ids[s]; ok {
		c.last, c.lastID = e.own, e.id
		return e.id
	}
	// The interner's list grows under its lock, as other encoders add
	// to it: its copy of s comes from there, never from reading the list
	// here.
	id, own := in.id(s)
	if c.ids == nil {
		c.ids = make(map[string]interned)
	}
	c.ids[own] = interned{id, own}
	c.last, c.lastID = own, id
	return id
}

// add encodes one row, or records why it cannot be used.
func (e *rowEncoder) add(r *IndexRow) {
	c, sh := e.out, e.sh
	c.rows++
	v := &r.vals
	for i := range v {
		if r.given[i] {
			c.has[i] = true
		}
		if !c.seen[i] && strings.TrimSpace(v[i]) != "" {
			c.seen[i] = true
		}
	}
	if !r.StartedAt.IsZero() {
		c.has[cStartedAt], c.seen[cStartedAt] = true, true
	}
	if r.Subjects != nil {
		c.has[cSubjects] = true
		if len(r.Subjects) > 0 {
			c.seen[cSubjects] = true
		}
	}
	p := strings.TrimSpace(v[cPath])
	if p == "" {
		e.fail(r.Row, cPath, ErrIndexNoPath)
		return
	}
	var flags uint64
	size := int64(-1)
	if s := strings.TrimSpace(v[cSize]); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n == math.MaxInt64 {
			e.failKept(r.Row, cSize, ErrIndexNumber, true)
			flags |= recUncertain
		} else {
			size = n
		}
	}
	var ts indexTime
	if !r.StartedAt.IsZero() {
		ts = timeOf(r.StartedAt, sh.loc)
	} else if s := strings.TrimSpace(v[cStartedAt]); s != "" {
		var ok bool
		if ts, ok = parseIndexTime(s, sh.loc); !ok {
			e.failKept(r.Row, cStartedAt, ErrIndexTime, true)
			flags |= recUncertain
		}
	}
	var dur time.Duration
	if s := strings.TrimSpace(v[cDuration]); s != "" {
		var ok bool
		if dur, ok = parseIndexDuration(s); !ok {
			e.failKept(r.Row, cDuration, ErrIndexNumber, true)
			flags |= recUncertain
		}
	}
	subj := r.Subjects
	if subj == nil {
		subj = parseSubjects(v[cSubjects], e.subj[:0])
		e.subj = subj
	}
	var phone string
	var phoneNum uint64
	if s := strings.TrimSpace(v[cPhone]); s != "" {
		if n, ok := e.normalizePhone(s); ok {
			phoneNum = n
		} else {
			phone = s
		}
	} else if n, ok := phoneFromFileNameNum(p); ok {
		phoneNum = n
	}

	key := NormalizePath(p, sh.foldKey)
	folder := directFolder(key)
	name := key[len(folder):]
	fid := e.folders.id(&sh.folders, folder)
	rec := chunkRec{off: uint32(len(c.data)), row: r.Row - c.line, hash: maphash.String(sh.seed, key),
		folder: fid, subjBase: uint32(len(c.keys)), nsubj: uint32(len(subj)), avail: math.MinInt64}

	if key != p {
		flags |= recPath
	}
	if ts.ok {
		flags |= recTime | uint64(ts.zone)
		if ts.nsec != 0 {
			flags |= recNanos
		}
		rec.avail = availableAt(ts.sec, ts.nsec, dur)
		c.maxStart = max(c.maxStart, ts.sec)
	}
	if dur%time.Second == 0 {
		flags |= recDurSec
	}
	switch {
	case phoneNum != 0:
		flags |= recPhoneE164
	case phone != "":
		flags |= recPhoneRaw
	}
	b := c.data
	b = appendUvarint(b, flags)
	b = appendStr(b, name)
	if flags&recPath != 0 {
		b = appendStr(b, p)
	}
	if ts.ok {
		b = appendVarint(b, ts.sec)
		if ts.nsec != 0 {
			b = appendUvarint(b, uint64(ts.nsec))
		}
		if ts.zone == recZoneFixed {
			b = appendVarint(b, int64(ts.offset))
		}
	}
	if flags&recDurSec != 0 {
		b = appendUvarint(b, uint64(dur/time.Second))
	} else {
		b = appendUvarint(b, uint64(dur))
	}
	b = appendUvarint(b, uint64(size+1))
	b = appendUvarint(b, uint64(e.regions.id(&sh.regions, strings.TrimSpace(v[cRegion]))))
	b = appendStr(b, strings.TrimSpace(v[cCallID]))
	switch {
	case phoneNum != 0:
		b = appendUvarint(b, phoneNum)
	case phone != "":
		b = appendStr(b, phone)
	}
	rec.subjOff = uint32(len(b))
	b = appendUvarint(b, uint64(len(subj)))
	var ref time.Time
	if ts.ok {
		ref = ts.time(sh.loc)
	} else {
		ref = sh.opt.Reference
	}
	for _, s := range subj {
		given := strings.TrimSpace(s.ID)
		id := parsePnr(given, ref)
		role := uint64(e.roles.id(&sh.roles, strings.TrimSpace(s.Role)))
		form := byte(formVerbatim)
		if id.canonical {
			form = givenForm(given, &id.digits)
			k := canonicalKey(&id.digits)
			c.keys = append(c.keys, k)
		} else {
			if ref.IsZero() && (id.kind == Personnummer || id.kind == Samordningsnummer) {
				c.deferred = append(c.deferred, deferredSubject{key: len(c.keys), hdr: uint32(len(b)),
					rec: len(c.recs), given: strings.Clone(given)})
			}
			c.keys = append(c.keys, personString|uint64(len(c.strs)))
			c.strs = append(c.strs, strings.Clone(given))
		}
		b = appendUvarint(b, role<<5|uint64(form)<<2|uint64(id.kind))
		if form == formVerbatim {
			b = appendStr(b, given)
		}
	}
	if len(b)-int(rec.off) > maxEncoded || len(b) > math.MaxUint32 {
		c.data = c.data[:rec.off]
		c.keys = c.keys[:rec.subjBase]
		for len(c.deferred) > 0 && c.deferred[len(c.deferred)-1].rec == len(c.recs) {
			c.deferred = c.deferred[:len(c.deferred)-1]
		}
		e.fail(r.Row, -1, ErrIndexTooLong)
		return
	}
	c.data = b
	rec.end = uint32(len(b))
	c.recs = append(c.recs, rec)
}

// maxEncoded bounds one encoded recording.
const maxEncoded = 64 << 10

// normalizePhone returns the digits of a phone number's E.164 form.
func (e *rowEncoder) normalizePhone(s string) (uint64, bool) {
	if d, isDigits := phoneDigits(s); isDigits {
		return normalizeDigitRunNum(d, s[0] == '+')
	}
	return e164Num(NormalizePhone(s))
}

// availableAt returns sec+nsec+d in Unix nanoseconds, saturating at the
// limits of int64.
func availableAt(sec, nsec int64, d time.Duration) int64 {
	const maxSec = math.MaxInt64/int64(time.Second) - 1
	switch {
	case sec >= maxSec:
		return math.MaxInt64
	case sec <= -maxSec:
		return math.MinInt64 + 1
	}
	ns := sec*int64(time.Second) + nsec
	if ns > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return ns + int64(d)
}

// folderOfKey returns the folder path (with its trailing slash) that
// directly holds the recording with the normalised key k, and "" for the
// root.
func folderOfKey(k string) string {
	return k[:strings.LastIndexByte(strings.TrimSuffix(k, "/"), '/')+1]
}

// directFolder returns the folder that directly holds the recording with
// key k; a row whose path is the root itself is held by the root.
func directFolder(k string) string {
	if d := folderOfKey(k); d != "" {
		return d
	}
	return "/"
}

// checkColumns reports required columns that no row has, or that are
// empty in every row.
func (sh *buildShared) checkColumns(chunks []*chunk, has [numIndexColumns]bool, found []string) error {
	var seen [numIndexColumns]bool
	rows, errs := 0, 0
	for _, c := range chunks {
		for i, v := range c.seen {
			seen[i] = seen[i] || v
		}
		rows += c.rows
		errs += len(c.errs)
	}
	if rows == 0 && errs > 0 {
		// No row could be read at all: the row errors say why.
		return nil
	}
	e := &IndexColumnsError{Found: found, Mapped: sh.opt.Columns}
	for _, k := range requiredColumns {
		switch {
		case !has[k]:
			e.Missing = append(e.Missing, indexColumns[k])
		case !seen[k]:
			e.Empty = append(e.Empty, indexColumns[k])
		}
	}
	if len(e.Missing) > 0 || len(e.Empty) > 0 {
		return e
	}
	return nil
}

// ---- assembly ----

// recRef names a record of a chunk.
type recRef struct {
	c *chunk
	j int
}

// assemble builds the Index from chunks in input order; each chunk's rows
// count from its line.
func (sh *buildShared) assemble(chunks []*chunk) (*Index, error) {
	ix := &Index{seed: sh.seed, loc: sh.loc, mapper: sh.opt.PathMapper, strip: sh.strip, add: sh.add, huge: &hugeRegions{}}
	releaseWith(ix, ix.huge)
	total := 0
	for _, c := range chunks {
		total += len(c.recs)
		for _, e := range c.errs {
			e.Row += c.line
		}
		ix.errs = append(ix.errs, c.errs...)
	}
	if total >= math.MaxInt32 {
		return nil, errors.New("exposure: index too large (2^31 recordings)")
	}
	sh.resolveCenturies(chunks, ix)

	// Duplicate paths: the first row of a key is the recording; later
	// rows lend it their subjects.
	refs := make([]recRef, 0, total)
	for _, c := range chunks {
		for j := range c.recs {
			refs = append(refs, recRef{c, j})
		}
	}
	parts := 1
	if total >= 1<<16 {
		parts = 4
	}
	ix.recTable = newSlotTable(ix.huge, total, parts)
	name := func(r recRef) string {
		c := cursor(r.c.data[r.c.recs[r.j].off:])
		c.uvarint()
		return c.str()
	}
	// Each part of the table is filled by one goroutine, in input order,
	// so that the first row of a key always wins.
	type dup struct{ g, first int }
	dups := make([][]dup, parts)
	parallel(parts, func(p int) {
		for g, r := range refs {
			cr := &r.c.recs[r.j]
			if ix.recTable.part(cr.hash) != p {
				continue
			}
			h, free, found := ix.recTable.probe(cr.hash, func(h int) bool {
				o := refs[h]
				return o.c.recs[o.j].folder == cr.folder && name(o) == name(r)
			})
			if found {
				dups[p] = append(dups[p], dup{g, h})
			} else {
				ix.recTable.set(free, cr.hash, g)
			}
		}
	})
	all := slices.Concat(dups...)
	slices.SortFunc(all, func(a, b dup) int { return a.g - b.g })
	var dupOf []int32 // input record -> the record it repeats, or -1
	if len(all) > 0 {
		dupOf = make([]int32, total)
		for k := range dupOf {
			dupOf[k] = -1
		}
	}
	for _, d := range all {
		dupOf[d.g] = int32(d.first)
		r, first := refs[d.g], refs[d.first]
		ix.errs = append(ix.errs, &IndexError{Row: r.c.recs[r.j].row + r.c.line, Column: ColPath, Err: ErrIndexDuplicate,
			Kept: true, First: first.c.recs[first.j].row + first.c.line})
	}
	// kept: the input records that are recordings, in order; dups: the
	// records merged into each.
	kept := refs
	var merged map[int][]recRef // recording -> its duplicates
	if dupOf != nil {
		kept = make([]recRef, 0, total)
		final := make([]int32, total)
		merged = map[int][]recRef{}
		for g, r := range refs {
			if d := dupOf[g]; d >= 0 {
				merged[int(final[d])] = append(merged[int(final[d])], r)
				continue
			}
			final[g] = int32(len(kept))
			kept = append(kept, r)
		}
		idMask := uint32(1)<<ix.recTable.idBits - 1
		for k, s := range ix.recTable.slots {
			if s != 0 {
				ix.recTable.slots[k] = s&^idMask | uint32(final[s&idMask-1]+1)
			}
		}
	}
	n := len(kept)

	// The arena and the per-recording arrays.
	folderOf := make([]uint32, n) // interner numbers until the folders are sorted
	if merged == nil {
		if err := sh.copyChunks(ix, chunks, folderOf); err != nil {
			return nil, err
		}
	} else if err := sh.copyMerged(ix, kept, merged, folderOf); err != nil {
		return nil, err
	}
	ix.roles = sh.roles.list
	ix.region = sh.regions.list

	// Folders and persons touch disjoint fields of ix: build them side
	// by side.
	var wg sync.WaitGroup
	wg.Go(func() { sh.buildFolders(ix, folderOf) })
	err := sh.buildPersons(ix, chunks, kept, merged)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ix.errs, func(x, y *IndexError) int { return x.Row - y.Row })
	return ix, nil
}

var errTooLarge = errors.New("exposure: index too large (4 GiB encoded)")

// copyMerged copies the records into the arena one by one, putting the
// subjects of duplicate rows after those of their first row.
func (sh *buildShared) copyMerged(ix *Index, kept []recRef, merged map[int][]recRef, folderOf []uint32) error {
	n := len(kept)
	size := 0
	for i, r := range kept {
		cr := &r.c.recs[r.j]
		size += int(cr.end - cr.off)
		for _, d := range merged[i] {
			dr := &d.c.recs[d.j]
			size += int(dr.end-dr.subjOff) + 4
		}
	}
	if size > math.MaxUint32 {
		return errTooLarge
	}
	ix.data = largeSlice[byte](ix.huge, 0, size)
	ix.offs = largeSlice[uint32](ix.huge, n, n)
	ix.avail = largeSlice[int64](ix.huge, n, n)
	ix.subjStart = largeSlice[uint32](ix.huge, n+1, n+1)
	nsubj := 0
	for i, r := range kept {
		cr := &r.c.recs[r.j]
		ix.offs[i] = uint32(len(ix.data))
		ix.rows = addRow(ix.rows, i, cr.row+r.c.line)
		ds := merged[i]
		if len(ds) == 0 {
			ix.data = append(ix.data, r.c.data[cr.off:cr.end]...)
		} else {
			ix.data = append(ix.data, r.c.data[cr.off:cr.subjOff]...)
			count := cr.nsubj
			for _, d := range ds {
				count += d.c.recs[d.j].nsubj
			}
			ix.data = appendUvarint(ix.data, uint64(count))
			ix.data = append(ix.data, r.c.data[cr.subjOff+uint32(uvarintLen(uint64(cr.nsubj))):cr.end]...)
			for _, d := range ds {
				dr := &d.c.recs[d.j]
				ix.data = append(ix.data, d.c.data[dr.subjOff+uint32(uvarintLen(uint64(dr.nsubj))):dr.end]...)
			}
		}
		ix.avail[i] = cr.avail
		folderOf[i] = cr.folder
		nsubj += int(cr.nsubj)
		for _, d := range ds {
			nsubj += int(d.c.recs[d.j].nsubj)
		}
		ix.subjStart[i+1] = uint32(nsubj)
	}
	return nil
}

// copyChunks copies the records of chunks without duplicates into the
// arena, the chunks in parallel.
func (sh *buildShared) copyChunks(ix *Index, chunks []*chunk, folderOf []uint32) error {
	n := len(folderOf)
	recBase := make([]int, len(chunks)+1)
	subjBase := make([]int, len(chunks)+1)
	for k, c := range chunks {
		recBase[k+1] = recBase[k] + len(c.recs)
		subjBase[k+1] = subjBase[k] + len(c.keys)
	}
	dataBase := make([]int, len(chunks)+1)
	for k, c := range chunks {
		dataBase[k+1] = dataBase[k] + len(c.data)
	}
	if dataBase[len(chunks)] > math.MaxUint32 {
		return errTooLarge
	}
	ix.data = largeSlice[byte](ix.huge, dataBase[len(chunks)], dataBase[len(chunks)])
	ix.offs = largeSlice[uint32](ix.huge, n, n)
	ix.avail = largeSlice[int64](ix.huge, n, n)
	ix.subjStart = largeSlice[uint32](ix.huge, n+1, n+1)
	runs := make([][]rowRun, len(chunks))
	parallel(len(chunks), func(k int) {
		c := chunks[k]
		copy(ix.data[dataBase[k]:], c.data)
		c.data = nil // the arena has it; the persons need only recs and keys
		for j := range c.recs {
			cr := &c.recs[j]
			i := recBase[k] + j
			ix.offs[i] = uint32(dataBase[k] + int(cr.off))
			runs[k] = addRow(runs[k], i, cr.row+c.line)
			ix.avail[i] = cr.avail
			folderOf[i] = cr.folder
			ix.subjStart[i+1] = uint32(subjBase[k] + int(cr.subjBase+cr.nsubj))
		}
	})
	for _, r := range runs {
		for _, run := range r {
			ix.rows = addRow(ix.rows, int(run.from), int(run.from+run.delta))
		}
	}
	ix.rows = slices.Clip(ix.rows)
	return nil
}

// resolveCenturies parses the identities that waited for a reference
// date: the latest call start of the index.
func (sh *buildShared) resolveCenturies(chunks []*chunk, ix *Index) {
	latest := int64(math.MinInt64)
	for _, c := range chunks {
		latest = max(latest, c.maxStart)
	}
	for _, c := range chunks {
		lastRec := -1
		for _, d := range c.deferred {
			if latest == math.MinInt64 {
				if d.rec != lastRec {
					lastRec = d.rec
					ix.errs = append(ix.errs, &IndexError{Row: c.recs[d.rec].row + c.line, Column: ColSubjects,
						Err: ErrIndexCentury, Kept: true})
				}
				continue
			}
			id := parsePnr(d.given, time.Unix(latest, 0).In(sh.loc))
			c.data[d.hdr] = c.data[d.hdr]&^3 | byte(id.kind)
			if id.canonical {
				k := canonicalKey(&id.digits)
				c.keys[d.key] = k
			}
		}
	}
}

// buildFolders numbers the folders in path order and lists each one's
// recordings by availability.
func (sh *buildShared) buildFolders(ix *Index, folderOf []uint32) {
	list := sh.folders.list
	used := make([]bool, len(list))
	for _, f := range folderOf {
		used[f] = true
	}
	set := make(map[string]struct{})
	for f, d := range list {
		if !used[f] {
			continue
		}
		for d != "" {
			if _, ok := set[d]; ok {
				break
			}
			set[d] = struct{}{}
			d = folderOfKey(d)
		}
	}
	ix.folderKeys = make([]string, 0, len(set))
	for k := range set {
		ix.folderKeys = append(ix.folderKeys, k)
	}
	slices.Sort(ix.folderKeys)
	ix.folderTable = newSlotTable(ix.huge, len(ix.folderKeys), 1)
	number := make(map[string]int32, len(ix.folderKeys))
	for f, k := range ix.folderKeys {
		number[k] = int32(f)
		h := maphash.String(ix.seed, k[:len(k)-1])
		_, free, _ := ix.folderTable.probe(h, func(int) bool { return false })
		ix.folderTable.set(free, h, f)
	}
	remap := make([]int32, len(list))
	for f, d := range list {
		if used[f] {
			remap[f] = number[d]
		}
	}
	n := len(folderOf)
	ix.folderOf = largeSlice[int32](ix.huge, n, n)
	ix.folderStart = make([]uint32, len(ix.folderKeys)+1)
	for i, f := range folderOf {
		g := remap[f]
		ix.folderOf[i] = g
		ix.folderStart[g+1]++
	}
	for f := range ix.folderKeys {
		ix.folderStart[f+1] += ix.folderStart[f]
	}
	ix.folderRecs = largeSlice[int32](ix.huge, n, n)
	next := slices.Clone(ix.folderStart[:len(ix.folderKeys)])
	for i, f := range ix.folderOf {
		ix.folderRecs[next[f]] = int32(i)
		next[f]++
	}
	byAvail := func(a, b int32) int {
		return cmp.Or(cmp.Compare(ix.avail[a], ix.avail[b]), cmp.Compare(a, b))
	}
	parallel(len(ix.folderKeys), func(f int) {
		if recs := ix.FolderRecordings(f); !slices.IsSortedFunc(recs, byAvail) {
			slices.SortFunc(recs, byAvail)
		}
	})
}

// parallel calls f(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, f func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for k := range n {
			f(k)
		}
		return
	}
	var next sync.Mutex
	k := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				j := k
				k++
				next.Unlock()
				if j >= n {
					return
				}
				f(j)
			}
		})
	}
	wg.Wait()
}

// buildPersons numbers the persons in ascending ID order and lists each
// one's recordings.
func (sh *buildShared) buildPersons(ix *Index, chunks []*chunk, kept []recRef, merged map[int][]recRef) error {
	n := len(kept)
	nsubj := int(ix.subjStart[n])
	// Each subject's key, in final subject order; strings apart.
	type strSubj struct {
		id string
		s  uint32
	}
	var strs []strSubj
	packed := nsubj < 1<<24
	var canon []uint64 // key<<24 | subject when packed
	type canonSubj struct {
		k uint64
		s uint32
	}
	var wide []canonSubj
	if packed {
		canon = make([]uint64, 0, nsubj)
	}
	subjRec := make([]int32, nsubj)
	s := uint32(0)
	addRec := func(i int, r recRef) {
		cr := &r.c.recs[r.j]
		for _, k := range r.c.keys[cr.subjBase : cr.subjBase+cr.nsubj] {
			subjRec[s] = int32(i)
			switch {
			case k&personString != 0:
				strs = append(strs, strSubj{r.c.strs[k&^personString], s})
			case packed:
				canon = append(canon, k<<24|uint64(s))
			default:
				wide = append(wide, canonSubj{k, s})
			}
			s++
		}
	}
	if merged == nil && packed {
		// No duplicates: each chunk's subjects in parallel.
		base := make([][4]int, len(chunks)+1) // records, subjects, canonical, strings
		parallel(len(chunks), func(k int) {
			c := chunks[k]
			nstr := 0
			for _, key := range c.keys {
				if key&personString != 0 {
					nstr++
				}
			}
			base[k+1] = [4]int{len(c.recs), len(c.keys), len(c.keys) - nstr, nstr}
		})
		for k := range chunks {
			for f := range 4 {
				base[k+1][f] += base[k][f]
			}
		}
		canon = canon[:base[len(chunks)][2]]
		strs = make([]strSubj, base[len(chunks)][3])
		parallel(len(chunks), func(k int) {
			c := chunks[k]
			b := base[k]
			ci, si := b[2], b[3]
			for j := range c.recs {
				cr := &c.recs[j]
				for t := cr.subjBase; t < cr.subjBase+cr.nsubj; t++ {
					s := uint32(b[1]) + t
					subjRec[s] = int32(b[0] + j)
					if key := c.keys[t]; key&personString != 0 {
						strs[si] = strSubj{c.strs[key&^personString], s}
						si++
					} else {
						canon[ci] = key<<24 | uint64(s)
						ci++
					}
				}
			}
		})
	} else {
		for i, r := range kept {
			addRec(i, r)
			for _, d := range merged[i] {
				addRec(i, d)
			}
		}
	}
	if packed {
		parallelRadixSort40(canon)
	} else {
		slices.SortFunc(wide, func(a, b canonSubj) int { return cmp.Or(cmp.Compare(a.k, b.k), cmp.Compare(a.s, b.s)) })
	}
	slices.SortFunc(strs, func(a, b strSubj) int { return cmp.Or(strings.Compare(a.id, b.id), cmp.Compare(a.s, b.s)) })
	canonAt := func(j int) (uint64, uint32) {
		if packed {
			return canon[j] >> 24, uint32(canon[j] & (1<<24 - 1))
		}
		return wide[j].k, wide[j].s
	}
	nc := len(canon) + len(wide)

	// Count the persons first, to size their tables.
	persons := 0
	for k := range nc {
		if a, _ := canonAt(k); k == 0 || a != func() uint64 { b, _ := canonAt(k - 1); return b }() {
			persons++
		}
	}
	for k := range strs {
		if k == 0 || strs[k].id != strs[k-1].id {
			persons++
		}
	}
	ix.personKey = largeSlice[uint64](ix.huge, 0, persons)
	ix.subjPerson = largeSlice[int32](ix.huge, nsubj, nsubj)
	ix.personStart = largeSlice[uint32](ix.huge, 1, persons+1)
	ix.personRecs = largeSlice[int32](ix.huge, 0, nsubj)
	p := int32(-1)
	lastRec := int32(-1)
	var lastKey uint64
	var lastStr string
	emit := func(s uint32, newPerson bool) {
		if newPerson {
			if p >= 0 {
				ix.personStart = append(ix.personStart, uint32(len(ix.personRecs)))
			}
			p++
			lastRec = -1
		}
		ix.subjPerson[s] = p
		if r := subjRec[s]; r != lastRec {
			ix.personRecs = append(ix.personRecs, r)
			lastRec = r
		}
	}
	i, j := 0, 0
	first := true
	for i < nc || j < len(strs) {
		takeCanon := j == len(strs)
		if !takeCanon && i < nc {
			k, _ := canonAt(i)
			d := canonicalDigits(k)
			takeCanon = string(d[:]) < strs[j].id
		}
		if takeCanon {
			k, s := canonAt(i)
			i++
			isNew := first || lastStr != "" || k != lastKey
			if isNew {
				ix.personKey = append(ix.personKey, k)
			}
			lastKey, lastStr = k, ""
			emit(s, isNew)
		} else {
			st := strs[j]
			j++
			isNew := first || lastStr != st.id
			if isNew {
				ix.personKey = append(ix.personKey, personString|uint64(len(ix.personStrs)))
				ix.personStrs = append(ix.personStrs, st.id)
			}
			lastStr = st.id
			emit(st.s, isNew)
		}
		first = false
	}
	if p >= 0 {
		ix.personStart = append(ix.personStart, uint32(len(ix.personRecs)))
	}
	ix.personKey = slices.Clip(ix.personKey)
	ix.personRecs = slices.Clip(ix.personRecs)
	// The recordings of persons with several: one pass over the persons
	// here spares Finish a scattered lookup per subject.
	ix.recShared = make([]uint64, (len(ix.offs)+63)/64)
	for q := 0; q+1 < len(ix.personStart); q++ {
		if recs := ix.personRecs[ix.personStart[q]:ix.personStart[q+1]]; len(recs) > 1 {
			for _, r := range recs {
				ix.recShared[r/64] |= 1 << (r % 64)
			}
		}
	}
	return nil
}

// parallelRadixSort40 is radixSort40 on two halves at once, merged.
func parallelRadixSort40(a []uint64) {
	if len(a) < 1<<16 || runtime.GOMAXPROCS(0) < 2 {
		radixSort40(a)
		return
	}
	half := len(a) / 2
	x, y := slices.Clone(a[:half]), slices.Clone(a[half:])
	var wg sync.WaitGroup
	wg.Go(func() { radixSort40(x) })
	radixSort40(y)
	wg.Wait()
	// Merge: equal keys keep their order (x holds the earlier values).
	i, j := 0, 0
	for k := range a {
		if j == len(y) || i < len(x) && x[i]>>24 <= y[j]>>24 {
			a[k] = x[i]
			i++
		} else {
			a[k] = y[j]
			j++
		}
	}
}

// radixSort40 sorts values by their top 40 bits, stably (an LSD radix
// sort in five byte passes).
func radixSort40(a []uint64) {
	buf := make([]uint64, len(a))
	src, dst := a, buf
	for shift := uint(24); shift < 64; shift += 8 {
		var count [256]int
		for _, v := range src {
			count[v>>shift&0xff]++
		}
		pos := 0
		for b := range count {
			c := count[b]
			count[b] = pos
			pos += c
		}
		for _, v := range src {
			b := v >> shift & 0xff
			dst[count[b]] = v
			count[b]++
		}
		src, dst = dst, src
	}
	// Five passes: the result is in buf.
	copy(a, src)
}

// sortByName sorts recordings by their names (names[k] for recs[k]).
func sortByName(recs []int, names []string) {
	idx := make([]int, len(recs))
	for k := range idx {
		idx[k] = k
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	out := make([]int, len(recs))
	for k, j := range idx {
		out[k] = recs[j]
	}
	copy(recs, out)
}
