package exposure

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/luhn"

	"github.com/forensiclog/forensics/internal/textutil"
)

// IdentityKind says what an identity number is.
type IdentityKind uint8

// Kinds of identity numbers. The zero value is Invalid, so an Identity
// that was never parsed claims nothing.
const (
	// Invalid is a number in a personnummer form whose check digit or
	// date is wrong. It is kept: it still points at a person, perhaps
	// mistyped.
	Invalid IdentityKind = iota
	// Personnummer is a valid Swedish personal identity number.
	Personnummer
	// Samordningsnummer is a valid coordination number (day + 60).
	Samordningsnummer
	// Reserve is an identifier in no personnummer form, e.g. a healthcare
	// reservnummer. It is kept as given, unvalidated.
	Reserve
)

// numKinds is the number of IdentityKind values.
const numKinds = 4

// String returns "invalid", "personnummer", "samordningsnummer" or
// "reserve".
func (k IdentityKind) String() string {
	switch k {
	case Personnummer:
		return "personnummer"
	case Samordningsnummer:
		return "samordningsnummer"
	case Reserve:
		return "reserve"
	case Invalid:
		return "invalid"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// An Identity is a personal identity number as found in a recording
// index, with what could be learned from it.
//
// An Identity holds personal data: String, GoString, LogValue and
// MarshalText mask the number. Reveal returns it in full and is the only
// way to do so apart from reading the fields.
type Identity struct {
	// Given is the identifier as given, surrounding space removed.
	Given string
	// Canonical is the 12-digit form YYYYMMDDNNNC of a valid
	// personnummer or samordningsnummer whose century is known, else "".
	// A 12-digit number gives its century; a '+' in it is ignored.
	Canonical string
	Kind      IdentityKind
	// Birth is the birth date (UTC midnight), zero when unknown. For a
	// samordningsnummer it is the date with 60 taken off the day.
	Birth time.Time
}

// ParseIdentity parses a Swedish personal identity number in one of the
// forms YYMMDD-NNNC, YYMMDDNNNC, YYYYMMDD-NNNC or YYYYMMDDNNNC, where '+'
// in place of '-' marks a person aged 100 or more. It never fails: a
// string in no personnummer form is kept as a Reserve identity, and one
// whose check digit or date is wrong as an Invalid one.
//
// ref is the date the number was given (the date of the call). It decides
// the century of a 10-digit number: the latest century that puts the
// birth date on or before ref, or 100 years earlier with '+'. The civil
// date of ref in its own location is used. When ref is zero the century
// of a 10-digit number is unknown (so too for a ref outside the years
// 1000 to 9999): the kind is still checked (a 29
// February is accepted) but Canonical and Birth stay empty.
func ParseIdentity(s string, ref time.Time) Identity {
	s = strings.TrimSpace(s)
	p := parsePnr(s, ref)
	id := Identity{Given: s, Kind: p.kind}
	if p.canonical {
		id.Canonical = string(p.digits[:])
		id.Birth = time.Date(p.year, time.Month(p.month), p.day, 0, 0, 0, 0, time.UTC)
	}
	return id
}

// pnr is a parsed identity number, before any allocation.
type pnr struct {
	kind      IdentityKind
	canonical bool     // the century is known: digits and the date are set
	digits    [12]byte // YYYYMMDDNNNC in ASCII
	year      int
	month     int
	day       int // without the 60 of a samordningsnummer
}

// parsePnr does ParseIdentity's work on the trimmed s without allocating.
func parsePnr(s string, ref time.Time) (p pnr) {
	p.kind = Reserve
	var digits [12]byte
	n, sep := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			if n == len(digits) {
				return p
			}
			digits[n] = c - '0'
			n++
		case (c == '-' || c == '+') && sep == 0 && (n == 6 || n == 8):
			sep = c
		default:
			return p
		}
	}
	// The separator must stand before the last four digits.
	if n != 10 && n != 12 || sep != 0 && s[len(s)-5] != sep {
		return p
	}
	d := digits[:n]
	p.kind = Invalid
	if n == 12 {
		d = digits[2:12]
	}
	if !pnrLuhnOK(d) {
		return p
	}
	yy := int(d[0])*10 + int(d[1])
	month := int(d[2])*10 + int(d[3])
	day := int(d[4])*10 + int(d[5])
	kind := Personnummer
	if day > 60 {
		kind = Samordningsnummer
		day -= 60
	}
	if month < 1 || month > 12 || day < 1 {
		return p
	}
	var year int
	switch {
	case n == 12:
		year = int(digits[0])*1000 + int(digits[1])*100 + yy
	case ref.IsZero() || ref.Year() < 1000 || ref.Year() > 9999:
		// Century unknown (or a reference date no 12-digit form can
		// express): check what can be checked.
		if day > textutil.DaysIn(2000, month) {
			return p
		}
		p.kind = kind
		return p
	default:
		ry, rm, rd := ref.Date()
		year = ry/100*100 + yy
		if year > ry || year == ry && (month > int(rm) || month == int(rm) && day > rd) {
			year -= 100
		}
		if sep == '+' {
			year -= 100
		}
	}
	if day > textutil.DaysIn(year, month) {
		return p
	}
	p.kind = kind
	p.canonical = true
	p.year, p.month, p.day = year, month, day
	p.digits[0] = byte('0' + year/1000%10)
	p.digits[1] = byte('0' + year/100%10)
	for i, v := range d {
		p.digits[2+i] = '0' + v
	}
	return p
}

// pnrLuhnOK reports whether the ten digits d (YYMMDDNNNC) carry a good
// check digit.
func pnrLuhnOK(d []byte) bool {
	return len(d) == 10 && luhn.Check(d[:9]) == d[9]
}

// Valid reports whether id is a valid personnummer or samordningsnummer.
func (id Identity) Valid() bool {
	return id.Kind == Personnummer || id.Kind == Samordningsnummer
}

// ID returns the key that identifies the person: Canonical when known,
// else Given. Two spellings of one valid number give the same ID. The
// result is personal data: do not log it.
func (id Identity) ID() string {
	if id.Canonical != "" {
		return id.Canonical
	}
	return id.Given
}

// Reveal returns the full identifier (as ID). It exists so that showing
// a number is always an explicit choice.
func (id Identity) Reveal() string { return id.ID() }

// Child reports whether the person was under 18 at the given time (its
// civil date in its own location). It is false when the birth date is
// unknown.
func (id Identity) Child(at time.Time) bool {
	if id.Birth.IsZero() {
		return false
	}
	age, ok := id.Age(at)
	return ok && age < 18
}

// Age returns the person's age in whole years at the given time, and
// false when the birth date is unknown or after at.
func (id Identity) Age(at time.Time) (int, bool) {
	if id.Birth.IsZero() {
		return 0, false
	}
	by, bm, bd := id.Birth.Date()
	y, m, d := at.Date()
	age := y - by
	if m < bm || m == bm && d < bd {
		age--
	}
	if age < 0 {
		return 0, false
	}
	return age, true
}

// String returns a masked form: the birth date and "-****" for a valid
// number (e.g. "19800101-****"; a samordningsnummer keeps its day + 60),
// else the kind and "-****" ("invalid-****", "reserve-****"). It returns
// "" for an empty identity. It never shows the whole number.
func (id Identity) String() string {
	switch {
	case id.Given == "" && id.Canonical == "":
		return ""
	case id.Canonical != "":
		return id.Canonical[:8] + "-****"
	}
	return id.Kind.String() + "-****"
}

// GoString returns the masked form, so that %#v does not show the number.
func (id Identity) GoString() string {
	return "exposure.Identity{" + id.Kind.String() + " " + id.String() + "}"
}

// LogValue implements slog.LogValuer with the masked form.
func (id Identity) LogValue() slog.Value { return slog.StringValue(id.String()) }

// MarshalText implements encoding.TextMarshaler with the masked form, so
// that JSON or YAML output does not show the number by accident. Write
// Reveal() where the full number is wanted.
func (id Identity) MarshalText() ([]byte, error) { return []byte(id.String()), nil }
