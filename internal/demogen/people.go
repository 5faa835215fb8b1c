package demogen

import (
	"fmt"
	"time"

	"github.com/forensiclog/forensics/internal/luhn"
)

// IDKind is the kind of a subject's identifier.
type IDKind string

// Identifier kinds written into expected.json.
const (
	KindPersonnummer      IDKind = "personnummer"
	KindSamordningsnummer IDKind = "samordningsnummer"
	KindReservnummer      IDKind = "reservnummer"
	KindInvalid           IDKind = "invalid" // personnummer-shaped, wrong check digit
)

// A person is one fictitious data subject.
type person struct {
	birth  time.Time // date of birth (UTC midnight)
	serial int       // 1..999
	kind   IDKind
	check  int    // check digit as written (wrong for KindInvalid)
	resv   string // the reservnummer, for KindReservnummer
}

// LuhnValid reports whether a 10- or 12-digit personnummer (with or
// without "-" or "+") has a correct check digit.
func LuhnValid(s string) bool {
	var d []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case (c == '-' || c == '+') && i == len(s)-5:
		default:
			return false
		}
	}
	switch len(d) {
	case 12:
		d = d[2:]
	case 10:
	default:
		return false
	}
	return luhn.Valid(string(d))
}

// day returns the day part as written: day+60 for a samordningsnummer.
func (p *person) day() int {
	if p.kind == KindSamordningsnummer {
		return p.birth.Day() + 60
	}
	return p.birth.Day()
}

func (p *person) nine() string {
	return fmt.Sprintf("%02d%02d%02d%03d", p.birth.Year()%100, int(p.birth.Month()), p.day(), p.serial)
}

// ID returns the person's canonical identifier: twelve digits
// YYYYMMDDNNNC for valid numbers, the reservnummer as it is, and the
// invalid number as written (always YYYYMMDD-NNNC): a number that fails
// its check has no canonical form.
func (p *person) ID() string {
	if p.kind == KindReservnummer {
		return p.resv
	}
	id := fmt.Sprintf("%04d%s%d", p.birth.Year(), p.nine()[2:], p.check)
	if p.kind == KindInvalid {
		return id[:8] + "-" + id[8:]
	}
	return id
}

// ageAt returns the person's age in whole years on date t.
func (p *person) ageAt(t time.Time) int {
	age := t.Year() - p.birth.Year()
	if t.Month() < p.birth.Month() || (t.Month() == p.birth.Month() && t.Day() < p.birth.Day()) {
		age--
	}
	return age
}

// Written forms of a number in the index.
const (
	form12Dash = iota // YYYYMMDD-NNNC
	form12            // YYYYMMDDNNNC
	form10Dash        // YYMMDD-NNNC, "+" from the year the person turns 100
	form10            // YYMMDDNNNC
)

// written returns the identifier as the operator typed it on a call at t.
// The "+" form is used once the person is 100 on the call's date, so that
// the century rule (latest century on or before the call, 100 years
// earlier with "+") gives the true birth date for every written form.
func (p *person) written(form int, t time.Time) string {
	if p.kind == KindReservnummer || p.kind == KindInvalid {
		return p.ID()
	}
	id := p.ID()
	switch form {
	case form12:
		return id
	case form10Dash, form10:
		sep := "-"
		if p.ageAt(t) >= 100 {
			sep = "+"
		}
		if form == form10 && sep == "-" {
			return id[2:]
		}
		return id[2:8] + sep + id[8:]
	default:
		return id[:8] + "-" + id[8:]
	}
}
