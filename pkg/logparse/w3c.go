package logparse

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"
)

// W3CFormat is the W3C extended log file format as Microsoft IIS writes it,
// and as HTTP.sys, IIS Advanced Logging and Oracle Web Cache write it.
// Its name is "w3c".
//
// The parser follows the file's own directives: a "#Fields:" line names the
// columns of the data lines after it and may change mid-file (IIS writes a
// new header block after each restart); "#Date:" supplies the date when the
// columns hold a time but no date; every other "#" line and blank lines are
// skipped. A line with more or fewer values than the header names is
// rejected with ErrFieldCount. Because of this state the format is not
// Splittable.
//
// A data line before any "#Fields:" (a file whose header was lost, or
// lines cut out of a log) is read with one of IIS's own field sets when it
// has its shape, and Extra "fields_assumed" names the set:
//
//   - "iis_default", the default set of IIS 7 and later: date time s-ip
//     cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip
//     cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status
//     time-taken;
//   - "iis_default_bytes", the same with sc-bytes and cs-bytes before
//     time-taken (tried before "iis_default" with two custom fields);
//   - "iis_all", every standard field in IIS's order: date time
//     s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query
//     s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie)
//     cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes
//     cs-bytes time-taken.
//
// Each may be followed by up to four custom fields (IIS 8.5 appends them),
// kept in Extra as "field16" and so on by position. The shape: a date and
// a time, addresses, a method, a path, a port and numbers where the set
// has them. Any other line before a header is rejected with ErrNoFields.
// A line with more values than its #Fields header names, when the header's
// names begin one of these sets and the line has the set's shape, is read
// with the set (the header was cut short), and "fields_assumed" says so
// ("iis_default_bytes_header_cut").
//
// Lines of IIS's FTP service hold no HTTP request and are rejected with
// ErrNotHTTP: the FTP commands of IIS 4 to 6 in cs-method behind a session
// number ("[2]USER"), and every line under a #Fields header with the
// x-session column of IIS 7 and later.
//
// Values are separated by runs of spaces (Oracle Web Cache pads with
// several) and may be quoted ("a b", with "" for a quote inside); "-"
// means empty. IIS writes "+" for spaces: "+" is decoded to a space in
// unquoted cs(User-Agent) and cs(Referer) values.
//
// Times in "date" and "time" are UTC, as the W3C draft and IIS define them.
// When the columns hold a time but no date, the date of the last "#Date:"
// is used, and a time more than 12 hours earlier than the previous line's
// is taken to be on the next day (the log crossed midnight).
//
// Columns map to Record fields as follows; every other column is kept in
// Extra under its #Fields name (s-ip, s-sitename, sc-substatus,
// sc-win32-status, cs(Cookie), Oracle's "bytes", ...):
//
//	date, time                 Time (UTC)
//	date-local, time-local     Time in LocalZone (IIS Advanced Logging)
//	c-ip                       Client; must be an address or "-"
//	cs-username, c-auth-id     User
//	cs-method                  Method; must be an HTTP token
//	cs-uri-stem                Target and Path; IIS logs the stem already
//	                           decoded, Path also undoes %XX escapes that
//	                           other writers leave
//	cs-uri-query               Query, appended to Target after "?"
//	cs-uri                     Target, Path and Query
//	cs-version                 Protocol
//	sc-status                  Status
//	sc-bytes                   WireBytes (IIS counts the headers too)
//	cs-bytes                   RequestBytes
//	time-taken, TimeTakenMS    Duration, in milliseconds (IIS); after a
//	                           "#Software: Oracle..." directive time-taken
//	                           is kept in Extra, as its unit is not documented
//	cs-host, cs(Host)          VHost
//	s-port                     ServerPort
//	cs(User-Agent)             UserAgent
//	cs(Referer), cs(Referrer)  Referer
//	cs(Range)                  Range
//	X-Forwarded-For, cs(X-Forwarded-For)  ForwardedFor
//
// Column names are matched without regard to case.
type W3CFormat struct {
	// LocalZone is the zone of the date-local and time-local columns of
	// IIS Advanced Logging, which the log does not state. Nil means UTC:
	// set it to the server's zone when it is known.
	LocalZone *time.Location
}

// Name returns "w3c".
func (W3CFormat) Name() string { return "w3c" }

// NewParser returns a parser for one W3C input.
func (f W3CFormat) NewParser() Parser {
	loc := f.LocalZone
	if loc == nil {
		loc = time.UTC
	}
	return &w3cParser{local: loc}
}

func init() {
	register("w3c", func() Format { return W3CFormat{} })
}

// w3cKind is what a W3C column means for a Record.
type w3cKind uint8

const (
	w3cExtra w3cKind = iota
	w3cDate
	w3cTime
	w3cDateLocal
	w3cTimeLocal
	w3cClientIP
	w3cUser
	w3cMethod
	w3cURIStem
	w3cURIQuery
	w3cURI
	w3cVersion
	w3cStatus
	w3cWireBytes
	w3cRequestBytes
	w3cTimeTakenMS
	w3cVHost
	w3cServerPort
	w3cUserAgent
	w3cReferer
	w3cRange
	w3cForwardedFor
)

var w3cKinds = map[string]w3cKind{
	"date":                w3cDate,
	"time":                w3cTime,
	"date-local":          w3cDateLocal,
	"time-local":          w3cTimeLocal,
	"c-ip":                w3cClientIP,
	"cs-username":         w3cUser,
	"c-auth-id":           w3cUser,
	"cs-method":           w3cMethod,
	"cs-uri-stem":         w3cURIStem,
	"cs-uri-query":        w3cURIQuery,
	"cs-uri":              w3cURI,
	"cs-version":          w3cVersion,
	"sc-status":           w3cStatus,
	"sc-bytes":            w3cWireBytes,
	"cs-bytes":            w3cRequestBytes,
	"time-taken":          w3cTimeTakenMS,
	"timetakenms":         w3cTimeTakenMS,
	"cs-host":             w3cVHost,
	"cs(host)":            w3cVHost,
	"s-port":              w3cServerPort,
	"cs(user-agent)":      w3cUserAgent,
	"cs(referer)":         w3cReferer,
	"cs(referrer)":        w3cReferer,
	"cs(range)":           w3cRange,
	"x-forwarded-for":     w3cForwardedFor,
	"cs(x-forwarded-for)": w3cForwardedFor,
}

type w3cColumn struct {
	name string
	kind w3cKind
}

// w3cSpan is one value of a data line: line[start:end], without quotes.
type w3cSpan struct {
	start, end int
	quoted     bool
	escaped    bool // holds "" pairs to undo
}

type w3cParser struct {
	local *time.Location

	cols    []w3cColumn
	hasCols bool

	// The date of the last #Date directive, for lines without a date.
	dirDate   time.Time // midnight UTC; zero when unknown
	dayShift  int       // days added after midnight crossings
	lastClock int       // seconds since midnight of the previous line, -1 if none

	oracle bool // #Software names Oracle: time-taken goes to Extra
	ftp    bool // the columns are IIS's FTP service's: no HTTP requests

	spans []w3cSpan
}

func (p *w3cParser) Parse(line []byte, rec *Record) error {
	if isBlank(line) {
		return ErrSkip
	}
	if line[0] == '#' {
		p.directive(line)
		return ErrSkip
	}
	spans, err := splitW3C(line, p.spans[:0])
	p.spans = spans
	if err != nil {
		return err
	}
	if !p.hasCols {
		// No #Fields header (yet): IIS's own field sets, when the line
		// has their shape.
		cols, name := guessIISFields(line, spans, nil)
		if cols == nil {
			return errAt(0, ErrNoFields)
		}
		if err := p.fillWith(cols, line, spans, rec); err != nil {
			return err
		}
		rec.addExtra("fields_assumed", name)
		return nil
	}
	if p.ftp {
		return errAt(0, ErrNotHTTP)
	}
	if len(spans) != len(p.cols) {
		// A #Fields header cut short (its names begin one of IIS's
		// sets, the line has the whole set's shape).
		if cols, name := guessIISFields(line, spans, p.cols); cols != nil && len(spans) > len(p.cols) {
			if err := p.fillWith(cols, line, spans, rec); err != nil {
				return err
			}
			rec.addExtra("fields_assumed", name+"_header_cut")
			return nil
		}
		if len(spans) > len(p.cols) {
			return errAt(spans[len(p.cols)].start, ErrFieldCount)
		}
		return errAt(len(line), ErrFieldCount)
	}
	return p.fill(line, spans, rec)
}

// directive handles a "#" line. Unknown directives are ignored.
func (p *w3cParser) directive(line []byte) {
	name, rest := cutDirective(line)
	switch {
	case equalFold(name, "#Fields:"):
		p.cols = p.cols[:0]
		for _, f := range bytes.Fields(rest) {
			name := string(f)
			p.cols = append(p.cols, w3cColumn{name: name, kind: w3cKinds[lowerASCII(name)]})
		}
		p.hasCols = len(p.cols) > 0
		p.lastClock = -1
		// IIS's FTP service (7.0 and later) logs its sessions in W3C with
		// an x-session column.
		p.ftp = slices.ContainsFunc(p.cols, func(c w3cColumn) bool { return lowerASCII(c.name) == "x-session" })
	case equalFold(name, "#Software:"):
		// Oracle Web Cache does not document the unit of its time-taken.
		p.oracle = bytes.HasPrefix(bytes.TrimSpace(rest), []byte("Oracle"))
	case equalFold(name, "#Date:"):
		p.dirDate = time.Time{}
		p.dayShift, p.lastClock = 0, -1
		if f := bytes.Fields(rest); len(f) > 0 {
			if y, m, d, ok := parseISODate(f[0]); ok {
				p.dirDate = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			}
		}
	}
}

// cutDirective splits "#Name: rest" (also "#Name:\trest").
func cutDirective(line []byte) (name, rest []byte) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return line, nil
	}
	return line[:i+1], line[i+1:]
}

// splitW3C splits a data line into values separated by runs of spaces or
// tabs. A value that starts with a quote runs to the next quote that is not
// doubled, which must end the value.
func splitW3C(line []byte, spans []w3cSpan) ([]w3cSpan, error) {
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			return spans, nil
		}
		if line[i] != '"' {
			start := i
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				i++
			}
			spans = append(spans, w3cSpan{start: start, end: i})
			continue
		}
		open := i
		i++
		sp := w3cSpan{start: i, quoted: true}
		for {
			if i >= len(line) {
				return spans, errAt(open, ErrQuote)
			}
			if line[i] == '"' {
				if i+1 < len(line) && line[i+1] == '"' {
					sp.escaped = true
					i += 2
					continue
				}
				break
			}
			i++
		}
		sp.end = i
		i++ // closing quote
		if i < len(line) && line[i] != ' ' && line[i] != '\t' {
			return spans, errAt(i, ErrQuote)
		}
		spans = append(spans, sp)
	}
}

// value returns a span's text: quotes undone, "-" as "".
func w3cValue(rec *Record, line []byte, sp w3cSpan) []byte {
	b := line[sp.start:sp.end]
	if len(b) == 1 && b[0] == '-' {
		return nil
	}
	if sp.escaped {
		start := len(rec.scratch)
		for i := 0; i < len(b); i++ {
			rec.scratch = append(rec.scratch, b[i])
			if b[i] == '"' {
				i++ // skip the second of a pair
			}
		}
		end := len(rec.scratch)
		return rec.scratch[start:end:end]
	}
	return b
}

func (p *w3cParser) fill(line []byte, spans []w3cSpan, rec *Record) error {
	return p.fillWith(p.cols, line, spans, rec)
}

func (p *w3cParser) fillWith(cols []w3cColumn, line []byte, spans []w3cSpan, rec *Record) error {
	var (
		ts          [4]w3cTimePart // date, time, date-local, time-local
		stem, query []byte
		haveStem    bool
	)
	for i, sp := range spans {
		col := cols[i]
		v := w3cValue(rec, line, sp)
		switch col.kind {
		case w3cDate, w3cTime, w3cDateLocal, w3cTimeLocal:
			ts[col.kind-w3cDate] = w3cTimePart{v: v, col: sp.start, set: true}
		case w3cClientIP:
			if len(v) > 0 {
				a, ok := parseAddr(v)
				if !ok {
					return errAt(sp.start, ErrAddress)
				}
				rec.Client = a
			}
		case w3cUser:
			rec.User = bstr(v)
		case w3cMethod:
			if isFTPSessionVerb(v) {
				return errAt(sp.start, ErrNotHTTP)
			}
			if len(v) > 0 && !isToken(v) {
				return errAt(sp.start, ErrRequestLine)
			}
			rec.Method = bstr(v)
		case w3cURIStem:
			stem, haveStem = v, true
		case w3cURIQuery:
			query = v
		case w3cURI:
			if len(v) > 0 {
				setTarget(rec, v)
			}
		case w3cVersion:
			rec.Protocol = bstr(v)
		case w3cStatus:
			if len(v) > 0 {
				n, ok := parseStatus(v)
				if !ok {
					return errAt(sp.start, ErrStatus)
				}
				rec.Status = n
			}
		case w3cWireBytes, w3cRequestBytes, w3cTimeTakenMS:
			if col.kind == w3cTimeTakenMS && p.oracle {
				if len(v) > 0 {
					rec.addExtra(col.name, bstr(v))
				}
				continue
			}
			if len(v) == 0 {
				continue
			}
			n, ok := parseInt64(v)
			if !ok {
				return errAt(sp.start, ErrNumber)
			}
			switch col.kind {
			case w3cWireBytes:
				rec.WireBytes = n
			case w3cRequestBytes:
				rec.RequestBytes = n
			default:
				d, ok := millis(n)
				if !ok {
					return errAt(sp.start, ErrNumber)
				}
				rec.Duration = d
			}
		case w3cVHost:
			rec.VHost = bstr(v)
		case w3cServerPort:
			if len(v) > 0 {
				n, ok := digits(v)
				if !ok || len(v) > 5 || n > 65535 {
					return errAt(sp.start, ErrNumber)
				}
				rec.ServerPort = n
			}
		case w3cUserAgent:
			rec.UserAgent = plusToSpace(rec, v, sp.quoted)
		case w3cReferer:
			rec.Referer = plusToSpace(rec, v, sp.quoted)
		case w3cRange:
			rec.Range = bstr(v)
		case w3cForwardedFor:
			rec.ForwardedFor = bstr(v)
		default:
			if len(v) > 0 {
				rec.addExtra(col.name, bstr(v))
			}
		}
	}
	if haveStem {
		setStemQuery(rec, stem, query)
	} else if len(query) > 0 {
		rec.Query = bstr(query)
	}
	if ts[0].set || ts[1].set {
		return p.setTime(rec, ts[0], ts[1], time.UTC)
	}
	return p.setTime(rec, ts[2], ts[3], p.local)
}

// w3cTimePart is a date or time value and its column.
type w3cTimePart struct {
	v   []byte
	col int
	set bool
}

func (p *w3cParser) setTime(rec *Record, dp, cp w3cTimePart, loc *time.Location) error {
	date, dateCol, clock, clockCol := dp.v, dp.col, cp.v, cp.col
	if len(date) == 0 && len(clock) == 0 {
		return nil
	}
	secs, nsec := 0, 0
	if len(clock) > 0 {
		var ok bool
		secs, nsec, ok = parseClock(clock)
		if !ok {
			return errAt(clockCol, ErrTimestamp)
		}
	}
	if len(date) > 0 {
		y, m, d, ok := parseISODate(date)
		if !ok {
			return errAt(dateCol, ErrTimestamp)
		}
		rec.Time = time.Date(y, time.Month(m), d, 0, 0, secs, nsec, loc)
		return nil
	}
	// Time without a date: the date comes from #Date.
	if p.dirDate.IsZero() {
		return errAt(clockCol, ErrTimestamp)
	}
	if p.lastClock >= 0 && secs < p.lastClock-12*3600 {
		p.dayShift++
	}
	p.lastClock = secs
	y, m, d := p.dirDate.Date()
	rec.Time = time.Date(y, m, d+p.dayShift, 0, 0, secs, nsec, loc)
	return nil
}

// parseISODate parses "2006-01-02".
func parseISODate(b []byte) (y, m, d int, ok bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// parseClock parses "15:04:05" with an optional fraction (".000").
func parseClock(b []byte) (secs, nsec int, ok bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, false
	}
	hh, ok1 := digits(b[0:2])
	mm, ok2 := digits(b[3:5])
	ss, ok3 := digits(b[6:8])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return 0, 0, false
	}
	rest := b[8:]
	if len(rest) > 0 {
		if rest[0] != '.' || len(rest) == 1 || len(rest) > 10 {
			return 0, 0, false
		}
		scale := 100000000
		for _, c := range rest[1:] {
			if c < '0' || c > '9' {
				return 0, 0, false
			}
			nsec += int(c-'0') * scale
			scale /= 10
		}
	}
	return hh*3600 + mm*60 + ss, nsec, true
}

// plusToSpace returns v with "+" replaced by " ", as IIS writes spaces in
// header values; quoted values are kept as they are.
func plusToSpace(rec *Record, v []byte, quoted bool) string {
	if quoted || bytes.IndexByte(v, '+') < 0 {
		return bstr(v)
	}
	start := len(rec.scratch)
	for _, c := range v {
		if c == '+' {
			c = ' '
		}
		rec.scratch = append(rec.scratch, c)
	}
	end := len(rec.scratch)
	return bstr(rec.scratch[start:end:end])
}

// isToken reports whether b is an HTTP token (RFC 9110 tchar), as a method
// must be. FTP service logs write "[2]USER" here.
func isToken(b []byte) bool {
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return len(b) > 0
}

// isFTPSessionVerb reports whether a cs-method value is an FTP command as
// the FTP service of IIS 4 to 6 logs it, behind its session number:
// "[2]USER", "[3]sent", "[3]created".
func isFTPSessionVerb(v []byte) bool {
	if len(v) < 4 || v[0] != '[' {
		return false
	}
	j := bytes.IndexByte(v, ']')
	if j < 2 || !allDigits(string(v[1:j])) || j+1 == len(v) {
		return false
	}
	for _, c := range v[j+1:] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// IIS's field sets, for data lines without a #Fields header. IIS writes
// the fields it logs in one fixed order; the default set (IIS 7 and
// later), the default set with the byte counts, and the set with every
// standard field are the ones found without their header. They are tried
// in this order: with as many values, the byte counts are more common
// than two custom fields.
var iisSets = []struct {
	name string
	cols []w3cColumn
}{
	{"iis_all", w3cColumns("date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken")},
	{"iis_default_bytes", w3cColumns("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken")},
	{"iis_default", w3cColumns("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")},
}

// maxIISCustomFields is how many custom fields (IIS 8.5 and later append
// them after the standard ones) a line without header may carry.
const maxIISCustomFields = 4

func w3cColumns(names string) []w3cColumn {
	var cols []w3cColumn
	for _, n := range strings.Fields(names) {
		cols = append(cols, w3cColumn{name: n, kind: w3cKinds[lowerASCII(n)]})
	}
	return cols
}

// iisWithCustom caches each set of iisSets followed by k custom fields,
// named by their 1-based position ("field16").
var iisWithCustom = func() map[[2]int][]w3cColumn {
	m := make(map[[2]int][]w3cColumn)
	for set, base := range iisSets {
		for k := 0; k <= maxIISCustomFields; k++ {
			cols := slices.Clone(base.cols)
			for i := range k {
				cols = append(cols, w3cColumn{name: "field" + strconv.Itoa(len(base.cols)+i+1)})
			}
			m[[2]int{set, k}] = cols
		}
	}
	return m
}()

// guessIISFields returns the IIS field set that a data line without a
// #Fields header has the shape of, and its name for Extra
// "fields_assumed", or nil. The shape: the number of values (a standard
// set and up to maxIISCustomFields custom fields), a date and a time, the
// server and client addresses, a method, a stem that is a path, a port,
// and numeric status, substatus, win32 status and time-taken.
//
// declared, when not empty, is a #Fields header that the line contradicts:
// a set is tried only when the header's names begin it (a header cut
// short).
func guessIISFields(line []byte, spans []w3cSpan, declared []w3cColumn) ([]w3cColumn, string) {
	val := func(i int) []byte { return line[spans[i].start:spans[i].end] }
	dash := func(b []byte) bool { return len(b) == 1 && b[0] == '-' }
	addr := func(b []byte) bool { _, ok := parseAddr(b); return ok || dash(b) }
	num := func(b []byte) bool { _, ok := parseInt64(b); return ok }
	for set, base := range iisSets {
		k := len(spans) - len(base.cols)
		if k < 0 || k > maxIISCustomFields {
			continue
		}
		if len(declared) > 0 && !namesPrefix(declared, base.cols) {
			continue
		}
		cols := iisWithCustom[[2]int{set, k}]
		ok := true
		for i, c := range base.cols {
			v := val(i)
			switch c.name {
			case "date":
				_, _, _, ok = parseISODate(v)
			case "time":
				_, _, ok = parseClock(v)
			case "s-ip", "c-ip":
				ok = addr(v)
			case "cs-method":
				ok = isToken(v)
			case "cs-uri-stem":
				ok = len(v) > 0 && (v[0] == '/' || v[0] == '*' || dash(v))
			case "s-port":
				n, d := digits(v)
				ok = d && len(v) <= 5 && n <= 65535
			case "cs-version":
				ok = dash(v) || bytes.HasPrefix(v, []byte("HTTP/"))
			case "sc-status":
				_, ok = parseStatus(v)
			case "sc-substatus", "sc-win32-status", "time-taken", "sc-bytes", "cs-bytes":
				ok = num(v) || dash(v)
			}
			if !ok {
				break
			}
		}
		if ok {
			return cols, base.name
		}
	}
	return nil, ""
}

// namesPrefix reports whether the names of cols begin set's, without
// regard to case.
func namesPrefix(cols, set []w3cColumn) bool {
	if len(cols) > len(set) {
		return false
	}
	for i, c := range cols {
		if lowerASCII(c.name) != lowerASCII(set[i].name) {
			return false
		}
	}
	return true
}
