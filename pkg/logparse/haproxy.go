package logparse

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HAProxyFormat is HAProxy's HTTP log ("option httplog"), with or without
// a syslog header (RFC 3164 "Feb  6 12:14:14 host haproxy[14389]: ",
// RFC 5424 "<134>1 2009-02-06T12:14:14+01:00 host haproxy 14389 - - ", or
// an ISO 8601 time in place of the RFC 3164 one). Its name is "haproxy".
//
//	client_ip:port [accept_date] frontend backend/server Tq/Tw/Tc/Tr/Tt
//	status bytes_read req_cookie resp_cookie termination_state
//	actconn/feconn/beconn/srv_conn/retries srv_queue/backend_queue
//	{captured request headers} {captured response headers} "request"
//
// The accept_date has no zone. It is taken in the zone of the syslog
// header's timestamp when that has one (RFC 5424, ISO 8601), and otherwise
// in Location, or UTC when Location is nil: set Location to the zone of
// the HAProxy host when it is known.
//
// Fields map to Record fields as follows; the others are kept in Extra
// under the names given:
//
//	client_ip            Client ("-" for a UNIX socket); the port is
//	                     Extra "client_port"
//	accept_date          Time (when HAProxy accepted the connection)
//	Tt (last timer)      Duration in milliseconds; all timers are Extra
//	                     "timers". A "+" before Tt and bytes_read (option
//	                     logasap: logged before the end) sets Extra
//	                     "logasap" to "true"; the counts are then lower
//	                     bounds.
//	status               Status; -1 (no response) is 0
//	bytes_read           WireBytes: bytes sent to the client, headers
//	                     included
//	request              Method, Target, Path, Query, Protocol; the raw
//	                     request is Extra "request" when it is not a
//	                     request line ("<BADREQ>"). HAProxy cuts long
//	                     request lines (tune.http.logurilen) without the
//	                     closing quote: such a line is kept, with Extra
//	                     "request_truncated" set to "true".
//	captured headers     Extra "captured_request_headers" and
//	                     "captured_response_headers" as logged ("a|b|c");
//	                     when only one block is logged it is taken as the
//	                     request headers, which HAProxy cannot tell apart.
//	                     A captured Range and Content-Range also go to
//	                     Range and ContentRange (see RangeCapture)
//	frontend, backend, server, captured_request_cookie,
//	captured_response_cookie, termination_state, connections
//	(actconn/feconn/beconn/srv_conn/retries), queues (srv/backend)
//	                     Extra under those names
//
// Completion comes from the first character of the termination state:
// "-" (normal end) and "L" (answered locally by HAProxy) are complete;
// C and c (client abort or timeout), S and s (server abort, refusal or
// timeout), P (proxy abort), I (internal error), R (resource exhausted),
// K (killed by an administrator), D and U (killed on a server state change)
// are aborted; anything else is not-logged.
//
// Some configurations log one more token between backend/server and the
// timers (a host name in the beats fixtures): it is kept as Extra
// "after_server".
//
// Lines that HAProxy writes to the same log but that report no request are
// skipped: daemon messages after a syslog header ("Proxy www started.") and
// connection errors ("client:port [date] frontend/bind: SSL handshake
// failure"). A TCP-mode line (option tcplog: three timers, bytes, a
// two-letter termination state, connections and queues) holds no HTTP
// request: it is rejected with ErrNotHTTP, so that it is counted as
// HAProxy's but not HTTP, and Detect still recognises a log of them.
type HAProxyFormat struct {
	// Location is the zone of accept_date when the syslog header does not
	// give one. Nil means UTC.
	Location *time.Location

	// RangeCapture and ContentRangeCapture say which captured header
	// holds the request's Range and which the response's Content-Range,
	// so that a 206 carries the bytes it sent (Record.Range and
	// ContentRange): the 1-based position of the header among the
	// frontend's "capture request header" (or "capture response header")
	// lines, which is the order in which HAProxy logs the values. With
	//
	//	capture request header Host len 32
	//	capture request header Range len 64
	//	capture response header Content-Range len 64
	//
	// a line logs {host|bytes=0-99} {bytes 0-99/2390282}: RangeCapture is
	// 2, ContentRangeCapture 1. With 0 (the default) they are recognised
	// by their content: the first request value that begins with "bytes="
	// is the Range, the first response value that begins with "bytes "
	// and holds a "/" is the Content-Range (also "bytes */SIZE" of a 416).
	// -1 reads neither from the captures. ParseFormat gives them as
	// "haproxy:range=2,content_range=1" ("auto" for 0, "none" for -1).
	//
	// When a line logs one block only (the frontend captures request or
	// response headers, not both), it is the request block when
	// RangeCapture is set (> 0), the response block when only
	// ContentRangeCapture is; by content, either value is recognised in
	// it. The captured values are always kept in Extra as logged.
	RangeCapture, ContentRangeCapture int
}

// Name returns "haproxy", followed by the capture positions when they
// are set ("haproxy:range=2,content_range=1").
func (f HAProxyFormat) Name() string {
	if f.RangeCapture == 0 && f.ContentRangeCapture == 0 {
		return "haproxy"
	}
	pos := func(n int) string {
		switch {
		case n == 0:
			return "auto"
		case n < 0:
			return "none"
		}
		return strconv.Itoa(n)
	}
	return "haproxy:range=" + pos(f.RangeCapture) + ",content_range=" + pos(f.ContentRangeCapture)
}

// NewParser returns a parser for one HAProxy log.
func (f HAProxyFormat) NewParser() Parser {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	return &haproxyParser{loc: loc, rangeAt: f.RangeCapture, contentRangeAt: f.ContentRangeCapture}
}

// compileHAProxy reads "range=N,content_range=M" (N and M positions,
// "auto" or "none").
func compileHAProxy(spec string) (Format, error) {
	var f HAProxyFormat
	seen := map[string]bool{}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || seen[k] {
			return nil, fmt.Errorf("haproxy options: want range=N,content_range=M")
		}
		seen[k] = true
		n := 0
		switch v {
		case "auto":
		case "none":
			n = -1
		default:
			var err error
			n, err = strconv.Atoi(v)
			if err != nil || n < 1 || n > 64 {
				return nil, fmt.Errorf("haproxy options: %s: a capture position from 1, auto or none", k)
			}
		}
		switch k {
		case "range":
			f.RangeCapture = n
		case "content_range":
			f.ContentRangeCapture = n
		default:
			return nil, fmt.Errorf("haproxy options: unknown option (known: range, content_range)")
		}
	}
	return f, nil
}

// Splittable reports true: each line stands alone.
func (HAProxyFormat) Splittable() bool { return true }

func init() {
	register("haproxy", func() Format { return HAProxyFormat{} })
	registerStyle("haproxy", compileHAProxy)
}

type haproxyParser struct {
	loc   *time.Location
	zones zoneCache

	rangeAt, contentRangeAt int // HAProxyFormat's capture positions
}

func (p *haproxyParser) Parse(line []byte, rec *Record) error {
	if isBlank(line) {
		return ErrSkip
	}
	// Find the accept date: the first "[dd/Mon/yyyy:" after a token.
	dateAt := findHAProxyDate(line)
	if dateAt < 0 {
		if hasSyslogHeader(line) {
			return ErrSkip // a daemon message, not a request
		}
		return errAt(0, ErrLiteral)
	}
	clientStart := bytes.LastIndexByte(line[:dateAt-1], ' ') + 1
	loc := p.loc
	if clientStart > 0 {
		l, ok := p.syslogZone(line[:clientStart-1])
		if !ok {
			return errAt(0, ErrLiteral)
		}
		if l != nil {
			loc = l
		}
	}

	// client_ip:port
	client := line[clientStart : dateAt-1]
	colon := bytes.LastIndexByte(client, ':')
	if colon <= 0 {
		return errAt(clientStart, ErrAddress)
	}
	if host := client[:colon]; !(len(host) == 1 && host[0] == '-') {
		a, ok := parseAddr(host)
		if !ok {
			if !bytes.HasPrefix(host, []byte("unix")) {
				return errAt(clientStart, ErrAddress)
			}
			rec.ClientHost = bstr(host)
		} else {
			rec.Client = a
		}
	}
	if port := client[colon+1:]; len(port) > 0 {
		rec.addExtra("client_port", bstr(port))
	}

	// [accept_date]
	end := dateAt + bytes.IndexByte(line[dateAt:], ']')
	if end < dateAt {
		return errAt(dateAt, ErrTimestamp)
	}
	t, ok := parseHAProxyDate(line[dateAt+1:end], loc)
	if !ok {
		return errAt(dateAt+1, ErrTimestamp)
	}
	rec.Time = t

	s := &haScanner{line: line, i: end + 1}
	frontend, fcol := s.token()
	if len(frontend) == 0 {
		return errAt(fcol, ErrLiteral)
	}
	if frontend[len(frontend)-1] == ':' {
		return ErrSkip // a connection error message, not a request
	}
	rec.addExtra("frontend", bstr(frontend))
	bs, bcol := s.token()
	slash := bytes.IndexByte(bs, '/')
	if slash < 0 {
		return errAt(bcol, ErrLiteral)
	}
	rec.addExtra("backend", bstr(bs[:slash]))
	rec.addExtra("server", bstr(bs[slash+1:]))

	timers, tcol := s.token()
	if bytes.Count(timers, []byte("/")) != 4 {
		// One unknown token before the timers is tolerated.
		if bytes.IndexByte(timers, '/') < 0 && bytes.Count(s.peek(), []byte("/")) == 4 {
			rec.addExtra("after_server", bstr(timers))
			timers, tcol = s.token()
		} else {
			if isHAProxyTCPLog(timers, s) {
				return errAt(tcol, ErrNotHTTP)
			}
			return errAt(tcol, ErrLiteral)
		}
	}
	rec.addExtra("timers", bstr(timers))
	tt := timers[bytes.LastIndexByte(timers, '/')+1:]
	logasap := false
	if len(tt) > 0 && tt[0] == '+' {
		tt, logasap = tt[1:], true
	}
	if !(len(tt) == 2 && tt[0] == '-' && tt[1] == '1') {
		ms, ok := parseInt64(tt)
		d, ok2 := millis(ms)
		if !ok || !ok2 {
			return errAt(tcol, ErrNumber)
		}
		rec.Duration = d
	}

	status, scol := s.token()
	if !(len(status) == 2 && status[0] == '-' && status[1] == '1') {
		n, ok := parseStatus(status)
		if !ok {
			return errAt(scol, ErrStatus)
		}
		rec.Status = n
	}
	bytesRead, bcol := s.token()
	if len(bytesRead) > 0 && bytesRead[0] == '+' {
		bytesRead, logasap = bytesRead[1:], true
	}
	n, ok := parseInt64(bytesRead)
	if !ok {
		return errAt(bcol, ErrNumber)
	}
	rec.WireBytes = n
	if logasap {
		rec.addExtra("logasap", "true")
	}

	for _, name := range [...]string{"captured_request_cookie", "captured_response_cookie"} {
		v, col := s.token()
		if len(v) == 0 {
			return errAt(col, ErrFieldCount)
		}
		if !(len(v) == 1 && v[0] == '-') {
			rec.addExtra(name, bstr(v))
		}
	}
	ts, tscol := s.token()
	if len(ts) != 4 {
		return errAt(tscol, ErrLiteral)
	}
	rec.addExtra("termination_state", bstr(ts))
	rec.Completion = haproxyCompletion(ts[0])

	conns, ccol := s.token()
	if bytes.Count(conns, []byte("/")) != 4 {
		return errAt(ccol, ErrLiteral)
	}
	rec.addExtra("connections", bstr(conns))
	queues, qcol := s.token()
	if bytes.Count(queues, []byte("/")) != 1 {
		return errAt(qcol, ErrLiteral)
	}
	rec.addExtra("queues", bstr(queues))

	// Optional {captured headers} blocks, then the quoted request.
	names := [...]string{"captured_request_headers", "captured_response_headers"}
	var blocks [2][]byte
	nblocks := 0
	for k := 0; k < 2; k++ {
		s.skipSpaces()
		if s.i >= len(line) || line[s.i] != '{' {
			break
		}
		j := bytes.IndexByte(line[s.i:], '}')
		if j < 0 {
			return errAt(s.i, ErrLiteral)
		}
		v := line[s.i+1 : s.i+j]
		if len(v) > 0 {
			rec.addExtra(names[k], bstr(v))
		}
		blocks[k] = v
		nblocks++
		s.i += j + 1
	}
	p.captures(rec, blocks, nblocks)
	s.skipSpaces()
	if s.i >= len(line) {
		return errAt(s.i, ErrFieldCount)
	}
	if line[s.i] != '"' {
		return errAt(s.i, ErrQuote)
	}
	reqStart := s.i + 1
	req := line[reqStart:]
	if n := len(req); n > 0 && req[n-1] == '"' {
		req = req[:n-1]
	} else {
		rec.addExtra("request_truncated", "true")
	}
	if !setRequestLine(rec, req) {
		rec.Method, rec.Protocol = "", ""
		rec.addExtra("request", bstr(req))
	}
	return nil
}

// captures sets Range and ContentRange from the captured header blocks
// (see HAProxyFormat.RangeCapture).
func (p *haproxyParser) captures(rec *Record, blocks [2][]byte, n int) {
	if n == 0 {
		return
	}
	req, resp := blocks[0], blocks[1]
	if n == 1 {
		switch {
		case p.rangeAt > 0:
		case p.contentRangeAt > 0:
			req, resp = nil, blocks[0]
		default:
			resp = blocks[0] // by content: either value may be in it
		}
	}
	if p.rangeAt > 0 {
		if v := captureAt(req, p.rangeAt); len(v) > 0 && !(len(v) == 1 && v[0] == '-') {
			rec.Range = bstr(v)
		}
	} else if p.rangeAt == 0 {
		for v := range bytes.SplitSeq(req, []byte("|")) {
			if bytes.HasPrefix(v, []byte("bytes=")) {
				rec.Range = bstr(v)
				break
			}
		}
	}
	if p.contentRangeAt > 0 {
		if v := captureAt(resp, p.contentRangeAt); len(v) > 0 && !(len(v) == 1 && v[0] == '-') {
			rec.ContentRange = bstr(v)
		}
	} else if p.contentRangeAt == 0 {
		for v := range bytes.SplitSeq(resp, []byte("|")) {
			if bytes.HasPrefix(v, []byte("bytes ")) && bytes.IndexByte(v, '/') > 0 {
				rec.ContentRange = bstr(v)
				break
			}
		}
	}
}

// captureAt returns the value at 1-based position i of a "a|b|c" block.
func captureAt(block []byte, i int) []byte {
	for v := range bytes.SplitSeq(block, []byte("|")) {
		if i--; i == 0 {
			return v
		}
	}
	return nil
}

// isHAProxyTCPLog reports whether the rest of a line whose timers token
// is timers reads as option tcplog's "Tw/Tc/Tt bytes_read
// termination_state actconn/feconn/beconn/srv_conn/retries
// srv_queue/backend_queue".
func isHAProxyTCPLog(timers []byte, s *haScanner) bool {
	if bytes.Count(timers, []byte("/")) != 2 {
		return false
	}
	save := s.i
	defer func() { s.i = save }()
	b, _ := s.token()
	if len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	if _, ok := parseInt64(b); !ok {
		return false
	}
	if ts, _ := s.token(); len(ts) != 2 {
		return false
	}
	if c, _ := s.token(); bytes.Count(c, []byte("/")) != 4 {
		return false
	}
	q, _ := s.token()
	rest, _ := s.token()
	return bytes.Count(q, []byte("/")) == 1 && len(rest) == 0
}

// haproxyCompletion maps the first termination-state character.
func haproxyCompletion(c byte) Completion {
	switch c {
	case '-', 'L':
		return CompletionComplete
	case 'C', 'c', 'S', 's', 'P', 'I', 'R', 'K', 'D', 'U':
		return CompletionAborted
	}
	return CompletionNotLogged
}

// findHAProxyDate returns the index of the "[" of the first
// " [dd/Mon/yyyy:" in line, or -1.
func findHAProxyDate(line []byte) int {
	for i := 1; i+21 <= len(line); i++ {
		if line[i] != '[' || line[i-1] != ' ' {
			continue
		}
		b := line[i+1:]
		if b[2] == '/' && b[6] == '/' && b[11] == ':' && parseMonth(b[3:6]) != 0 {
			return i
		}
	}
	return -1
}

// parseHAProxyDate parses "06/Feb/2009:12:14:14.655".
func parseHAProxyDate(b []byte, loc *time.Location) (time.Time, bool) {
	year, mon, day, hh, mm, ss, ok := parseDMYClock(b)
	if !ok {
		return time.Time{}, false
	}
	nsec := 0
	if rest := b[20:]; len(rest) > 0 {
		if rest[0] != '.' || len(rest) == 1 || len(rest) > 10 {
			return time.Time{}, false
		}
		scale := 100000000
		for _, c := range rest[1:] {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			nsec += int(c-'0') * scale
			scale /= 10
		}
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, loc), true
}

// hasSyslogHeader reports whether line starts like a syslog message.
func hasSyslogHeader(line []byte) bool {
	var p haproxyParser
	sp := bytes.Index(line, []byte(": "))
	if sp < 0 {
		return false
	}
	_, ok := p.syslogZone(line[:sp+1])
	return ok
}

// syslogZone checks a syslog header (everything before the client field,
// without the final space) and returns the zone of its timestamp, or nil
// when the timestamp has none.
func (p *haproxyParser) syslogZone(h []byte) (*time.Location, bool) {
	// Optional <PRI>.
	if len(h) > 0 && h[0] == '<' {
		j := bytes.IndexByte(h, '>')
		if j < 0 {
			return nil, false
		}
		h = h[j+1:]
	}
	// RFC 5424: version "1 " then an ISO time.
	if len(h) > 2 && h[0] == '1' && h[1] == ' ' {
		h = h[2:]
	}
	if len(h) < 16 {
		return nil, false
	}
	if parseMonth(h[:3]) != 0 && h[3] == ' ' {
		// RFC 3164: "Mmm dd hh:mm:ss host tag[pid]:"
		if h[6] != ' ' || h[9] != ':' || h[12] != ':' || h[15] != ' ' {
			return nil, false
		}
		return nil, h[len(h)-1] == ':'

	}
	// ISO 8601 / RFC 3339 timestamp.
	sp := bytes.IndexByte(h, ' ')
	if sp < 0 {
		return nil, false
	}
	ts := h[:sp]
	if len(ts) < 20 || ts[4] != '-' || ts[10] != 'T' {
		return nil, false
	}
	switch z := ts[len(ts)-1]; {
	case z == 'Z':
		return time.UTC, true
	case len(ts) >= 25 && (ts[len(ts)-6] == '+' || ts[len(ts)-6] == '-') && ts[len(ts)-3] == ':':
		off := ts[len(ts)-6:]
		b := []byte{off[0], off[1], off[2], off[4], off[5]}
		o, ok := parseOffset(b)
		if !ok {
			return nil, false
		}
		return p.zones.zone(o), true
	}
	return nil, false
}

// haScanner reads space-separated tokens.
type haScanner struct {
	line []byte
	i    int
}

func (s *haScanner) skipSpaces() {
	for s.i < len(s.line) && s.line[s.i] == ' ' {
		s.i++
	}
}

func (s *haScanner) token() ([]byte, int) {
	s.skipSpaces()
	start := s.i
	for s.i < len(s.line) && s.line[s.i] != ' ' {
		s.i++
	}
	return s.line[start:s.i], start
}

func (s *haScanner) peek() []byte {
	save := s.i
	t, _ := s.token()
	s.i = save
	return t
}
