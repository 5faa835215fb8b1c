package logparse

import (
	"bytes"
	"time"
)

// The matcher: an apacheParser finds where each field of a compiled
// format begins and ends on a line (fastMatch for the built-in layouts,
// matchFrom with a bounded backtracking budget for the rest).

func (f *apacheFormat) NewParser() Parser {
	p := newApacheParser(f)
	for _, a := range f.alts {
		ap := newApacheParser(a)
		ap.zones = p.zones
		p.alts = append(p.alts, ap)
	}
	return p
}

func newApacheParser(f *apacheFormat) *apacheParser {
	n := len(f.fields)
	p := &apacheParser{
		f:     f,
		spans: make([]apSpan, n),
		nums:  make([]int64, n),
		times: make([]time.Time, n),
		zones: new(zoneCache),
	}
	for _, fd := range f.fields {
		if fd.kind == akTimeFmt || fd.kind == akTimeEnd {
			p.tparts = make([]apTimeParts, n)
			break
		}
	}
	return p
}

type apSpan struct{ s, e int }

// apMatchBudget bounds the candidate field ends tried per line, and
// apWorkPerByte the bytes scanned per byte of the line: a hostile line
// costs time linear in its length.
const (
	apMatchBudget = 512
	apWorkPerByte = 16
)

type apacheParser struct {
	f      *apacheFormat
	alts   []*apacheParser
	spans  []apSpan
	nums   []int64
	times  []time.Time
	tparts []apTimeParts
	zones  *zoneCache

	// The date of the last %t parsed, and its midnight.
	day      [26]byte
	dayOK    bool
	midnight time.Time

	budget       int  // candidate ends left to try
	work         int  // bytes left to scan
	esc          bool // the line holds a backslash
	errCol       int
	errKind      error
	trail        apSpan // trailing fields, s < 0 when none
	unterminated int    // index of a final field cut short, -1 when none
}

// Parse implements Parser.
func (p *apacheParser) Parse(line []byte, rec *Record) error {
	if isBlank(line) {
		return ErrSkip
	}
	if t := p.f.tail; len(t) == 0 || (t[len(t)-1] != ' ' && t[len(t)-1] != '\t') {
		// Spaces after the last field are no field.
		for n := len(line); n > 0 && (line[n-1] == ' ' || line[n-1] == '\t'); n-- {
			line = line[:n-1]
		}
	}
	if p.f.fast && p.fastMatch(line) {
		p.apply(line, rec)
		return nil
	}
	if p.match(line) {
		p.apply(line, rec)
		return nil
	}
	col, kind := p.errCol, p.errKind
	for _, a := range p.alts {
		if a.match(line) && a.altAccept(line) {
			a.apply(line, rec)
			return nil
		}
	}
	return errAt(col, kind)
}

// altAccept checks that a line read with a vhost-prefixed variant really
// starts with a virtual host: "host:port" or a host before an address.
func (p *apacheParser) altAccept(line []byte) bool {
	if !p.f.altNeedsVHost {
		return true
	}
	v := line[p.spans[0].s:p.spans[0].e]
	if _, port, ok := apSplitHostPort(v); ok && port > 0 {
		return true
	}
	h := p.spans[1]
	if h.s < 0 {
		return false
	}
	_, ok := parseAddr(line[h.s:h.e])
	return ok
}

func (p *apacheParser) reset(line []byte) {
	p.budget = apMatchBudget
	p.work = apWorkPerByte*len(line) + 1024
	p.errCol, p.errKind = -1, ErrSyntax
	p.trail = apSpan{-1, -1}
	p.unterminated = -1
}

// fail records a failure. The first one is reported: it lies at the end
// of the line's first reading, where every field took its first choice of
// end, which is where a reader would get stuck.
func (p *apacheParser) fail(col int, kind error) {
	if p.errCol < 0 {
		p.errCol, p.errKind = col, kind
	}
}

// match matches line against the whole format, filling p.spans.
func (p *apacheParser) match(line []byte) bool {
	p.reset(line)
	return p.matchFrom(line, 0, 0)
}

func (p *apacheParser) matchFrom(line []byte, i, pos int) bool {
	f := p.f
	if p.budget <= 0 {
		return false
	}
	if i == len(f.fields) {
		return p.matchEnd(line, pos)
	}
	fd := &f.fields[i]
	if pos == len(line) && i >= f.minFields && len(fd.pre) > 0 && fd.pre[0] == ' ' {
		// The line ends before optional fields: they are not logged.
		for j := i; j < len(f.fields); j++ {
			p.spans[j] = apSpan{-1, -1}
		}
		p.trail = apSpan{-1, -1}
		return true
	}
	if !p.literal(line, pos, fd.pre) {
		return false
	}
	pos += len(fd.pre)

	switch fd.kind {
	case akTimeCLF, akTimeFmt, akTimeEnd:
		end, ok := p.scanTime(i, line, pos)
		if !ok {
			p.fail(pos, ErrTimestamp)
			return false
		}
		p.spans[i] = apSpan{pos, end}
		return p.matchFrom(line, i+1, end)
	}

	last := i+1 == len(f.fields)
	var next []byte
	if last {
		next = f.tail
	} else {
		next = f.fields[i+1].pre
	}
	limit := len(line) // the value ends at or before limit
	if fd.token {
		if sp := indexByte(line[pos:], ' '); sp >= 0 {
			limit = pos + sp
		}
		if !p.spend(limit - pos) {
			return false
		}
	}

	if len(next) == 0 {
		if last {
			// The value runs to the end of the line, or for a token to
			// the first space, with trailing fields after it.
			return p.try(line, i, pos, limit)
		}
		// Two directives without a literal between them: try every end.
		if fd.token {
			for e := limit; e >= pos; e-- {
				if p.try(line, i, pos, e) {
					return true
				}
				if p.budget <= 0 {
					return false
				}
			}
			return false
		}
		for e := pos; e <= limit; e++ {
			if p.try(line, i, pos, e) {
				return true
			}
			if p.budget <= 0 {
				return false
			}
		}
		return false
	}

	found := false
	passes := 1
	if fd.quoted {
		passes = 2 // first with unescaped quotes only, then with any
	}
	for pass := 0; pass < passes; pass++ {
		for k := pos; k <= limit; {
			j := indexByte(line[k:limit+apBoolInt(limit < len(line))], next[0])
			if !p.spend(max(j, limit-k) + 1) {
				return false
			}
			if j < 0 {
				break
			}
			j += k
			k = j + 1
			if fd.quoted && apEscapedAt(line, pos, j) != (pass == 1) {
				continue
			}
			if !bytes.HasPrefix(line[j:], next) {
				continue
			}
			if j > limit {
				break
			}
			found = true
			if p.try(line, i, pos, j) {
				return true
			}
			if p.budget <= 0 {
				return false
			}
		}
	}
	if !last && i+1 >= f.minFields && next[0] == ' ' {
		// The line may end after this field.
		if p.try(line, i, pos, len(line)) {
			return true
		}
	}
	if last && fd.quoted && len(f.tail) == 1 && !bytes.Contains(line[pos:], apQuote) {
		// A final quoted value whose closing quote was cut off.
		if p.check(i, line, pos, len(line)) {
			p.spans[i] = apSpan{pos, len(line)}
			p.trail = apSpan{-1, -1}
			p.unterminated = i
			return true
		}
	}
	if !found {
		switch {
		case fd.quoted:
			p.fail(pos-1, ErrQuote)
		case limit == len(line):
			p.fail(limit, ErrFieldCount)
		default:
			p.fail(limit, ErrLiteral)
		}
	}
	return false
}

var apQuote = []byte{'"'}

// try takes line[s:e] as field i's value and matches the rest.
func (p *apacheParser) try(line []byte, i, s, e int) bool {
	p.budget--
	if p.budget < 0 {
		return false
	}
	if !p.check(i, line, s, e) {
		return false
	}
	p.spans[i] = apSpan{s, e}
	return p.matchFrom(line, i+1, e)
}

// spend charges n scanned bytes to the line's work budget, and ends the
// search when it is spent.
func (p *apacheParser) spend(n int) bool {
	p.work -= n
	if p.work < 0 {
		p.budget = 0
		p.fail(len(p.spans), ErrSyntax) // only if nothing failed before
		return false
	}
	return true
}

// literal matches lit at pos, recording a failure if it does not.
func (p *apacheParser) literal(line []byte, pos int, lit []byte) bool {
	for k := 0; k < len(lit); k++ {
		if pos+k >= len(line) {
			p.fail(pos+k, ErrFieldCount)
			return false
		}
		if line[pos+k] != lit[k] {
			if lit[k] == '"' || line[pos+k] == '"' {
				p.fail(pos+k, ErrQuote)
			} else {
				p.fail(pos+k, ErrLiteral)
			}
			return false
		}
	}
	return true
}

// matchEnd matches the format's tail and what follows it.
func (p *apacheParser) matchEnd(line []byte, pos int) bool {
	if !p.literal(line, pos, p.f.tail) {
		return false
	}
	pos += len(p.f.tail)
	if pos == len(line) {
		p.trail = apSpan{-1, -1}
		return true
	}
	if p.spend(len(line)-pos) && apWellFormedTrailing(line[pos:]) {
		p.trail = apSpan{pos + 1, len(line)}
		return true
	}
	p.fail(pos, ErrTrailing)
	return false
}

// apWellFormedTrailing reports whether b is a space and then fields: quoted
// strings with their inner quotes escaped, or words without quotes.
func apWellFormedTrailing(b []byte) bool {
	if len(b) == 0 || b[0] != ' ' {
		return false
	}
	i := 0
	for i < len(b) {
		if b[i] == ' ' || b[i] == '\t' {
			i++
			continue
		}
		if b[i] == '"' {
			e := apCloseQuote(b, i+1)
			if e < 0 {
				return false
			}
			i = e + 1
			if i < len(b) && b[i] != ' ' && b[i] != '\t' {
				return false
			}
			continue
		}
		for i < len(b) && b[i] != ' ' && b[i] != '\t' {
			if b[i] == '"' {
				return false
			}
			i++
		}
	}
	return true
}

// apCloseQuote returns the index of the first unescaped '"' in b at or
// after start, or -1.
func apCloseQuote(b []byte, start int) int {
	for k := start; k < len(b); {
		j := indexByte(b[k:], '"')
		if j < 0 {
			return -1
		}
		j += k
		if !apEscapedAt(b, start, j) {
			return j
		}
		k = j + 1
	}
	return -1
}

// apEscapedAt reports whether the byte at j is preceded by an odd number of
// backslashes within b[start:j].
func apEscapedAt(b []byte, start, j int) bool {
	n := 0
	for k := j - 1; k >= start && b[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

// check validates field i's value line[s:e] and keeps what it parsed.
func (p *apacheParser) check(i int, line []byte, s, e int) bool {
	fd := &p.f.fields[i]
	v := line[s:e]
	if fd.token && !p.spend(len(v)) || fd.token && indexByte(v, ' ') >= 0 {
		p.fail(s, ErrLiteral)
		return false
	}
	switch fd.kind {
	case akStatus:
		if apIsDash(v) {
			p.nums[i] = 0
			return true
		}
		n, ok := parseStatus(v)
		if !ok {
			p.fail(s, ErrStatus)
			return false
		}
		p.nums[i] = int64(n)
	case akBodyCLF, akBody, akWire, akReqBytes, akDurUS, akDurMS, akDurS, akPort, akPortLocal:
		if apIsDash(v) {
			p.nums[i] = NotLogged
			return true
		}
		n, ok := parseInt64(v)
		if !ok {
			p.fail(s, ErrNumber)
			return false
		}
		p.nums[i] = n
	case akCompletion:
		if len(v) != 1 || (v[0] != 'X' && v[0] != '+' && v[0] != '-') {
			p.fail(s, ErrSyntax)
			return false
		}
	case akVHostPort, akPath:
		if len(v) == 0 {
			p.fail(s, ErrLiteral)
			return false
		}
	case akQuery:
		if len(v) > 0 && v[0] != '?' && !apIsDash(v) {
			p.fail(s, ErrLiteral)
			return false
		}
	}
	return true
}

func apIsDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// scanTime reads a self-delimiting time field at pos and returns its end.
func (p *apacheParser) scanTime(i int, line []byte, pos int) (int, bool) {
	fd := &p.f.fields[i]
	if fd.kind == akTimeCLF {
		if pos >= len(line) || line[pos] != '[' {
			return 0, false
		}
		e := indexByte(line[pos:], ']')
		if e < 0 {
			return 0, false
		}
		t, ok := p.clfTime(line[pos+1 : pos+e])
		if !ok {
			return 0, false
		}
		p.times[i] = t
		return pos + e + 1, true
	}
	tp := &p.tparts[i]
	*tp = apTimeParts{}
	return apScanStrftime(fd.tfmt, line, pos, tp)
}

// clfTime parses a %t time as parseCLFTime does. Lines of one day share
// the date: the day's midnight is kept and the clock added to it.
func (p *apacheParser) clfTime(b []byte) (time.Time, bool) {
	if len(b) != 26 || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return parseCLFTime(b, p.zones)
	}
	if !p.dayOK || string(b[:11]) != string(p.day[:11]) || string(b[21:26]) != string(p.day[21:26]) {
		t, ok := parseCLFTime(b, p.zones)
		if !ok {
			return t, false
		}
		y, m, d := t.Date()
		p.midnight = time.Date(y, m, d, 0, 0, 0, 0, t.Location())
		copy(p.day[:], b)
		p.dayOK = true
		return t, true
	}
	hh, ok1 := digits(b[12:14])
	mm, ok2 := digits(b[15:17])
	ss, ok3 := digits(b[18:20])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	return p.midnight.Add(time.Duration(hh*3600+mm*60+ss) * time.Second), true
}

// fastMatch is the common/combined family's matcher. It fills p.spans as
// the general matcher would on its first choice of every field end, and
// returns false, leaving the line to the general matcher, on anything
// else.
func (p *apacheParser) fastMatch(line []byte) bool {
	f := p.f
	p.reset(line)
	sp := p.spans
	pos, i := 0, 0
	if f.fastVHost {
		e := indexByte(line, ' ')
		if e < 0 {
			return false
		}
		c := indexByte(line[:e], ':')
		if c < 0 {
			return false
		}
		sp[0] = apSpan{0, c}
		sp[1] = apSpan{c + 1, e}
		if !p.check(1, line, c+1, e) {
			return false
		}
		pos, i = e+1, 2
	}
	for k := 0; k < 3; k++ {
		// Short fields: a plain loop beats IndexByte's call.
		e := pos
		for e < len(line) && line[e] != ' ' {
			e++
		}
		if e == len(line) {
			return false
		}
		sp[i] = apSpan{pos, e}
		pos = e + 1
		i++
	}
	// [time]
	if pos >= len(line) || line[pos] != '[' {
		return false
	}
	e := -1
	if len(line)-pos > 27 && line[pos+27] == ']' {
		e = 27 // [02/Jan/2006:15:04:05 -0700]
	} else if e = indexByte(line[pos:], ']'); e < 0 {
		return false
	}
	t, ok := p.clfTime(line[pos+1 : pos+e])
	if !ok {
		return false
	}
	p.times[i] = t
	sp[i] = apSpan{pos, pos + e + 1}
	pos += e + 1
	i++
	// "request"
	if len(line)-pos < 2 || line[pos] != ' ' || line[pos+1] != '"' {
		return false
	}
	pos += 2
	e = apCloseQuote(line, pos)
	if e < 0 || e+1 >= len(line) || line[e+1] != ' ' {
		return false
	}
	sp[i] = apSpan{pos, e}
	pos = e + 2
	i++
	// status
	e = pos
	for e < len(line) && line[e] != ' ' {
		e++
	}
	if e == len(line) || !p.check(i, line, pos, e) {
		return false
	}
	sp[i] = apSpan{pos, e}
	pos = e + 1
	i++
	// bytes
	e = pos
	for e < len(line) && line[e] != ' ' {
		e++
	}
	if e == len(line) {
		e = -1
	} else {
		e -= pos
	}
	if !f.fastCombined {
		if e >= 0 || !p.check(i, line, pos, len(line)) {
			return false
		}
		sp[i] = apSpan{pos, len(line)}
		return true
	}
	if e < 0 {
		if !p.check(i, line, pos, len(line)) {
			return false
		}
		sp[i] = apSpan{pos, len(line)}
		sp[i+1] = apSpan{-1, -1}
		sp[i+2] = apSpan{-1, -1}
		return true
	}
	if pos+e+1 >= len(line) || line[pos+e+1] != '"' || !p.check(i, line, pos, pos+e) {
		return false
	}
	sp[i] = apSpan{pos, pos + e}
	pos += e + 2
	i++
	// "referer"
	e = apCloseQuote(line, pos)
	if e < 0 || len(line)-e < 3 || line[e+1] != ' ' || line[e+2] != '"' {
		return false
	}
	sp[i] = apSpan{pos, e}
	pos = e + 3
	i++
	// "user agent"
	e = apCloseQuote(line, pos)
	if e != len(line)-1 {
		return false
	}
	sp[i] = apSpan{pos, e}
	return true
}
