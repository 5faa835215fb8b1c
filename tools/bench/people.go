package bench

import (
	"math/bits"
	"sync/atomic"

	"github.com/forensiclog/forensics/internal/luhn"
)

// Roles of the subjects of a call: the caller always, the patient often
// (very often a child), sometimes another person (a parent, a partner).
const (
	roleCaller = iota
	rolePatient
	roleOther
)

var roleNames = [3]string{"caller", "patient", "other"}

// Shares, per mille, tuned so that 2.7 M calls name about 4.04 M persons.
const (
	perPatient = 660 // calls with a patient besides the caller
	perOther   = 150 // of those, calls with a third person
	perRecur   = 100 // subjects who were already in an earlier call
	perChild   = 450 // patients who are children
	perSamord  = 20  // persons with a samordningsnummer
	perMobile  = 750 // callers on a mobile number
)

// shape is the structure of call j: which roles it has, which of them are
// persons of an earlier call, and how the operator wrote the numbers.
type shape struct {
	patient, other bool
	recur          [3]bool
	ref            [3]int // the earlier call, where recur
	idForm         [3]int
	phoneForm      int
}

func (s *shape) has(role int) bool {
	return role == roleCaller || role == rolePatient && s.patient || role == roleOther && s.other
}

func (g *gen) shape(j int) shape {
	r := newRNG(g.cfg.Seed, streamCall, uint64(j))
	var s shape
	s.patient = r.per(perPatient)
	s.other = s.patient && r.per(perOther)
	window := max(g.cfg.Recordings/6, 1) // about a year of calls
	for role := range 3 {
		if s.has(role) && j > 0 && r.per(perRecur) {
			s.recur[role] = true
			s.ref[role] = j - 1 - r.intn(min(j, window))
		}
		s.idForm[role] = r.intn(4)
	}
	s.phoneForm = r.intn(10)
	return s
}

// resolve returns the person id of a role of call j: 3*j'+role' of the
// call j' where the person first appeared (following earlier calls back;
// a role the earlier call lacks falls back to its patient, then caller).
func (g *gen) resolve(j, role int) int {
	want := role
	for {
		s := g.shape(j)
		role = want
		for !s.has(role) {
			role--
		}
		if !s.recur[role] {
			return 3*j + role
		}
		j = s.ref[role]
	}
}

// person is one generated data subject.
type person struct {
	by, bm, bd int // birth date
	serial     int // 1..999
	samord     bool
	birthDay   int64 // days since 1970
	phone      [10]byte
	phoneLen   int  // national significant number, without the 0
	mobile     bool //
	area       int  // digits of the landline's area code
}

var day1900 = daysFromCivil(1900, 1, 1)

// person returns person pid = 3*j+role, born relative to call j.
func (g *gen) person(pid int) person {
	j, role := pid/3, pid%3
	callDay := recFrom + int64(j)*g.days/int64(g.cfg.Recordings)
	r := newRNG(g.cfg.Seed, streamPerson, uint64(pid))
	const adult, old = 6576 + 1, 95 * 365 // 18 years and a day; 95 years
	var age int
	switch {
	case role == rolePatient && r.per(perChild):
		age = r.intn(6570) // under 18 on the day of the call
	case role == roleOther:
		age = r.intn(old)
	default:
		age = r.between(adult, old)
	}
	var p person
	p.birthDay = callDay - int64(age)
	p.by, p.bm, p.bd = civilFromDays(p.birthDay)
	p.serial = r.between(1, 999)
	p.samord = r.per(perSamord)
	p.mobile = r.per(perMobile)
	if p.mobile {
		p.phone[0] = '7'
		p.phone[1] = "02369"[r.intn(5)]
		p.phoneLen = 2
		for range 7 {
			p.phone[p.phoneLen] = byte('0' + r.intn(10))
			p.phoneLen++
		}
	} else {
		rec := g.recording(j)
		area := regions[rec.region].area
		p.phoneLen = copy(p.phone[:], area)
		p.area = p.phoneLen
		p.phone[p.phoneLen] = byte('1' + r.intn(9))
		p.phoneLen++
		for p.phoneLen < 9 {
			p.phone[p.phoneLen] = byte('0' + r.intn(10))
			p.phoneLen++
		}
	}
	return p
}

// key numbers a person for the distinct counts: birth date, serial and
// kind of number (distinct persons are distinct canonical numbers).
func (p *person) key() int {
	k := int(p.birthDay-day1900)*1000 + p.serial
	k *= 2
	if p.samord {
		k++
	}
	return k
}

const keySpace = 121 * 366 * 1000 * 2 // birth dates 1900..2020

func (p *person) childAt(cy, cm, cd int) bool {
	age := cy - p.by
	if cm < p.bm || cm == p.bm && cd < p.bd {
		age--
	}
	return age < 18
}

// nine returns YYMMDDNNN, with day+60 for a samordningsnummer.
func (p *person) nine() [9]byte {
	var n [9]byte
	d := p.bd
	if p.samord {
		d += 60
	}
	v := [...]int{p.by % 100, p.bm, d}
	for i, x := range v {
		n[2*i], n[2*i+1] = byte('0'+x/10), byte('0'+x%10)
	}
	n[6], n[7], n[8] = byte('0'+p.serial/100), byte('0'+p.serial/10%10), byte('0'+p.serial%10)
	return n
}

// appendID appends the number in one of the four written forms:
// YYYYMMDD-NNNC, YYYYMMDDNNNC, YYMMDD-NNNC, YYMMDDNNNC. Everyone is under
// 100 at the call, so the 10-digit forms never need "+".
func (p *person) appendID(b []byte, form int) []byte {
	n := p.nine()
	if form < 2 {
		b = append(b, byte('0'+p.by/1000), byte('0'+p.by/100%10))
	}
	b = append(b, n[:6]...)
	if form%2 == 0 {
		b = append(b, '-')
	}
	b = append(b, n[6:]...)
	return append(b, luhn.Digit(string(n[:])))
}

// appendPhone appends the caller's number as the operator's system wrote
// it: 0701234567, 070-123 45 67, +46701234567, +46 70-123 45 67 or
// 0046701234567 (and the same forms for landlines).
func (p *person) appendPhone(b []byte, form int) []byte {
	nsn := p.phone[:p.phoneLen]
	area := 2
	if !p.mobile {
		area = p.area
	}
	spaced := func(b []byte) []byte {
		b = append(b, nsn[:area]...)
		b = append(b, '-')
		rest := nsn[area:]
		for len(rest) > 0 {
			k := 2
			if len(rest)%2 == 1 {
				k = 3
			}
			b = append(b, rest[:k]...)
			rest = rest[k:]
			if len(rest) > 0 {
				b = append(b, ' ')
			}
		}
		return b
	}
	switch {
	case form < 4:
		return append(append(b, '0'), nsn...)
	case form < 6:
		return spaced(append(b, '0'))
	case form < 8:
		return append(append(b, "+46"...), nsn...)
	case form < 9:
		return spaced(append(b, "+46 "...))
	default:
		return append(append(b, "0046"...), nsn...)
	}
}

// bitmap is a set of small integers, safe for concurrent set.
type bitmap []uint64

func newBitmap(n int) bitmap { return make(bitmap, (n+63)/64) }

func (m bitmap) set(i int) { atomic.OrUint64(&m[i/64], 1<<(i%64)) }

func (m bitmap) has(i int) bool { return m[i/64]&(1<<(i%64)) != 0 }

func (m bitmap) count() int {
	n := 0
	for _, w := range m {
		n += bits.OnesCount64(w)
	}
	return n
}

// countOdd counts the members that are odd (samordningsnummer keys).
func (m bitmap) countOdd() int {
	n := 0
	for _, w := range m {
		n += bits.OnesCount64(w & 0xaaaaaaaaaaaaaaaa)
	}
	return n
}
