package demogen

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/luhn"
)

// Region directories and the call-id prefixes used in file names.
var regions = []struct{ Dir, Code string }{
	{"Stockholm", "STO"},
	{"Sormland", "SRM"},
	{"Varmland", "VRM"},
}

// A subject is a person named in a call, with a role.
type subject struct {
	role    string // "caller" or "patient"
	p       *person
	written string // the identifier as the index holds it
}

// A recording is one recorded call on the server.
type recording struct {
	seq      int
	region   int
	callID   string
	start    time.Time // in Stockholm time
	duration int       // seconds
	size     int64
	wav      bool
	phone    string // the caller's number, national form, as in the file name
	phoneCol string // the caller_phone column as written (may be "")
	subjects []subject
}

// end is when the file appeared: the call's end.
func (r *recording) end() time.Time { return r.start.Add(time.Duration(r.duration) * time.Second) }

// Dir is the recording's directory, with a trailing slash.
func (r *recording) Dir() string {
	s := r.start
	return fmt.Sprintf("/recordings/%s/%04d/%02d/%02d/", regions[r.region].Dir, s.Year(), int(s.Month()), s.Day())
}

// Name is the file name.
func (r *recording) Name() string {
	ext := ".mp3"
	if r.wav {
		ext = ".wav"
	}
	return r.callID + "_" + r.phone + ext
}

// Path is the URL path of the file.
func (r *recording) Path() string { return r.Dir() + r.Name() }

func (r *recording) subjectsColumn() string {
	var parts []string
	for _, s := range r.subjects {
		parts = append(parts, s.role+":"+s.written)
	}
	return strings.Join(parts, ";")
}

// A household calls from one phone: adults, perhaps children.
type household struct {
	region   int
	phone    string
	adults   []*person
	children []*person
	calls    int
}

// fictionalPhones are the Swedish mobile numbers PTS reserves for fiction
// (070-174 06 05 to 070-174 06 99): 95 numbers that no subscriber has.
func fictionalPhones() []string {
	var out []string
	for n := 605; n <= 699; n++ {
		out = append(out, fmt.Sprintf("0701740%03d", n))
	}
	return out
}

// phoneColumn writes a national number the way different operators typed it.
func phoneColumn(r *rng, national string) string {
	rest := national[1:] // 701740605
	switch r.intn(5) {
	case 0:
		return "+46" + rest
	case 1:
		return "0046" + rest
	case 2:
		return "+46 " + rest[:2] + "-" + rest[2:5] + " " + rest[5:7] + " " + rest[7:]
	case 3:
		return national[:3] + "-" + national[3:]
	default:
		return national
	}
}

type population struct {
	r       *rng
	used    map[string]bool
	persons []*person
	resvSeq int
}

// newPerson makes a person born on a random day in [from, to], with a
// unique number.
func (pop *population) newPerson(from, to time.Time, kind IDKind) *person {
	days := int(to.Sub(from).Hours() / 24)
	for {
		p := &person{birth: from.AddDate(0, 0, pop.r.intn(days+1)), serial: pop.r.between(1, 999), kind: kind}
		p.check = int(luhn.Digit(p.nine()) - '0')
		if kind == KindInvalid {
			p.check = (p.check + pop.r.between(1, 9)) % 10
		}
		if pop.used[p.nine()] {
			continue
		}
		pop.used[p.nine()] = true
		pop.persons = append(pop.persons, p)
		return p
	}
}

func (pop *population) newReserv(region int) *person {
	pop.resvSeq++
	p := &person{kind: KindReservnummer, resv: fmt.Sprintf("RES%s%05d", regions[region].Code, 40000+pop.resvSeq*37)}
	pop.persons = append(pop.persons, p)
	return p
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// injected calls are placed at fixed times so that the story's scenes have
// what they need: calls on the evening the journalist lists a day that is
// still going on, and Värmland calls on the day the phone user lists.
var injected = []struct {
	region int
	at     time.Time
}{
	{0, time.Date(2019, 2, 8, 19, 12, 0, 0, stockholm)},
	{0, time.Date(2019, 2, 8, 20, 41, 0, 0, stockholm)},
	{0, time.Date(2019, 2, 8, 22, 5, 0, 0, stockholm)},  // ends after the listing
	{0, time.Date(2019, 2, 8, 23, 38, 0, 0, stockholm)}, // ends after the listing
	{2, time.Date(2019, 2, 10, 1, 15, 0, 0, stockholm)},
	{2, time.Date(2019, 2, 10, 3, 2, 0, 0, stockholm)},
	{2, time.Date(2019, 2, 10, 23, 20, 0, 0, stockholm)},
}

// makeRecordings builds the recordings and their subjects.
func makeRecordings(r *rng) ([]*recording, *population) {
	pop := &population{r: r, used: map[string]bool{}}
	phones := fictionalPhones()

	// Call start times: night-time advice, more calls in the last months.
	var starts []time.Time
	var startRegion []int
	randomTime := func(from, to time.Time) time.Time {
		days := int(to.Sub(from).Hours() / 24)
		d := from.AddDate(0, 0, r.intn(days))
		hour := pick(r, []int{22, 23, 0, 1, 2, 3, 4, 5, 6, 21, 19, 20})
		return time.Date(d.Year(), d.Month(), d.Day(), hour, r.intn(60), r.intn(60), 0, stockholm)
	}
	for range numOld {
		starts = append(starts, randomTime(exposureStart, coverA.start))
	}
	for range numRecent {
		starts = append(starts, randomTime(coverA.start, lastCall))
	}
	for range starts {
		startRegion = append(startRegion, -1)
	}
	for _, in := range injected {
		starts = append(starts, in.at)
		startRegion = append(startRegion, in.region)
	}

	// Households, each with a few calls; their calls take random times.
	type slot struct{ h *household }
	var slots []slot
	for len(slots) < len(starts) {
		h := &household{region: weightedRegion(r), phone: pick(r, phones)}
		switch n := r.intn(100); {
		case n < 10: // an elderly person alone
			h.adults = []*person{pop.newPerson(date(1930, 1, 1), date(1945, 12, 31), KindPersonnummer)}
		case n < 12: // a centenarian: the "+" form
			h.adults = []*person{pop.newPerson(date(1915, 1, 1), date(1917, 12, 31), KindPersonnummer)}
		default:
			kind := KindPersonnummer
			if r.chance(6) {
				kind = KindSamordningsnummer
			}
			h.adults = append(h.adults, pop.newPerson(date(1955, 1, 1), date(1998, 12, 31), kind))
			if r.chance(50) {
				h.adults = append(h.adults, pop.newPerson(date(1955, 1, 1), date(1998, 12, 31), KindPersonnummer))
			}
			if r.chance(70) {
				for range r.between(1, 3) {
					h.children = append(h.children, pop.newPerson(date(2003, 1, 1), date(2018, 10, 31), KindPersonnummer))
				}
			}
		}
		h.calls = 1
		switch n := r.intn(100); {
		case n < 22:
			h.calls = 2
		case n < 30:
			h.calls = 3
		}
		for range h.calls {
			slots = append(slots, slot{h})
		}
	}
	slots = slots[:len(starts)]
	shuffle(r, slots)

	recs := make([]*recording, len(starts))
	for i, t := range starts {
		h := slots[i].h
		region := h.region
		if startRegion[i] >= 0 {
			region = startRegion[i]
		}
		rec := &recording{region: region, start: t, phone: h.phone}
		rec.duration = r.between(90, 1500)
		rec.wav = r.chance(8)
		if rec.wav {
			rec.size = 16000*int64(rec.duration) + 44 // 8 kHz, 16-bit, mono PCM
		} else {
			rec.size = 4000*int64(rec.duration) + int64(r.between(0, 3999)) // 32 kbit/s mp3
		}
		rec.subjects = callSubjects(r, pop, h, t)
		recs[i] = rec
	}
	slices.SortStableFunc(recs, func(a, b *recording) int { return a.start.Compare(b.start) })
	resv, invalid := 0, 0
	for i, rec := range recs {
		rec.seq = i + 1
		rec.callID = fmt.Sprintf("%s%06d", regions[rec.region].Code, 100000+rec.seq)
		rec.phoneCol = phoneColumn(r, rec.phone)
		if r.chance(2) {
			rec.phoneCol = "" // the index lost it; the file name still has it
		}
		// A few patients without a national number: reservnummer.
		if i%97 == 40 && resv < 5 {
			resv++
			rec.subjects = append(rec.subjects, subject{role: "patient", p: pop.newReserv(rec.region)})
		}
		// One number the operator mistyped: kept, marked invalid.
		if i == 333 && invalid == 0 {
			invalid++
			p := pop.newPerson(date(1970, 1, 1), date(1990, 12, 31), KindInvalid)
			rec.subjects = append(rec.subjects, subject{role: "patient", p: p})
		}
		for j := range rec.subjects {
			s := &rec.subjects[j]
			s.written = s.p.written(writtenForm(r, s.p, rec.start), rec.start)
		}
	}
	return recs, pop
}

func weightedRegion(r *rng) int {
	switch n := r.intn(10); {
	case n < 6:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// writtenForm chooses how a number is written on one call.
func writtenForm(r *rng, p *person, t time.Time) int {
	if p.ageAt(t) >= 100 {
		return form10Dash // the "+" form
	}
	switch n := r.intn(20); {
	case n < 11:
		return form12Dash
	case n < 15:
		return form12
	case n < 19:
		return form10Dash
	default:
		return form10
	}
}

// callSubjects chooses who a call is about: the caller, and often one or
// two children born before the call, or an elderly relative.
func callSubjects(r *rng, pop *population, h *household, t time.Time) []subject {
	caller := pick(r, h.adults)
	subs := []subject{{role: "caller", p: caller}}
	var born []*person
	for _, c := range h.children {
		if c.birth.Before(t.AddDate(0, 0, -7)) {
			born = append(born, c)
		}
	}
	if len(born) > 0 && r.chance(85) {
		n := 1
		if len(born) > 1 && r.chance(25) {
			n = 2
		}
		idx := r.intn(len(born))
		for k := range n {
			subs = append(subs, subject{role: "patient", p: born[(idx+k)%len(born)]})
		}
	} else if len(h.adults) > 1 && r.chance(30) {
		for _, a := range h.adults {
			if a != caller {
				subs = append(subs, subject{role: "patient", p: a})
				break
			}
		}
	}
	return subs
}
