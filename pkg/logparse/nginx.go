package logparse

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// nginx log_format strings.
//
// ParseFormat("nginx:SPEC") compiles an nginx log_format string, optionally
// preceded by "escape=default ", "escape=json " or "escape=none " as in the
// log_format directive. Variables are written $name or ${name}; everything
// between them is literal text that a line must repeat byte for byte. The
// built-in "nginx_combined" is NginxCombinedLogFormat and "nginx_range" is
// NginxRangeLogFormat.
//
// A variable's value ends at the first byte of the literal that follows it
// (the rest of the line for a last variable). Escaped bytes never end a
// value: with escape=default nginx writes '"', '\' and bytes below 0x20 or
// from 0x7F as \xXX (so a quote is \x22, where Apache writes \"), and with
// escape=json it writes JSON string escapes, so a quote inside a quoted
// value cannot end it. A value that may hold the ending byte (a space in
// $remote_user, any byte with escape=none) and is not followed there by
// the whole literal ends at the first whole literal instead, or for the
// last variable where the format's closing literal ends the line; numbers
// and addresses never hold a space. The exceptions are $time_local and
// $time_iso8601, which have a fixed width and may contain the ending byte,
// and the $upstream_* and $http_x_forwarded_for lists, whose ", " and " : "
// separators do not end them. $remote_addr may hold such a list too. Two variables with no literal between them
// cannot be split and are a compile error.
//
// Escaped values are decoded into the record; other values alias the line.
// nginx writes a variable that has no value as "-" (escape=default) or as
// nothing (json, none); both read as absent.
//
// An address list where $remote_addr stands ("10.0.0.2, 10.0.0.1,
// 127.0.0.1 - - [...]": a log_format that writes $proxy_add_x_forwarded_for
// there, as in the test logs of Elastic's nginx module) is read the way
// nginx builds that variable: the last address is the one that connected
// to nginx (Client), the addresses before it are the X-Forwarded-For header
// nginx received (ForwardedFor, as logged), whose claims only a trusted
// proxy vouches for. A single address is $remote_addr as usual.
//
// Typed variables fill the Record: $remote_addr (Client), $remote_user,
// $time_local, $time_iso8601 and $msec (Time), $request, $request_method,
// $request_uri, $uri, $args, $query_string, $server_protocol, $status,
// $body_bytes_sent, $bytes_sent, $request_length, $http_referer,
// $http_user_agent, $http_x_forwarded_for, $http_range,
// $sent_http_content_range, $request_time, $request_completion ("OK" is
// complete, empty is aborted), $host, $server_name and $server_port. Every
// other variable is kept in Record.Extra under its name with the "$"
// ("$upstream_addr"). When a format holds two variables for one field, the
// more direct one wins and the other goes to Extra: $remote_addr over
// $realip_remote_addr, $request over its parts, $request_uri over $uri and
// $args, $host over $server_name, $time_local over $time_iso8601 over
// $msec.
//
// A request line that is not "METHOD TARGET [PROTOCOL]" with a method made
// of token characters (binary probes, TLS handshakes on a plain port, which
// nginx answers with 400) does not reject the line: the record keeps the
// decoded request line in Extra as "$request" and leaves Method, Target and
// Path empty.
const (
	// NginxCombinedLogFormat is nginx's predefined "combined" format.
	NginxCombinedLogFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`

	// NginxRangeLogFormat is nginx's combined format followed by the Range
	// request header, the request time, the completion state and the bytes
	// sent including headers. It is the format we recommend for servers
	// that hold files whose exposure may have to be scoped later: combined
	// alone cannot tell which bytes of a file a 206 response carried, nor
	// whether the transfer completed. In nginx.conf:
	//
	//	log_format forensic '$remote_addr - $remote_user [$time_local] '
	//	                    '"$request" $status $body_bytes_sent '
	//	                    '"$http_referer" "$http_user_agent" '
	//	                    '"$http_range" $request_time $request_completion $bytes_sent';
	//	access_log /var/log/nginx/access.log forensic;
	NginxRangeLogFormat = NginxCombinedLogFormat + ` "$http_range" $request_time $request_completion $bytes_sent`
)

func init() {
	registerStyle("nginx", compileNginx)
	combined := mustNginx("nginx_combined", NginxCombinedLogFormat)
	register("nginx_combined", func() Format { return combined })
	ranged := mustNginx("nginx_range", NginxRangeLogFormat)
	register("nginx_range", func() Format { return ranged })
}

func mustNginx(name, spec string) *nginxFormat {
	f, err := compileNginxSpec(spec)
	if err != nil {
		panic("logparse: built-in nginx format " + name + ": " + err.Error())
	}
	f.name = name
	return f
}

// nginxEscape is a log_format escape= mode.
type nginxEscape uint8

const (
	nginxEscapeDefault nginxEscape = iota
	nginxEscapeJSON
	nginxEscapeNone
)

// nginxKind says where a variable's value goes in a Record.
type nginxKind uint8

const (
	nkExtra nginxKind = iota
	nkRemoteAddr
	nkRealIPRemoteAddr
	nkRemoteUser
	nkTimeLocal
	nkTimeISO8601
	nkMsec
	nkRequest
	nkRequestMethod
	nkRequestURI
	nkURI
	nkArgs
	nkServerProtocol
	nkStatus
	nkBodyBytesSent
	nkBytesSent
	nkRequestLength
	nkReferer
	nkUserAgent
	nkForwardedFor
	nkRange
	nkContentRange
	nkRequestTime
	nkRequestCompletion
	nkHost
	nkServerName
	nkServerPort
)

var nginxKinds = map[string]nginxKind{
	"remote_addr":             nkRemoteAddr,
	"realip_remote_addr":      nkRealIPRemoteAddr,
	"remote_user":             nkRemoteUser,
	"time_local":              nkTimeLocal,
	"time_iso8601":            nkTimeISO8601,
	"msec":                    nkMsec,
	"request":                 nkRequest,
	"request_method":          nkRequestMethod,
	"request_uri":             nkRequestURI,
	"uri":                     nkURI,
	"args":                    nkArgs,
	"query_string":            nkArgs,
	"server_protocol":         nkServerProtocol,
	"status":                  nkStatus,
	"body_bytes_sent":         nkBodyBytesSent,
	"bytes_sent":              nkBytesSent,
	"request_length":          nkRequestLength,
	"http_referer":            nkReferer,
	"http_user_agent":         nkUserAgent,
	"http_x_forwarded_for":    nkForwardedFor,
	"http_range":              nkRange,
	"sent_http_content_range": nkContentRange,
	"request_time":            nkRequestTime,
	"request_completion":      nkRequestCompletion,
	"host":                    nkHost,
	"server_name":             nkServerName,
	"server_port":             nkServerPort,
}

// nginxStep is a literal followed by a variable.
type nginxStep struct {
	lit  string    // literal before the variable, may be empty
	name string    // "$name" as written, the Extra key
	kind nginxKind // where the value goes
	term byte      // first byte of the next literal; unused when last
	last bool      // the variable runs to the end of the line
	list bool      // ", " and " : " separate list items inside the value
	atom bool      // the value never holds a space (numbers, addresses)
	// next is the literal after the variable. When retry is set and next
	// does not follow the first term byte, the value may hold that byte
	// (a space in a user name, a quote with escape=none): the value then
	// ends at the first whole next instead.
	next  string
	retry bool
	final bool // next is the format's tail: it ends the line
	// width is the fixed width of the value (timestamps), 0 if variable.
	width int
}

// nginxFormat is a compiled log_format. It is immutable.
type nginxFormat struct {
	name   string
	escape nginxEscape
	steps  []nginxStep
	tail   string // literal after the last variable
}

func (f *nginxFormat) Name() string      { return f.name }
func (f *nginxFormat) Splittable() bool  { return true }
func (f *nginxFormat) NewParser() Parser { return &nginxParser{f: f} }

// compileNginx compiles "[escape=MODE ]log_format" for ParseFormat.
func compileNginx(spec string) (Format, error) {
	f, err := compileNginxSpec(spec)
	if err != nil {
		return nil, err
	}
	f.name = "nginx:" + spec
	return f, nil
}

func compileNginxSpec(spec string) (*nginxFormat, error) {
	f := &nginxFormat{}
	body, base := spec, 0
	if strings.HasPrefix(spec, "escape=") {
		v, rest, ok := strings.Cut(spec[len("escape="):], " ")
		switch v {
		case "default":
			f.escape = nginxEscapeDefault
		case "json":
			f.escape = nginxEscapeJSON
		case "none":
			f.escape = nginxEscapeNone
		default:
			return nil, &FormatStringError{Pos: len("escape="), Msg: "escape must be default, json or none"}
		}
		if !ok {
			return nil, &FormatStringError{Pos: len(spec), Msg: "no format after escape=" + v}
		}
		base = len("escape=") + len(v) + 1
		body = rest
	}
	if body == "" {
		return nil, &FormatStringError{Pos: base, Msg: "empty format"}
	}

	var (
		lit     []byte
		steps   []nginxStep
		prevVar = -1 // position of the previous variable, for errors
	)
	for i := 0; i < len(body); {
		c := body[i]
		if c != '$' {
			lit = append(lit, c)
			i++
			continue
		}
		start := i
		i++
		bracket := false
		if i < len(body) && body[i] == '{' {
			bracket = true
			i++
		}
		nameStart := i
		for i < len(body) && nginxNameByte(body[i]) {
			i++
		}
		name := body[nameStart:i]
		if bracket {
			if i >= len(body) || body[i] != '}' {
				if i < len(body) && name != "" {
					return nil, &FormatStringError{Pos: base + i, Msg: "bad byte in ${...} variable name"}
				}
				return nil, &FormatStringError{Pos: base + start, Msg: "unterminated ${"}
			}
			i++
		}
		if name == "" {
			return nil, &FormatStringError{Pos: base + start, Msg: "empty variable name after $"}
		}
		if len(steps) > 0 && len(lit) == 0 {
			return nil, &FormatStringError{Pos: base + start,
				Msg: "variables at " + strconv.Itoa(base+prevVar) + " and " + strconv.Itoa(base+start) + " have no text between them to split at"}
		}
		if len(steps) > 0 {
			steps[len(steps)-1].term = lit[0]
		}
		steps = append(steps, nginxStep{lit: string(lit), name: "$" + name, kind: nginxKinds[strings.ToLower(name)]})
		lit = lit[:0]
		prevVar = start
	}
	if len(steps) == 0 {
		return nil, &FormatStringError{Pos: base, Msg: "format has no variables"}
	}
	f.tail = string(lit)
	if f.tail == "" {
		steps[len(steps)-1].last = true
	} else {
		steps[len(steps)-1].term = f.tail[0]
	}
	resolveNginxKinds(steps)
	for i := range steps {
		s := &steps[i]
		if s.last {
			continue
		}
		if i+1 < len(steps) {
			s.next = steps[i+1].lit
		} else {
			s.next, s.final = f.tail, true
		}
		// With escapes a quote cannot be inside a value, so a quote that
		// is not followed by the rest of the literal means a bad line.
		s.retry = (len(s.next) > 1 || s.final) && !s.atom && !s.list && s.width == 0 &&
			(s.term != '"' || f.escape == nginxEscapeNone)
	}
	f.steps = steps
	return f, nil
}

func nginxNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// resolveNginxKinds sends variables that another, more direct variable of
// the format already fills to Extra, and sets per-variable scanning hints.
func resolveNginxKinds(steps []nginxStep) {
	has := map[nginxKind]bool{}
	for _, s := range steps {
		has[s.kind] = true
	}
	for i := range steps {
		s := &steps[i]
		switch s.kind {
		case nkRealIPRemoteAddr:
			if has[nkRemoteAddr] {
				s.kind = nkExtra
			}
		case nkTimeISO8601:
			if has[nkTimeLocal] {
				s.kind = nkExtra
			}
		case nkMsec:
			if has[nkTimeLocal] || has[nkTimeISO8601] {
				s.kind = nkExtra
			}
		case nkRequestMethod, nkServerProtocol:
			if has[nkRequest] {
				s.kind = nkExtra
			}
		case nkRequestURI:
			if has[nkRequest] {
				s.kind = nkExtra
			}
		case nkURI, nkArgs:
			if has[nkRequest] || has[nkRequestURI] {
				s.kind = nkExtra
			}
		case nkServerName:
			if has[nkHost] {
				s.kind = nkExtra
			}
		}
		switch s.kind {
		case nkTimeLocal:
			s.width = len("10/Oct/2000:13:55:36 -0700")
		case nkTimeISO8601:
			s.width = len("2000-10-10T13:55:36-07:00")
		}
		switch s.kind {
		case nkRemoteAddr, nkRealIPRemoteAddr, nkMsec, nkStatus, nkBodyBytesSent, nkBytesSent,
			nkRequestLength, nkRequestTime, nkRequestCompletion, nkServerPort:
			s.atom = true
		}
		lower := strings.ToLower(s.name)
		s.list = strings.HasPrefix(lower, "$upstream_") || s.kind == nkForwardedFor ||
			lower == "$proxy_add_x_forwarded_for" || s.kind == nkRemoteAddr
	}
}

// nginxParser parses lines of one input in a compiled log_format.
type nginxParser struct {
	f     *nginxFormat
	zones zoneCache

	// The last timestamp parsed, by kind: lines of one second share it.
	lastKind nginxKind
	lastLen  int
	lastRaw  [32]byte
	lastTime time.Time
}

// Parse implements Parser.
func (p *nginxParser) Parse(line []byte, rec *Record) error {
	if len(line) == 0 {
		return ErrSkip
	}
	f := p.f
	// Escapes are rare: one look at the whole line spares a look at
	// every value.
	escape := f.escape
	if escape != nginxEscapeNone && bytes.IndexByte(line, '\\') < 0 {
		escape = nginxEscapeNone
	}
	pos := 0
	for i := range f.steps {
		st := &f.steps[i]
		if n := len(st.lit); n > 0 {
			if err := nginxLiteral(line, pos, st.lit); err != nil {
				return err
			}
			pos += n
		}
		rest := line[pos:]
		end, esc := nginxValueEnd(rest, st, escape)
		if end < 0 {
			if st.term == '"' {
				return errAt(pos, ErrQuote)
			}
			return errAt(pos, ErrFieldCount)
		}
		if st.retry && (st.final && end+len(st.next) != len(rest) || !strings.HasPrefix(bstr(rest[end:]), st.next)) {
			end = p.retryEnd(rest, end, st, escape, &esc)
		}
		v := rest[:end]
		if esc {
			v = unescapeNginx(rec, v, f.escape)
		}
		if err := p.set(rec, st, v, pos); err != nil {
			return err
		}
		pos += end
	}
	if f.tail != "" {
		if err := nginxLiteral(line, pos, f.tail); err != nil {
			return err
		}
		pos += len(f.tail)
	}
	if pos != len(line) {
		return errAt(pos, ErrTrailing)
	}
	return nil
}

// nginxLiteral checks that line holds lit at pos.
func nginxLiteral(line []byte, pos int, lit string) error {
	rest := line[pos:]
	if len(rest) >= len(lit) && string(rest[:len(lit)]) == lit {
		return nil
	}
	for j := 0; j < len(lit); j++ {
		if j >= len(rest) {
			return errAt(pos+j, ErrFieldCount) // the line ends early
		}
		if rest[j] != lit[j] {
			if lit[j] == '"' {
				return errAt(pos+j, ErrQuote)
			}
			return errAt(pos+j, ErrLiteral)
		}
	}
	return nil // not reached
}

// retryEnd finds the end of a value that holds its ending byte: the
// first whole next literal, or for the last variable the tail that ends
// the line. It returns end unchanged when there is none.
func (p *nginxParser) retryEnd(rest []byte, end int, st *nginxStep, escape nginxEscape, esc *bool) int {
	k := -1
	if st.final {
		if n := len(rest) - len(st.next); n > end && strings.HasSuffix(bstr(rest), st.next) {
			k = n
		}
	} else if j := strings.Index(bstr(rest[end+1:]), st.next); j >= 0 {
		k = end + 1 + j
	}
	if k < 0 {
		return end
	}
	*esc = escape != nginxEscapeNone && bytes.IndexByte(rest[:k], '\\') >= 0
	return k
}

// nginxValueEnd returns the length of the value at the start of b and
// whether it holds escapes to decode; -1 when its end is not found. escape
// is nginxEscapeNone when the line holds no backslash.
func nginxValueEnd(b []byte, st *nginxStep, escape nginxEscape) (int, bool) {
	if st.width > 0 && len(b) >= st.width && (st.last && len(b) == st.width || !st.last && len(b) > st.width && b[st.width] == st.term) {
		return st.width, false // timestamps hold no escapes
	}
	if st.last {
		if st.atom {
			if i := bytes.IndexByte(b, ' '); i >= 0 {
				return i, false // the rest is trailing data
			}
		}
		return len(b), escape != nginxEscapeNone && bytes.IndexByte(b, '\\') >= 0
	}
	i := bytes.IndexByte(b, st.term)
	if i < 0 {
		return -1, false
	}
	esc := false
	if escape != nginxEscapeNone {
		if bs := bytes.IndexByte(b[:i], '\\'); bs >= 0 {
			esc = true
			i = nginxScanEscaped(b, bs, st.term, escape)
			if i < 0 {
				return -1, false
			}
		}
	}
	if st.list {
		i = nginxSkipList(b, i, st.term)
		if i < 0 {
			return -1, false
		}
		if !esc && escape != nginxEscapeNone {
			esc = bytes.IndexByte(b[:i], '\\') >= 0
		}
	}
	return i, esc
}

// nginxScanEscaped finds term in b from index from, stepping over escapes.
func nginxScanEscaped(b []byte, from int, term byte, escape nginxEscape) int {
	for j := from; j < len(b); j++ {
		c := b[j]
		if c == '\\' {
			switch {
			case escape == nginxEscapeJSON && j+1 < len(b):
				j++
				continue
			case escape == nginxEscapeDefault && j+3 < len(b) && b[j+1] == 'x' && isHex(b[j+2]) && isHex(b[j+3]):
				j += 3
				continue
			}
		}
		if c == term {
			return j
		}
	}
	return -1
}

// nginxSkipList moves the end i of a list value past the ", " and
// " : " separators nginx writes between the items of $upstream_* values.
func nginxSkipList(b []byte, i int, term byte) int {
	if term != ' ' {
		return i
	}
	for i < len(b) {
		switch {
		case i > 0 && b[i-1] == ',':
			// ", " separator
		case i+2 < len(b) && b[i+1] == ':' && b[i+2] == ' ':
			i += 2 // " : " separator
		default:
			return i
		}
		j := bytes.IndexByte(b[i+1:], ' ')
		if j < 0 {
			return -1
		}
		i += 1 + j
	}
	return i
}

// unescapeNginx decodes the escapes nginx wrote in v into rec's scratch
// space and returns the decoded bytes.
func unescapeNginx(rec *Record, v []byte, escape nginxEscape) []byte {
	start := len(rec.scratch)
	s := rec.scratch
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			s = append(s, c)
			continue
		}
		if escape == nginxEscapeDefault {
			if v[i+1] == 'x' {
				if h, ok := hexByte(v, i+2); ok {
					s = append(s, h)
					i += 3
					continue
				}
			}
			s = append(s, c)
			continue
		}
		// JSON string escapes.
		i++
		switch e := v[i]; e {
		case 'n':
			s = append(s, '\n')
		case 'r':
			s = append(s, '\r')
		case 't':
			s = append(s, '\t')
		case 'b':
			s = append(s, '\b')
		case 'f':
			s = append(s, '\f')
		case 'u':
			r, n := nginxJSONRune(v[i+1:])
			if n == 0 {
				s = append(s, '\\', 'u')
				continue
			}
			s = utf8.AppendRune(s, r)
			i += n
		default: // '"', '\\', '/' and anything else stand for themselves
			s = append(s, e)
		}
	}
	rec.scratch = s
	end := len(s)
	return s[start:end:end]
}

// nginxJSONRune decodes the hex digits after "\u", with a following low
// surrogate escape if r is a high surrogate. n is the bytes used, 0 if
// there are not four hex digits.
func nginxJSONRune(b []byte) (rune, int) {
	r, ok := hex4(b, 0)
	if !ok {
		return 0, 0
	}
	if 0xD800 <= r && r < 0xDC00 && len(b) >= 10 && b[4] == '\\' && b[5] == 'u' {
		if lo, ok := hex4(b, 6); ok && 0xDC00 <= lo && lo < 0xE000 {
			return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 10
		}
	}
	if 0xD800 <= r && r < 0xE000 {
		return utf8.RuneError, 4
	}
	return r, 4
}

// nginxNil reports whether nginx logged no value: "-" (escape=default) or
// nothing (json, none).
func nginxNil(v []byte) bool {
	return len(v) == 0 || len(v) == 1 && v[0] == '-'
}

// set stores the value v of st's variable in rec; col is v's column.
func (p *nginxParser) set(rec *Record, st *nginxStep, v []byte, col int) error {
	switch st.kind {
	case nkRemoteAddr, nkRealIPRemoteAddr:
		if i := bytes.LastIndex(v, []byte(", ")); i >= 0 && st.kind == nkRemoteAddr {
			// An address list where $remote_addr stands: the log_format
			// writes $proxy_add_x_forwarded_for there. The last address
			// connected to nginx; the ones before are the X-Forwarded-For
			// header it received.
			if rec.ForwardedFor == "" {
				rec.ForwardedFor = bstr(v[:i])
			}
			v = v[i+2:]
		}
		setClient(rec, v)
	case nkRemoteUser:
		rec.User = dash(v)
	case nkTimeLocal, nkTimeISO8601, nkMsec:
		if nginxNil(v) {
			return nil
		}
		t, ok := p.parseTime(st.kind, v)
		if !ok {
			return errAt(col, ErrTimestamp)
		}
		rec.Time = t
	case nkRequest:
		if !setRequestLine(rec, v) || !nginxMethodToken(rec.Method) {
			rec.Method, rec.Target, rec.Path, rec.Query, rec.Protocol = "", "", "", "", ""
			rec.addExtra(st.name, bstr(v))
		}
	case nkRequestMethod:
		rec.Method = dash(v)
	case nkRequestURI:
		if !nginxNil(v) {
			setTarget(rec, v)
		}
	case nkURI:
		rec.Path = dash(v)
	case nkArgs:
		rec.Query = dash(v)
	case nkServerProtocol:
		rec.Protocol = dash(v)
	case nkStatus:
		if nginxNil(v) || string(v) == "000" {
			return nil // no response was sent
		}
		s, ok := parseStatus(v)
		if !ok {
			return errAt(col, ErrStatus)
		}
		rec.Status = s
	case nkBodyBytesSent, nkBytesSent, nkRequestLength:
		if nginxNil(v) {
			return nil
		}
		n, ok := parseInt64(v)
		if !ok {
			return errAt(col, ErrNumber)
		}
		switch st.kind {
		case nkBodyBytesSent:
			rec.BodyBytes = n
		case nkBytesSent:
			rec.WireBytes = n
		default:
			rec.RequestBytes = n
		}
	case nkReferer:
		rec.Referer = dash(v)
	case nkUserAgent:
		rec.UserAgent = dash(v)
	case nkForwardedFor:
		rec.ForwardedFor = dash(v)
	case nkRange:
		rec.Range = dash(v)
	case nkContentRange:
		rec.ContentRange = dash(v)
	case nkRequestTime:
		if nginxNil(v) {
			return nil
		}
		d, ok := nginxSeconds(v)
		if !ok {
			return errAt(col, ErrNumber)
		}
		rec.Duration = d
	case nkRequestCompletion:
		switch {
		case string(v) == "OK":
			rec.Completion = CompletionComplete
		case nginxNil(v):
			rec.Completion = CompletionAborted
		default:
			return errAt(col, ErrSyntax)
		}
	case nkHost, nkServerName:
		rec.VHost = dash(v)
	case nkServerPort:
		if nginxNil(v) {
			return nil
		}
		n, ok := parseInt64(v)
		if !ok || n > 65535 {
			return errAt(col, ErrNumber)
		}
		rec.ServerPort = int(n)
	default:
		rec.addExtra(st.name, dash(v))
	}
	return nil
}

// nginxMethodToken reports whether m is empty or an HTTP token (RFC 9110
// tchar), as every method is; binary probes split at a space are not.
func nginxMethodToken(m string) bool {
	for i := 0; i < len(m); i++ {
		c := m[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if c <= ' ' || c >= 0x7F || strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return true
}

// parseTime parses a time variable, reusing the last result when the
// bytes repeat (many lines share a second).
func (p *nginxParser) parseTime(kind nginxKind, v []byte) (time.Time, bool) {
	if kind == p.lastKind && len(v) == p.lastLen && string(v) == string(p.lastRaw[:p.lastLen]) {
		return p.lastTime, true
	}
	var (
		t  time.Time
		ok bool
	)
	switch kind {
	case nkTimeLocal:
		t, ok = parseCLFTime(v, &p.zones)
	case nkTimeISO8601:
		t, ok = nginxISO8601(v, &p.zones)
	default:
		t, ok = nginxMsec(v)
	}
	if ok && len(v) <= len(p.lastRaw) {
		p.lastKind, p.lastLen, p.lastTime = kind, len(v), t
		copy(p.lastRaw[:], v)
	}
	return t, ok
}

// nginxISO8601 parses nginx's $time_iso8601, "2000-10-10T13:55:36-07:00",
// also with a fraction after the seconds or "Z" for UTC, keeping the offset.
func nginxISO8601(b []byte, z *zoneCache) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	mon, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hh, ok4 := digits(b[11:13])
	mm, ok5 := digits(b[14:16])
	ss, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon < 1 || mon > 12 || !validClock(day, hh, mm, ss) {
		return time.Time{}, false
	}
	rest := b[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		i, scale := 1, 100000000
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == 1 {
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	var off int
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && rest[3] == ':':
		var buf [5]byte
		buf[0], buf[1], buf[2], buf[3], buf[4] = rest[0], rest[1], rest[2], rest[4], rest[5]
		o, ok := parseOffset(buf[:])
		if !ok {
			return time.Time{}, false
		}
		off = o
	default:
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, z.zone(off)), true
}

// nginxMsec parses $msec, Unix seconds with a fraction ("1549000000.123"),
// as a UTC time.
func nginxMsec(b []byte) (time.Time, bool) {
	sec, nsec, ok := nginxDecimal(b, 12)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(sec, nsec).UTC(), true
}

// nginxSeconds parses $request_time, seconds with a fraction ("0.138").
func nginxSeconds(b []byte) (time.Duration, bool) {
	sec, nsec, ok := nginxDecimal(b, 9)
	if !ok {
		return 0, false
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), true
}

// nginxDecimal parses "S" or "S.F" with at most maxInt integer digits and
// at most nine fraction digits.
func nginxDecimal(b []byte, maxInt int) (sec, nsec int64, ok bool) {
	intPart, frac := b, []byte(nil)
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		intPart, frac = b[:i], b[i+1:]
		if len(frac) == 0 || len(frac) > 9 {
			return 0, 0, false
		}
	}
	if len(intPart) > maxInt {
		return 0, 0, false
	}
	sec, ok = parseInt64(intPart)
	if !ok {
		return 0, 0, false
	}
	scale := int64(100000000)
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		nsec += int64(c-'0') * scale
		scale /= 10
	}
	return sec, nsec, true
}
