package logparse

import (
	"bytes"
	"strings"
	"time"
)

// Apache httpd access logs (mod_log_config).
//
// A LogFormat string is compiled once, by ParseFormat("apache:..."), into a
// list of fields: each field is the literal text before it and one %
// directive. A line is matched against the fields from left to right; the
// end of a field's value is the next occurrence of the literal that follows
// it. Where that is ambiguous (a request line holding unescaped quotes, a
// user name with a space) the matcher tries the later occurrences in order,
// as a careful reader would, within a budget that keeps the time per line
// linear in its length; values are decoded only after the whole line has
// matched. Unquoted host, ident, user, status, port and count fields hold
// no spaces; spaces after the last field are ignored.
//
// The built-in formats are registered by name:
//
//	common          %h %l %u %t "%r" %>s %b
//	combined        %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
//	combined_debian %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"
//	vhost_combined  %v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"
//	lighttpd        %h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
//
// The byte counts differ: in common and combined (%b) the count is the
// response body only, "-" for none (Record.BodyBytes); Debian and Ubuntu
// ship a "combined" LogFormat that logs %O, the bytes on the wire with the
// response headers (Record.WireBytes), and so do their vhost_combined. A
// 304 logged with %O is a few hundred bytes that are all headers.
//
// lighttpd's default accesslog.format looks like combined with the virtual
// host in the ident column, but its %t is the time the request ENDED, not
// when it arrived as in Apache; long downloads are stamped at their end.
//
// Real files mix variants, and the built-in formats read them without
// losing a line: a line that ends after the byte count (a common line in a
// combined file) leaves Referer and UserAgent empty; fields logged after
// the last one of the format (a trailing X-Forwarded-For) are kept in Extra
// as "trailing"; a line of common, combined or combined_debian prefixed
// with a virtual host ("www.example.org:443 192.0.2.1 - - [...") and a
// vhost_combined line without the prefix are read as such. These rules
// apply to compiled format strings too, except the virtual-host ones: a
// line may end before any field that follows the last request, status,
// byte or time field when the literal before that field begins with a
// space, and well-formed extra fields may follow the last one.
//
// Apache escapes " as \", \ as \\, and control and non-printable bytes as
// \xhh (and \n, \t, \r, \b, \v) in nearly all string fields. Values are
// unescaped into the record only when they hold an escape; otherwise they
// alias the line. A quoted value that holds unescaped quotes (written by
// other servers, old Apache versions or by hand) ends at the first quote
// that is followed by the format's next literal and lets the rest of the
// line match. A final quoted field whose closing quote is missing (a cut
// user agent) is read to the end of the line and flagged in Extra as
// "unterminated" with the directive's name.
//
// Directive to Record mapping: %h and %a set Client (a host name goes to
// ClientHost; with both, %a is the address and %h is kept in Extra and,
// when a name, in ClientHost); %l Ident; %u User; %r the request line
// (Method, Target, Path, Query, Protocol; a line that is not a request is
// kept in Extra as "%r"); without %r, %m, %U (already decoded by Apache),
// %q and %H; %>s Status (%s and %<s when no %>s is logged); %B or %b
// BodyBytes; %O WireBytes; %I RequestBytes; %D, %{us}T, %{ms}T, %T and
// %{s}T Duration (the finest unit logged wins); %X Completion; %v and %V
// VHost (%V wins); %p, %{canonical}p and %{local}p ServerPort;
// %{Referer}i, %{User-Agent}i, %{X-Forwarded-For}i, %{Range}i and
// %{Content-Range}o (header names match in any case) their fields. %t and
// %{format}t set Time; all begin-time directives of a format are merged
// ("%{%d/%b/%Y:%T}t.%{msec_frac}t %{%z}t" gives one Time with
// milliseconds), %{end:...}t goes to Extra (and sets Time only when the
// format logs no begin time). A time logged without a zone offset is read
// as UTC: the server's zone must come from elsewhere. Every other
// directive, and a directive that loses to a preferred one, goes to Extra
// under its text as written in the format ("%{Cookie}i", "%400{Via}i").
// "-" in a typed string field is "", in Status and ServerPort 0, in %b 0,
// in the other counts NotLogged.

func init() {
	registerStyle("apache", compileApache)
	for _, b := range apacheBuiltins {
		f, err := compileApacheFormat(b.name, b.spec)
		if err != nil {
			panic("logparse: built-in format " + b.name + ": " + err.Error())
		}
		f.fast = true
		f.fastVHost = b.vhost
		f.fastCombined = len(f.fields) > 7+apBoolInt(b.vhost)*2
		for _, a := range b.alts {
			alt, err := compileApacheFormat(b.name, a.spec)
			if err != nil {
				panic("logparse: built-in format " + b.name + ": " + err.Error())
			}
			if a.vhost {
				alt.fields[0].kind = akVHostPort
			}
			alt.altNeedsVHost = a.check
			f.alts = append(f.alts, alt)
		}
		register(b.name, func() Format { return f })
	}
}

// An apacheAlt is a variant of a built-in format tried on a line that
// does not match it.
type apacheAlt struct {
	spec  string
	vhost bool // the first field is a "host[:port]" virtual host
	check bool // accept only a plausible virtual host (see altAccept)
}

const (
	specCommon   = `%h %l %u %t "%r" %>s %b`
	specCombined = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`
	specDebian   = `%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`
)

var apacheBuiltins = []struct {
	name, spec string
	vhost      bool
	alts       []apacheAlt
}{
	{"common", specCommon, false, []apacheAlt{{"%v " + specCommon, true, true}}},
	{"combined", specCombined, false, []apacheAlt{{"%v " + specCombined, true, true}}},
	{"combined_debian", specDebian, false, []apacheAlt{{"%v " + specDebian, true, true}}},
	// Debian's vhost_combined; upstream's and SUSE's log "%v " without the
	// port, and a virtual host's log may hold lines without any prefix.
	{"vhost_combined", "%v:%p " + specDebian, true, []apacheAlt{{"%v " + specDebian, true, false}, {specDebian, false, false}}},
	{"lighttpd", `%h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`, false, nil},
}

func apBoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compileApache compiles a mod_log_config LogFormat string.
func compileApache(spec string) (Format, error) {
	f, err := compileApacheFormat("apache:"+spec, spec)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// apKind says what a directive's value is and where it goes in a Record.
type apKind uint8

const (
	akExtra        apKind = iota // any value, kept in Extra under the directive's name
	akHost                       // %h: Client or ClientHost
	akHostName                   // %h when %a is logged too: ClientHost and Extra
	akAddr                       // %a: Client
	akIdent                      // %l
	akUser                       // %u
	akTimeCLF                    // %t: [02/Jan/2006:15:04:05 -0700]
	akTimeFmt                    // %{format}t, begin time
	akTimeEnd                    // %{end:format}t
	akRequest                    // %r
	akMethod                     // %m
	akPath                       // %U
	akQuery                      // %q
	akProto                      // %H
	akStatus                     // %>s, or %s when no %>s
	akBodyCLF                    // %b ("-" is 0)
	akBody                       // %B
	akWire                       // %O
	akReqBytes                   // %I
	akDurUS                      // %D, %{us}T
	akDurMS                      // %{ms}T
	akDurS                       // %T, %{s}T
	akReferer                    // %{Referer}i
	akUserAgent                  // %{User-Agent}i
	akXFF                        // %{X-Forwarded-For}i
	akRange                      // %{Range}i
	akContentRange               // %{Content-Range}o
	akVHost                      // %V
	akVHostCanon                 // %v
	akVHostPort                  // a "host[:port]" prefix (built-in fallbacks)
	akPort                       // %p, %{canonical}p
	akPortLocal                  // %{local}p
	akCompletion                 // %X
	akStatusOrig                 // %s, %<s (internal: resolved to akStatus or akExtra)
)

// apField is one directive of a compiled format and the literal before it.
type apField struct {
	pre    []byte // literal text before the value
	kind   apKind
	name   string // the directive as written, for Extra
	quoted bool   // the value sits between double quotes
	token  bool   // the value never holds a space
	tfmt   []apTimePart
}

// apacheFormat is a compiled LogFormat. It is immutable.
type apacheFormat struct {
	name      string
	fields    []apField
	tail      []byte // literal after the last field
	minFields int    // the line may end before field i >= minFields
	endTime   bool   // end: times set Time (no begin time is logged)

	fast         bool // the common/combined layout: use fastMatch
	fastVHost    bool // with a "%v:%p " prefix
	fastCombined bool // with referer and user agent

	alts          []*apacheFormat // variants tried in order when a line does not match
	altNeedsVHost bool            // accept this variant only for a plausible vhost prefix
}

func (f *apacheFormat) Name() string { return f.name }

// Splittable reports true: every line is parsed on its own.
func (f *apacheFormat) Splittable() bool { return true }

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
	if apIsBlank(line) {
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

func apIsBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
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

// apply decodes the matched values into rec.
func (p *apacheParser) apply(line []byte, rec *Record) {
	f := p.f
	p.esc = bytes.IndexByte(line, '\\') >= 0
	durRank := 0
	var (
		tacc     apTimeParts
		clf      time.Time
		haveTime bool
		path     string
		query    []byte
		haveURL  bool
	)
	for i := range f.fields {
		sp := p.spans[i]
		if sp.s < 0 {
			continue
		}
		fd := &f.fields[i]
		v := line[sp.s:sp.e]
		switch fd.kind {
		case akExtra:
			rec.addExtra(fd.name, p.str(rec, v))
		case akHost, akAddr:
			if p.esc {
				v = apUnescape(rec, v)
			}
			setClient(rec, v)
		case akHostName:
			s := p.str(rec, v)
			rec.addExtra(fd.name, s)
			if _, ok := parseAddr(v); !ok && !apIsDash(v) {
				rec.ClientHost = s
			}
		case akIdent:
			rec.Ident = p.dashStr(rec, v)
		case akUser:
			rec.User = p.dashStr(rec, v)
		case akTimeCLF:
			clf, haveTime = p.times[i], true
		case akTimeFmt:
			tacc.merge(&p.tparts[i])
			haveTime = true
		case akTimeEnd:
			rec.addExtra(fd.name, bstr(v))
			if f.endTime {
				tacc.merge(&p.tparts[i])
				haveTime = true
			}
		case akRequest:
			p.setRequest(rec, fd, v)
		case akMethod:
			rec.Method = p.dashStr(rec, v)
		case akPath:
			path, haveURL = p.dashStr(rec, v), true
		case akQuery:
			if p.esc {
				v = apUnescape(rec, v)
			}
			query, haveURL = v, true
		case akProto:
			rec.Protocol = p.dashStr(rec, v)
		case akStatus:
			rec.Status = int(p.nums[i])
		case akBodyCLF:
			if n := p.nums[i]; n >= 0 {
				rec.BodyBytes = n
			} else {
				rec.BodyBytes = 0 // CLF "-": no body bytes
			}
		case akBody:
			rec.BodyBytes = p.nums[i]
		case akWire:
			rec.WireBytes = p.nums[i]
		case akReqBytes:
			rec.RequestBytes = p.nums[i]
		case akDurUS, akDurMS, akDurS:
			n := p.nums[i]
			rank, unit := 1, time.Second
			switch fd.kind {
			case akDurUS:
				rank, unit = 3, time.Microsecond
			case akDurMS:
				rank, unit = 2, time.Millisecond
			}
			if n >= 0 && rank > durRank {
				durRank = rank
				rec.Duration = time.Duration(n) * unit
			}
		case akReferer:
			rec.Referer = p.dashStr(rec, v)
		case akUserAgent:
			rec.UserAgent = p.dashStr(rec, v)
		case akXFF:
			rec.ForwardedFor = p.dashStr(rec, v)
		case akRange:
			rec.Range = p.dashStr(rec, v)
		case akContentRange:
			rec.ContentRange = p.dashStr(rec, v)
		case akVHost, akVHostCanon:
			rec.VHost = p.dashStr(rec, v)
		case akVHostPort:
			if h, port, ok := apSplitHostPort(v); ok {
				rec.VHost = p.dashStr(rec, h)
				rec.ServerPort = port
			} else {
				rec.VHost = p.dashStr(rec, v)
			}
		case akPort, akPortLocal:
			if n := p.nums[i]; n >= 0 && n <= 65535 {
				rec.ServerPort = int(n)
			}
		case akCompletion:
			if v[0] == 'X' {
				rec.Completion = CompletionAborted
			} else {
				rec.Completion = CompletionComplete
			}
		}
	}
	if haveURL && rec.Target == "" {
		p.setURL(rec, path, query)
	}
	if haveTime {
		p.setTime(rec, line, clf, &tacc)
	}
	if p.unterminated >= 0 {
		rec.addExtra("unterminated", f.fields[p.unterminated].name)
	}
	if p.trail.s >= 0 {
		if t := bytes.TrimSpace(line[p.trail.s:p.trail.e]); len(t) > 0 {
			rec.addExtra("trailing", bstr(t))
		}
	}
}

// setTime sets rec.Time from the begin-time directives, or keeps their
// values in Extra when they do not make a complete time.
func (p *apacheParser) setTime(rec *Record, line []byte, clf time.Time, tp *apTimeParts) {
	if !clf.IsZero() {
		if tp.set&apTpNsec != 0 {
			clf = clf.Add(time.Duration(tp.nsec - clf.Nanosecond()))
		}
		rec.Time = clf
		return
	}
	if t, ok := tp.time(p.zones); ok {
		rec.Time = t
		return
	}
	for i, fd := range p.f.fields {
		if fd.kind == akTimeFmt && p.spans[i].s >= 0 {
			rec.addExtra(fd.name, bstr(line[p.spans[i].s:p.spans[i].e]))
		}
	}
}

// setRequest splits a request line into rec, or keeps it in Extra when it
// is not one (TLS handshakes and other bytes sent to a plain HTTP port).
func (p *apacheParser) setRequest(rec *Record, fd *apField, v []byte) {
	if p.esc {
		v = apUnescape(rec, v)
	}
	if len(v) == 0 || apIsDash(v) {
		return
	}
	sp := bytes.IndexByte(v, ' ')
	if sp > 0 && apIsMethod(v[:sp]) && setRequestLine(rec, v) {
		return
	}
	rec.Method, rec.Target, rec.Path, rec.Query, rec.Protocol = "", "", "", "", ""
	rec.addExtra(fd.name, bstr(v))
}

// setURL sets Target, Path and Query from %U (decoded by Apache) and %q
// ("?query" or "").
func (p *apacheParser) setURL(rec *Record, path string, query []byte) {
	if len(query) > 0 && query[0] == '?' {
		query = query[1:]
	} else if apIsDash(query) {
		query = nil
	}
	rec.Path = path
	rec.Query = bstr(query)
	if len(query) == 0 {
		rec.Target = path
		return
	}
	start := len(rec.scratch)
	rec.scratch = append(rec.scratch, path...)
	rec.scratch = append(rec.scratch, '?')
	rec.scratch = append(rec.scratch, query...)
	end := len(rec.scratch)
	rec.Target = bstr(rec.scratch[start:end:end])
}

// apIsMethod reports whether b is an HTTP token (a method name).
func apIsMethod(b []byte) bool {
	for _, c := range b {
		if !apTokenChar[c] {
			return false
		}
	}
	return len(b) > 0
}

// apTokenChar marks the bytes of an HTTP token (RFC 9110 tchar).
var apTokenChar = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		if !strings.ContainsRune("\"(),/:;<=>?@[\\]{}", c) {
			t[c] = true
		}
	}
	return t
}()

// str returns v unescaped.
func (p *apacheParser) str(rec *Record, v []byte) string {
	if p.esc && bytes.IndexByte(v, '\\') >= 0 {
		return bstr(apUnescape(rec, v))
	}
	return bstr(v)
}

// dashStr returns v unescaped, or "" for "-".
func (p *apacheParser) dashStr(rec *Record, v []byte) string {
	if apIsDash(v) {
		return ""
	}
	return p.str(rec, v)
}

// apUnescape decodes Apache's log escapes (\" \\ \xhh \n \t \r \b \v)
// into the record's scratch space. Other backslashes are kept.
func apUnescape(rec *Record, b []byte) []byte {
	i := bytes.IndexByte(b, '\\')
	if i < 0 {
		return b
	}
	start := len(rec.scratch)
	rec.scratch = append(rec.scratch, b[:i]...)
	for ; i < len(b); i++ {
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			switch d := b[i+1]; d {
			case '"', '\\':
				c = d
				i++
			case 'n':
				c = '\n'
				i++
			case 't':
				c = '\t'
				i++
			case 'r':
				c = '\r'
				i++
			case 'b':
				c = '\b'
				i++
			case 'v':
				c = '\v'
				i++
			case 'x':
				if i+3 < len(b) {
					h, ok1 := unhex(b[i+2])
					l, ok2 := unhex(b[i+3])
					if ok1 && ok2 {
						c = h<<4 | l
						i += 3
					}
				}
			}
		}
		rec.scratch = append(rec.scratch, c)
	}
	end := len(rec.scratch)
	return rec.scratch[start:end:end]
}

// apSplitHostPort splits "host:port" with a decimal port; IPv6 literals
// need brackets.
func apSplitHostPort(b []byte) ([]byte, int, bool) {
	c := bytes.LastIndexByte(b, ':')
	if c <= 0 || c == len(b)-1 {
		return b, 0, false
	}
	host := b[:c]
	if bytes.IndexByte(host, ':') >= 0 && !(host[0] == '[' && host[len(host)-1] == ']') {
		return b, 0, false
	}
	n, ok := parseInt64(b[c+1:])
	if !ok || n > 65535 {
		return b, 0, false
	}
	return host, int(n), true
}

// compileApacheFormat compiles a LogFormat string. Backslash escapes in
// the literal text are read as mod_log_config reads them (\t, \" and \\),
// so a format copied from an httpd.conf line works as it is.
func compileApacheFormat(name, spec string) (*apacheFormat, error) {
	f := &apacheFormat{name: name}
	var lit []byte
	for i := 0; i < len(spec); {
		c := spec[i]
		switch c {
		case '\\':
			if i+1 >= len(spec) {
				lit = append(lit, c)
				i++
				continue
			}
			switch d := spec[i+1]; d {
			case 'n', 'r':
				return nil, &FormatStringError{Pos: i, Msg: "a line break in a format cannot be read line by line"}
			case 't':
				lit = append(lit, '\t')
			default:
				lit = append(lit, d)
			}
			i += 2
		case '%':
			if i+1 < len(spec) && spec[i+1] == '%' {
				lit = append(lit, '%')
				i += 2
				continue
			}
			fd, next, err := parseApacheDirective(spec, i)
			if err != nil {
				return nil, err
			}
			fd.pre = lit
			lit = nil
			f.fields = append(f.fields, fd)
			i = next
		case '\n', '\r':
			return nil, &FormatStringError{Pos: i, Msg: "a line break in a format cannot be read line by line"}
		default:
			lit = append(lit, c)
			i++
		}
	}
	f.tail = lit
	if len(f.fields) == 0 {
		return nil, &FormatStringError{Pos: 0, Msg: "format has no % directive"}
	}
	resolveApacheFields(f)
	return f, nil
}

// parseApacheDirective parses the directive that starts with the '%' at i
// and returns the index after it.
func parseApacheDirective(spec string, i int) (apField, int, error) {
	var fd apField
	j := i + 1
	arg, hasArg, final := "", false, false
	cut := func() (apField, int, error) {
		return fd, 0, &FormatStringError{Pos: i, Msg: "directive is cut short"}
	}
	for {
		if j >= len(spec) {
			return cut()
		}
		c := spec[j]
		switch {
		case c == '!' || c == ',' || c == '<' || ('0' <= c && c <= '9'):
			j++ // status conditions and the "original request" modifier
			continue
		case c == '>':
			final = true
			j++
			continue
		case c == '{':
			k := strings.IndexByte(spec[j+1:], '}')
			if k < 0 {
				return fd, 0, &FormatStringError{Pos: j, Msg: "unterminated { in directive"}
			}
			arg, hasArg = spec[j+1:j+1+k], true
			j += k + 2
			continue
		case c == '^':
			if j+2 >= len(spec) {
				return cut()
			}
			code := spec[j+1 : j+3]
			j += 3
			fd.name = spec[i:j]
			switch code {
			case "ti", "to": // request and response trailers
				fd.kind = akExtra
			case "FB": // mod_logio: microseconds to the first byte
				fd.kind, fd.token = akExtra, true
			default:
				return fd, 0, &FormatStringError{Pos: i, Msg: "unknown directive %^" + code}
			}
			return fd, j, nil
		}
		j++
		fd.name = spec[i:j]
		fd.kind = akExtra
		switch c {
		case 'a':
			fd.token = true
			if arg != "c" {
				fd.kind = akAddr
			}
		case 'A', 'k', 'L', 'P', 'S':
			fd.token = true
		case 'b':
			fd.kind, fd.token = akBodyCLF, true
		case 'B':
			fd.kind, fd.token = akBody, true
		case 'C', 'e', 'f', 'n', 'R', 'x', 'c':
			// cookies, environment, file name, notes, handler, mod_ssl
		case 'D':
			fd.kind, fd.token = akDurUS, true
		case 'h':
			fd.token = true
			if arg != "c" {
				fd.kind = akHost
			}
		case 'H':
			fd.kind, fd.token = akProto, true
		case 'i':
			switch {
			case strings.EqualFold(arg, "Referer"):
				fd.kind = akReferer
			case strings.EqualFold(arg, "User-Agent"):
				fd.kind = akUserAgent
			case strings.EqualFold(arg, "X-Forwarded-For"):
				fd.kind = akXFF
			case strings.EqualFold(arg, "Range"):
				fd.kind = akRange
			}
		case 'l':
			fd.kind, fd.token = akIdent, true
		case 'm':
			fd.kind, fd.token = akMethod, true
		case 'o':
			if strings.EqualFold(arg, "Content-Range") {
				fd.kind = akContentRange
			}
		case 'p':
			fd.token = true
			switch {
			case arg == "" || strings.EqualFold(arg, "canonical"):
				fd.kind = akPort
			case strings.EqualFold(arg, "local"):
				fd.kind = akPortLocal
			}
		case 'q':
			fd.kind = akQuery
		case 'r':
			fd.kind = akRequest
		case 's':
			fd.kind, fd.token = akStatusOrig, true
			if final {
				fd.kind = akStatus
			}
		case 't':
			if !hasArg || arg == "" {
				fd.kind = akTimeCLF
				break
			}
			argPos := strings.IndexByte(spec[i:], '{') + i + 1
			fd.kind = akTimeFmt
			if rest, ok := strings.CutPrefix(arg, "begin:"); ok {
				arg, argPos = rest, argPos+len("begin:")
			} else if rest, ok := strings.CutPrefix(arg, "end:"); ok {
				arg, argPos, fd.kind = rest, argPos+len("end:"), akTimeEnd
			}
			tf, err := apCompileTimeArg(arg, argPos)
			if err != nil {
				return fd, 0, err
			}
			fd.tfmt = tf
		case 'T':
			fd.token = true
			switch {
			case arg == "" || strings.EqualFold(arg, "s"):
				fd.kind = akDurS
			case strings.EqualFold(arg, "ms"):
				fd.kind = akDurMS
			case strings.EqualFold(arg, "us"):
				fd.kind = akDurUS
			}
		case 'u':
			fd.kind, fd.token = akUser, true
		case 'U':
			fd.kind = akPath
		case 'v':
			fd.kind, fd.token = akVHostCanon, true
		case 'V':
			fd.kind, fd.token = akVHost, true
		case 'X':
			fd.kind, fd.token = akCompletion, true
		case 'I':
			fd.kind, fd.token = akReqBytes, true
		case 'O':
			fd.kind, fd.token = akWire, true
		default:
			return fd, 0, &FormatStringError{Pos: i, Msg: "unknown directive %" + string(rune(c))}
		}
		return fd, j, nil
	}
}

// resolveApacheFields gives each Record field to one directive, marks
// quoted fields and finds where a line may end early.
func resolveApacheFields(f *apacheFormat) {
	hasKind := func(k apKind) bool {
		for _, fd := range f.fields {
			if fd.kind == k {
				return true
			}
		}
		return false
	}
	if hasKind(akAddr) {
		for i := range f.fields {
			if f.fields[i].kind == akHost {
				f.fields[i].kind = akHostName
			}
		}
	}
	if hasKind(akRequest) {
		for i := range f.fields {
			switch f.fields[i].kind {
			case akMethod, akPath, akQuery, akProto:
				f.fields[i].kind = akExtra
			}
		}
	}
	if !hasKind(akStatus) {
		for i := range f.fields {
			if f.fields[i].kind == akStatusOrig {
				f.fields[i].kind = akStatus
				break
			}
		}
	}
	// Within a group of kinds filling the same Record field, the best
	// kind's first directive wins; the others go to Extra.
	groups := [][]apKind{
		{akAddr}, {akHost}, {akStatus}, {akBody, akBodyCLF},
		{akDurUS, akDurMS, akDurS}, {akPort, akPortLocal}, {akVHost, akVHostCanon},
		{akIdent}, {akUser}, {akRequest}, {akMethod}, {akPath}, {akQuery},
		{akProto}, {akWire}, {akReqBytes}, {akReferer}, {akUserAgent}, {akXFF},
		{akRange}, {akContentRange}, {akCompletion},
	}
	for _, g := range groups {
		winner := -1
		for _, k := range g {
			for i := range f.fields {
				if f.fields[i].kind == k {
					winner = i
					break
				}
			}
			if winner >= 0 {
				break
			}
		}
		for i := range f.fields {
			for _, k := range g {
				if f.fields[i].kind == k && i != winner {
					f.fields[i].kind = akExtra
				}
			}
		}
	}
	f.endTime = true
	f.minFields = 0
	for i := range f.fields {
		fd := &f.fields[i]
		if fd.kind == akStatusOrig {
			fd.kind = akExtra
		}
		var next []byte
		if i+1 < len(f.fields) {
			next = f.fields[i+1].pre
		} else {
			next = f.tail
		}
		fd.quoted = len(fd.pre) > 0 && fd.pre[len(fd.pre)-1] == '"' && len(next) > 0 && next[0] == '"'
		if fd.quoted {
			fd.token = false // quotes allow spaces ("%u" with a space)
		}
		switch fd.kind {
		case akTimeCLF, akTimeFmt:
			f.endTime = false
			f.minFields = i + 1
		case akRequest, akMethod, akPath, akQuery, akProto, akStatus,
			akBodyCLF, akBody, akWire, akReqBytes:
			f.minFields = i + 1
		}
	}
	if f.minFields == 0 {
		f.minFields = len(f.fields)
	}
}

// An apTimePart is a literal or one conversion of a compiled time format.
type apTimePart struct {
	lit  []byte
	conv byte // a strftime conversion letter, or one of the tc* codes
}

// Codes for mod_log_config's own %{...}t words.
const (
	apTcSec      = 1
	apTcMsec     = 2
	apTcUsec     = 3
	apTcMsecFrac = 4
	apTcUsecFrac = 5
)

// apCompileTimeArg compiles the argument of %{...}t after its begin: or end:
// prefix; pos is its position in the format string.
func apCompileTimeArg(arg string, pos int) ([]apTimePart, error) {
	switch arg {
	case "sec":
		return []apTimePart{{conv: apTcSec}}, nil
	case "msec":
		return []apTimePart{{conv: apTcMsec}}, nil
	case "usec":
		return []apTimePart{{conv: apTcUsec}}, nil
	case "msec_frac":
		return []apTimePart{{conv: apTcMsecFrac}}, nil
	case "usec_frac":
		return []apTimePart{{conv: apTcUsecFrac}}, nil
	case "":
		return nil, &FormatStringError{Pos: pos, Msg: "empty time format"}
	}
	return apCompileStrftime(nil, arg, pos)
}

var apStrftimeComposite = map[byte]string{
	'c': "%a %b %e %H:%M:%S %Y",
	'D': "%m/%d/%y",
	'x': "%m/%d/%y",
	'F': "%Y-%m-%d",
	'r': "%I:%M:%S %p",
	'R': "%H:%M",
	'T': "%H:%M:%S",
	'X': "%H:%M:%S",
	'+': "%a %b %e %H:%M:%S %Z %Y",
	'h': "%b",
}

// apCompileStrftime appends the parts of a strftime format to parts.
func apCompileStrftime(parts []apTimePart, f string, pos int) ([]apTimePart, error) {
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			parts = append(parts, apTimePart{lit: lit})
			lit = nil
		}
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			if c == '\n' || c == '\r' {
				return nil, &FormatStringError{Pos: pos + i, Msg: "a line break in a format cannot be read line by line"}
			}
			lit = append(lit, c)
			continue
		}
		start := i
		i++
		if i < len(f) && (f[i] == 'E' || f[i] == 'O') {
			i++
		}
		if i >= len(f) {
			return nil, &FormatStringError{Pos: pos + start, Msg: "time conversion is cut short"}
		}
		c = f[i]
		if exp, ok := apStrftimeComposite[c]; ok {
			flush()
			var err error
			parts, err = apCompileStrftime(parts, exp, pos+start)
			if err != nil {
				return nil, err
			}
			continue
		}
		switch c {
		case '%':
			lit = append(lit, '%')
		case 't':
			lit = append(lit, '\t')
		case 'n':
			return nil, &FormatStringError{Pos: pos + start, Msg: "a line break in a format cannot be read line by line"}
		case 'a', 'A', 'b', 'B', 'C', 'd', 'e', 'G', 'g', 'H', 'I', 'j', 'k', 'l', 'm', 'M',
			'p', 'P', 's', 'S', 'u', 'U', 'V', 'w', 'W', 'y', 'Y', 'z', 'Z':
			flush()
			parts = append(parts, apTimePart{conv: c})
		default:
			return nil, &FormatStringError{Pos: pos + start, Msg: "unknown time conversion %" + string(rune(c))}
		}
	}
	flush()
	return parts, nil
}

// apTimeParts collects what the time directives of one line logged.
type apTimeParts struct {
	set                                  uint16
	year, mon, day, yday, hour, min, sec int
	nsec, off                            int
	epoch                                int64 // nanoseconds since 1970
	epochSec, pm                         bool
	yearDigits                           int8
}

const (
	apTpYear uint16 = 1 << iota
	apTpMon
	apTpDay
	apTpYday
	apTpHour
	apTpHour12
	apTpMin
	apTpSec
	apTpNsec
	apTpOff
	apTpEpoch
	apTpAMPM
)

func (tp *apTimeParts) merge(o *apTimeParts) {
	s := o.set
	if s&apTpYear != 0 {
		tp.year = o.year
	}
	if s&apTpMon != 0 {
		tp.mon = o.mon
	}
	if s&apTpDay != 0 {
		tp.day = o.day
	}
	if s&apTpYday != 0 {
		tp.yday = o.yday
	}
	if s&(apTpHour|apTpHour12) != 0 {
		tp.hour = o.hour
		tp.set &^= apTpHour | apTpHour12
	}
	if s&apTpMin != 0 {
		tp.min = o.min
	}
	if s&apTpSec != 0 {
		tp.sec = o.sec
	}
	if s&apTpNsec != 0 {
		tp.nsec = o.nsec
	}
	if s&apTpOff != 0 {
		tp.off = o.off
	}
	if s&apTpEpoch != 0 {
		tp.epoch, tp.epochSec = o.epoch, o.epochSec
	}
	if s&apTpAMPM != 0 {
		tp.pm = o.pm
	}
	tp.set |= s
}

// time builds the logged time, in the logged zone or UTC.
func (tp *apTimeParts) time(z *zoneCache) (time.Time, bool) {
	loc := time.UTC
	if tp.set&apTpOff != 0 {
		loc = z.zone(tp.off)
	}
	if tp.set&apTpEpoch != 0 {
		ns := tp.epoch
		if tp.epochSec && tp.set&apTpNsec != 0 {
			ns += int64(tp.nsec)
		}
		return time.Unix(0, ns).In(loc), true
	}
	if tp.set&apTpYear == 0 {
		return time.Time{}, false
	}
	year, mon, day := tp.year, tp.mon, tp.day
	switch {
	case tp.set&(apTpMon|apTpDay) == apTpMon|apTpDay:
	case tp.set&apTpYday != 0:
		if tp.yday < 1 || tp.yday > 366 {
			return time.Time{}, false
		}
		t := time.Date(year, 1, tp.yday, 0, 0, 0, 0, time.UTC)
		if t.Year() != year {
			return time.Time{}, false
		}
		mon, day = int(t.Month()), t.Day()
	default:
		return time.Time{}, false
	}
	hour := tp.hour
	if tp.set&apTpHour12 != 0 {
		if hour < 1 || hour > 12 {
			return time.Time{}, false
		}
		hour %= 12
		if tp.pm {
			hour += 12
		}
	}
	if mon < 1 || mon > 12 || day < 1 || day > apDaysIn(year, mon) || hour > 23 || tp.min > 59 || tp.sec > 60 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon), day, hour, tp.min, tp.sec, tp.nsec, loc), true
}

func apDaysIn(year, mon int) int {
	switch mon {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var (
	apMonthFull   = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	apWeekdayFull = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// apScanStrftime reads a time written with a compiled strftime format at
// pos and returns the index after it.
func apScanStrftime(parts []apTimePart, line []byte, pos int, tp *apTimeParts) (int, bool) {
	var n int
	var ok bool
	for _, pt := range parts {
		if pt.conv == 0 {
			if !bytes.HasPrefix(line[pos:], pt.lit) {
				return 0, false
			}
			pos += len(pt.lit)
			continue
		}
		switch pt.conv {
		case 'Y':
			if n, pos, ok = apFixedDigits(line, pos, 4); !ok {
				return 0, false
			}
			tp.year = n
			tp.set |= apTpYear
		case 'y':
			if n, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
			if tp.set&apTpYear == 0 || tp.yearDigits == 2 {
				tp.year = 1900 + n
				if n < 69 {
					tp.year = 2000 + n
				}
				tp.yearDigits = 2
				tp.set |= apTpYear
			}
		case 'm':
			if n, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
			tp.mon = n
			tp.set |= apTpMon
		case 'd':
			if n, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
			tp.day = n
			tp.set |= apTpDay
		case 'e':
			if n, pos, ok = apPaddedDigits(line, pos); !ok {
				return 0, false
			}
			tp.day = n
			tp.set |= apTpDay
		case 'H':
			if n, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
			tp.hour = n
			tp.set |= apTpHour
		case 'k':
			if n, pos, ok = apPaddedDigits(line, pos); !ok {
				return 0, false
			}
			tp.hour = n
			tp.set |= apTpHour
		case 'I':
			if n, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
			tp.hour = n
			tp.set |= apTpHour12
		case 'l':
			if n, pos, ok = apPaddedDigits(line, pos); !ok {
				return 0, false
			}
			tp.hour = n
			tp.set |= apTpHour12
		case 'M':
			if n, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
			tp.min = n
			tp.set |= apTpMin
		case 'S':
			if n, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
			tp.sec = n
			tp.set |= apTpSec
		case 'j':
			if n, pos, ok = apFixedDigits(line, pos, 3); !ok {
				return 0, false
			}
			tp.yday = n
			tp.set |= apTpYday
		case 'C', 'g', 'U', 'V', 'W':
			if _, pos, ok = apFixedDigits(line, pos, 2); !ok {
				return 0, false
			}
		case 'G':
			if _, pos, ok = apFixedDigits(line, pos, 4); !ok {
				return 0, false
			}
		case 'u', 'w':
			if _, pos, ok = apFixedDigits(line, pos, 1); !ok {
				return 0, false
			}
		case 'b':
			if len(line)-pos < 3 {
				return 0, false
			}
			if n = parseMonth(line[pos : pos+3]); n == 0 {
				return 0, false
			}
			tp.mon = n
			tp.set |= apTpMon
			pos += 3
		case 'B':
			if n, pos = apMatchName(line, pos, apMonthFull[:]); n < 0 {
				return 0, false
			}
			tp.mon = n + 1
			tp.set |= apTpMon
		case 'a':
			if !apIsWeekdayAbbr(line, pos) {
				return 0, false
			}
			pos += 3
		case 'A':
			if n, pos = apMatchName(line, pos, apWeekdayFull[:]); n < 0 {
				return 0, false
			}
		case 'p', 'P':
			if len(line)-pos < 2 || (line[pos+1]|0x20) != 'm' {
				return 0, false
			}
			switch line[pos] | 0x20 {
			case 'a':
				tp.pm = false
			case 'p':
				tp.pm = true
			default:
				return 0, false
			}
			tp.set |= apTpAMPM
			pos += 2
		case 'z':
			if n, pos, ok = apScanZoneOffset(line, pos); !ok {
				return 0, false
			}
			tp.off = n
			tp.set |= apTpOff
		case 'Z':
			start := pos
			for pos < len(line) && (('A' <= line[pos] && line[pos] <= 'Z') || ('a' <= line[pos] && line[pos] <= 'z')) {
				pos++
			}
			if pos == start || pos-start > 6 {
				return 0, false
			}
			if name := string(line[start:pos]); (name == "UTC" || name == "GMT" || name == "Z") && tp.set&apTpOff == 0 {
				tp.off = 0
				tp.set |= apTpOff
			}
		case 's', apTcSec, apTcMsec, apTcUsec:
			start := pos
			for pos < len(line) && '0' <= line[pos] && line[pos] <= '9' {
				pos++
			}
			v, ok := parseInt64(line[start:pos])
			scale, max := int64(1e9), int64(1e10)
			switch pt.conv {
			case apTcMsec:
				scale, max = 1e6, 1e13
			case apTcUsec:
				scale, max = 1e3, 1e16
			}
			if !ok || v > max {
				return 0, false
			}
			tp.epoch = v * scale
			tp.epochSec = scale == 1e9
			tp.set |= apTpEpoch
		case apTcMsecFrac:
			if n, pos, ok = apFixedDigits(line, pos, 3); !ok {
				return 0, false
			}
			tp.nsec = n * 1e6
			tp.set |= apTpNsec
		case apTcUsecFrac:
			if n, pos, ok = apFixedDigits(line, pos, 6); !ok {
				return 0, false
			}
			tp.nsec = n * 1e3
			tp.set |= apTpNsec
		default:
			return 0, false
		}
	}
	return pos, true
}

func apFixedDigits(line []byte, pos, w int) (int, int, bool) {
	if len(line)-pos < w {
		return 0, pos, false
	}
	n, ok := digits(line[pos : pos+w])
	return n, pos + w, ok
}

// apPaddedDigits reads a two-character number that may begin with a space.
func apPaddedDigits(line []byte, pos int) (int, int, bool) {
	if len(line)-pos < 2 {
		return 0, pos, false
	}
	if line[pos] == ' ' {
		n, ok := digits(line[pos+1 : pos+2])
		return n, pos + 2, ok
	}
	n, ok := digits(line[pos : pos+2])
	return n, pos + 2, ok
}

// apMatchName matches one of names at pos, in any case; it returns the
// index of the name and the position after it, or -1.
func apMatchName(line []byte, pos int, names []string) (int, int) {
	for i, name := range names {
		if len(line)-pos >= len(name) && bytes.EqualFold(line[pos:pos+len(name)], []byte(name)) {
			return i, pos + len(name)
		}
	}
	return -1, pos
}

func apIsWeekdayAbbr(line []byte, pos int) bool {
	if len(line)-pos < 3 {
		return false
	}
	for _, d := range apWeekdayFull {
		if bytes.EqualFold(line[pos:pos+3], []byte(d[:3])) {
			return true
		}
	}
	return false
}

// apScanZoneOffset reads "+hhmm", "-hhmm", "+hh:mm" or "Z".
func apScanZoneOffset(line []byte, pos int) (int, int, bool) {
	if pos < len(line) && line[pos] == 'Z' {
		return 0, pos + 1, true
	}
	if len(line)-pos >= 6 && line[pos+3] == ':' {
		var b [5]byte
		b[0], b[1], b[2], b[3], b[4] = line[pos], line[pos+1], line[pos+2], line[pos+4], line[pos+5]
		off, ok := parseOffset(b[:])
		return off, pos + 6, ok
	}
	if len(line)-pos < 5 {
		return 0, pos, false
	}
	off, ok := parseOffset(line[pos : pos+5])
	return off, pos + 5, ok
}
