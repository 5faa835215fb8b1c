package exposure

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"
	"time"
	"unsafe"
)

// The store: how an Index holds its recordings.
//
// Every recording is one record in a single byte arena (Index.data), found
// by its offset (Index.offs). Row numbers, which grow with the recording
// number, are kept as runs (Index.rows). Fixed-size facts the hot paths need live in
// arrays beside it: the folder that holds the recording, when it became
// available, where its subjects start in the subject-to-person table.
// Paths are found through an open-addressing hash table over the
// normalised key, which is never stored whole: a record holds the key's
// last segment (its name) and the folder table the rest.
//
// A record is:
//
//	flags    uvarint: rec* bits
//	name     uvarint length, bytes: the key after its folder's path
//	path     when recPath: uvarint length, bytes (the path as given)
//	time     when recTime: varint Unix seconds; when recNanos uvarint
//	         nanoseconds; when recZoneFixed varint zone offset in seconds
//	duration uvarint: seconds when recDurSec, else nanoseconds
//	size     uvarint: size + 1 (0: unknown)
//	region   uvarint intern number
//	call id  uvarint length, bytes
//	phone    when recPhoneE164: uvarint of the digits after '+';
//	         when recPhoneRaw: uvarint length, bytes as given
//	subjects uvarint count, then per subject: uvarint role<<5 | form<<2 |
//	         kind, and when form is formVerbatim the identifier as given
//	         (uvarint length, bytes)
//
// A builder writes the records of each part of the input into a buffer
// of its own; the assembly copies the buffers into the arena.

// Record flags.
const (
	recPath      = 1 << iota // the path as given differs from the key
	recTime                  // started_at is known
	recZoneLoc               // the time is in IndexOptions.Location
	recZoneFixed             // the time has a fixed zone offset
	recNanos                 // the time has nanoseconds
	recDurSec                // the duration is in whole seconds
	recPhoneE164             // the caller's phone in E.164, as a number
	recPhoneRaw              // the caller's phone as given
	recUncertain             // part of the row could not be used
)

// Forms of an identifier as given, relative to its person's canonical
// YYYYMMDDNNNC.
const (
	formCanonical  = iota // YYYYMMDDNNNC
	formTen               // YYMMDDNNNC
	formTenDash           // YYMMDD-NNNC
	formTenPlus           // YYMMDD+NNNC
	formTwelveDash        // YYYYMMDD-NNNC
	formTwelvePlus        // YYYYMMDD+NNNC
	formVerbatim   = 7    // stored as given
)

// personString marks a person key that is no canonical number but an
// index into Index.personStrs.
const personString = 1 << 63

// ---- reading records ----

// record is a decoded record. Strings alias the arena.
type record struct {
	flags    uint64
	name     string
	path     string // "" unless recPath
	sec      int64
	nsec     int64
	offset   int
	duration time.Duration
	size     int64
	region   uint64
	callID   string
	phoneNum uint64
	phone    string // when recPhoneRaw
	nsubj    int
	subj     []byte // the subjects after their count
}

// cursor reads the fields of a record.
type cursor []byte

func (c *cursor) uvarint() uint64 {
	b := *c
	if len(b) > 0 && b[0] < 0x80 {
		*c = b[1:]
		return uint64(b[0])
	}
	v, n := binary.Uvarint(b)
	*c = b[n:]
	return v
}

func (c *cursor) varint() int64 {
	u := c.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (c *cursor) str() string {
	n := int(c.uvarint())
	b := *c
	*c = b[n:]
	if n == 0 {
		return ""
	}
	return unsafe.String(&b[0], n)
}

// decodeBody decodes a record body (a record without its row field).
func decodeBody(b []byte, r *record) {
	c := cursor(b)
	r.flags = c.uvarint()
	r.name = c.str()
	r.path = ""
	if r.flags&recPath != 0 {
		r.path = c.str()
	}
	r.sec, r.nsec, r.offset = 0, 0, 0
	if r.flags&recTime != 0 {
		r.sec = c.varint()
		if r.flags&recNanos != 0 {
			r.nsec = int64(c.uvarint())
		}
		if r.flags&recZoneFixed != 0 {
			r.offset = int(c.varint())
		}
	}
	r.duration = time.Duration(c.uvarint())
	if r.flags&recDurSec != 0 {
		r.duration *= time.Second
	}
	r.size = int64(c.uvarint()) - 1
	r.region = c.uvarint()
	r.callID = c.str()
	r.phoneNum, r.phone = 0, ""
	switch {
	case r.flags&recPhoneE164 != 0:
		r.phoneNum = c.uvarint()
	case r.flags&recPhoneRaw != 0:
		r.phone = c.str()
	}
	r.nsubj = int(c.uvarint())
	r.subj = c
}

// rec decodes recording i.
func (ix *Index) rec(i int, r *record) {
	decodeBody(ix.data[ix.offs[i]:], r)
}

// recName returns the name field of recording i without decoding the rest.
func (ix *Index) recName(i int) string {
	c := cursor(ix.data[ix.offs[i]:])
	c.uvarint()
	return c.str()
}

// A rowRun says that from recording from on, Recording.Row is the
// recording number plus delta, until the next run.
type rowRun struct {
	from, delta uint32
}

// row returns recording i's Recording.Row.
func (ix *Index) row(i int) int {
	k, _ := slices.BinarySearchFunc(ix.rows, uint32(i), func(r rowRun, i uint32) int { return cmp.Compare(r.from, i) })
	if k == len(ix.rows) || ix.rows[k].from > uint32(i) {
		k--
	}
	return i + int(ix.rows[k].delta)
}

// addRow adds recording i's row to runs.
func addRow(runs []rowRun, i, row int) []rowRun {
	d := uint32(row - i)
	if n := len(runs); n > 0 && runs[n-1].delta == d {
		return runs
	}
	return append(runs, rowRun{uint32(i), d})
}

// startedAt returns the record's start in its zone, zero when unknown.
func (r *record) startedAt(loc *time.Location) time.Time {
	if r.flags&recTime == 0 {
		return time.Time{}
	}
	t := time.Unix(r.sec, r.nsec)
	switch {
	case r.flags&recZoneLoc != 0:
		return t.In(loc)
	case r.flags&recZoneFixed != 0:
		return t.In(time.FixedZone("", r.offset))
	}
	return t.UTC()
}

// callerPhone returns the caller's phone as Recording.CallerPhone gives it.
func (r *record) callerPhone() string {
	switch {
	case r.flags&recPhoneE164 != 0:
		return e164(r.phoneNum)
	case r.flags&recPhoneRaw != 0:
		return r.phone
	}
	return ""
}

func appendUint(b []byte, v uint64) []byte {
	var d [20]byte
	n := len(d)
	for {
		n--
		d[n] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, d[n:]...)
}

// subject reads one subject of a record: its header and, when verbatim,
// the identifier as given.
func (c *cursor) subject() (role uint64, form, kind byte, given string) {
	h := c.uvarint()
	role, form, kind = h>>5, byte(h>>2&7), byte(h&3)
	if form == formVerbatim {
		given = c.str()
	}
	return
}

// ---- writing records ----

func appendUvarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return binary.AppendUvarint(b, v)
}

func appendVarint(b []byte, v int64) []byte {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	return appendUvarint(b, u)
}

func appendStr(b []byte, s string) []byte {
	b = appendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// ---- canonical numbers ----

// canonicalKey packs the 12 digits of a canonical number.
func canonicalKey(d *[12]byte) uint64 {
	var v uint64
	for _, c := range d {
		v = v*10 + uint64(c-'0')
	}
	return v
}

// canonicalDigits writes the 12 digits of a canonical key.
func canonicalDigits(k uint64) [12]byte {
	var b [12]byte
	for i := 11; i >= 0; i-- {
		b[i] = byte('0' + k%10)
		k /= 10
	}
	return b
}

// givenForm returns the form in which given spells the canonical number
// c, or formVerbatim.
func givenForm(given string, c *[12]byte) byte {
	eq := func(s string, b []byte) bool { return s == unsafe.String(&b[0], len(b)) }
	switch len(given) {
	case 10:
		if eq(given, c[2:]) {
			return formTen
		}
	case 11:
		if eq(given[:6], c[2:8]) && eq(given[7:], c[8:]) {
			switch given[6] {
			case '-':
				return formTenDash
			case '+':
				return formTenPlus
			}
		}
	case 12:
		if eq(given, c[:]) {
			return formCanonical
		}
	case 13:
		if eq(given[:8], c[:8]) && eq(given[9:], c[8:]) {
			switch given[8] {
			case '-':
				return formTwelveDash
			case '+':
				return formTwelvePlus
			}
		}
	}
	return formVerbatim
}

// spell writes the canonical number c in a form.
func spell(c *[12]byte, form byte) string {
	switch form {
	case formTen:
		return string(c[2:])
	case formTenDash, formTenPlus:
		sep := byte('-')
		if form == formTenPlus {
			sep = '+'
		}
		var b [11]byte
		copy(b[:6], c[2:8])
		b[6] = sep
		copy(b[7:], c[8:])
		return string(b[:])
	case formTwelveDash, formTwelvePlus:
		sep := byte('-')
		if form == formTwelvePlus {
			sep = '+'
		}
		var b [13]byte
		copy(b[:8], c[:8])
		b[8] = sep
		copy(b[9:], c[8:])
		return string(b[:])
	}
	return string(c[:])
}

// identityOf builds the Identity of a canonical person as given in a form.
func identityOf(k uint64, form byte, kind IdentityKind, given string) Identity {
	c := canonicalDigits(k)
	canon := string(c[:])
	if form != formVerbatim {
		if form == formCanonical {
			given = canon
		} else {
			given = spell(&c, form)
		}
	}
	d := func(i int) int { return int(c[i]-'0')*10 + int(c[i+1]-'0') }
	day := d(6)
	if day > 60 {
		day -= 60
	}
	return Identity{Given: given, Canonical: canon, Kind: kind,
		Birth: time.Date(d(0)*100+d(2), time.Month(d(4)), day, 0, 0, 0, 0, time.UTC)}
}

// childAt reports whether the person with canonical number k was under
// 18 at the civil date of at (as Identity.Child).
func childAt(k uint64, at time.Time) bool {
	yy, md := int(k/1e8), int(k/1e4%1e4) // YYYY, MMDD
	if md%100 > 60 {
		md -= 60
	}
	y, m, d := at.Date()
	age := y - yy
	if int(m)*100+d < md {
		age--
	}
	return age >= 0 && age < 18
}

// ---- hash tables ----

// A slotTable is an open-addressing hash table of numbers 0..n-1. A slot
// holds the number + 1 in its low idBits bits (0: empty) and hash bits
// above them, so that most probes that miss never touch the arena. The
// slots are cut into parts by the top bits of the hash, each probed on
// its own, so that parts can be filled in parallel.
type slotTable struct {
	slots     []uint32
	mask      uint64 // within a part
	partShift uint   // 64 - log2(parts): the part is h >> partShift
	idBits    uint
}

// newSlotTable returns a table for n numbers in parts (a power of two)
// parts.
func newSlotTable(h *hugeRegions, n, parts int) slotTable {
	size := 16 * parts
	for size < n+n/3+1 {
		size <<= 1
	}
	return slotTable{slots: largeSlice[uint32](h, size, size), mask: uint64(size/parts - 1),
		partShift: uint(64 - bits.Len(uint(parts-1))), idBits: uint(bits.Len(uint(n)))}
}

// tag returns the hash bits a slot keeps, shifted into place.
func (t *slotTable) tag(h uint64) uint32 {
	if t.idBits >= 32 {
		return 0
	}
	return uint32(h>>32) << t.idBits
}

// part returns the part of a hash.
func (t *slotTable) part(h uint64) int {
	if t.partShift >= 64 {
		return 0
	}
	return int(h >> t.partShift)
}

// probe calls eq for each number whose slot matches h, in probe order,
// until eq reports true; it returns that number, or the free slot where
// the key would go.
func (t *slotTable) probe(h uint64, eq func(id int) bool) (id int, free int, found bool) {
	tag := t.tag(h)
	idMask := uint32(1)<<t.idBits - 1
	if t.idBits >= 32 {
		idMask = ^uint32(0)
	}
	base := uint64(t.part(h)) * (t.mask + 1)
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		s := t.slots[base+j]
		if s == 0 {
			return 0, int(base + j), false
		}
		if s&^idMask == tag {
			if id := int(s&idMask) - 1; eq(id) {
				return id, 0, true
			}
		}
	}
}

func (t *slotTable) set(free int, h uint64, id int) {
	t.slots[free] = t.tag(h) | uint32(id+1)
}

// hashKey hashes the key a+b (a request key may come in two parts: a
// mapped prefix and the rest), as maphash.String would hash a+b.
func hashKey(seed maphash.Seed, a, b string) uint64 {
	if a == "" {
		return maphash.String(seed, b)
	}
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(a)
	h.WriteString(b)
	return h.Sum64()
}

// eqParts reports whether a1+a2 == b1+b2.
func eqParts(a1, a2, b1, b2 string) bool {
	if len(a1)+len(a2) != len(b1)+len(b2) {
		return false
	}
	if len(a1) > len(b1) {
		a1, a2, b1, b2 = b1, b2, a1, a2
	}
	// a1 is the shorter first part.
	return b1[:len(a1)] == a1 && b1[len(a1):] == a2[:len(b1)-len(a1)] && a2[len(b1)-len(a1):] == b2
}

// footprint returns the bytes an Index keeps, split into what grows with
// the recordings, with the subjects and with the persons.
func (ix *Index) footprint() (recordings, subjects, persons int) {
	subjArena := 0
	var r record
	for i := range ix.offs {
		ix.rec(i, &r)
		end := len(ix.data)
		if i+1 < len(ix.offs) {
			end = int(ix.offs[i+1])
		}
		subjArena += len(r.subj) - (len(ix.data) - end)
	}
	recordings = len(ix.data) - subjArena + 8*len(ix.rows) + 4*len(ix.offs) + 4*len(ix.recTable.slots) + 4*len(ix.folderOf) +
		4*len(ix.folderRecs) + 8*len(ix.avail) + 4*len(ix.subjStart) + 8*len(ix.recShared)
	for _, k := range ix.folderKeys {
		recordings += len(k) + 16 + 4 + 4
	}
	subjects = subjArena + 4*len(ix.subjPerson) + 4*len(ix.personRecs)
	persons = 8*len(ix.personKey) + 4*len(ix.personStart)
	for _, s := range ix.personStrs {
		persons += len(s) + 16
	}
	return
}
