package logparse

import (
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// JSONFormat reads JSON lines, one object per line, with a mapping from
// Record fields to JSON values. Its name is "jsonl"; with a nil Mapping it
// uses DefaultJSONMapping().
//
// Mapping keys are Record field names; values are dotted paths into the
// object ("request.headers.User-Agent"), or several paths separated by "|",
// of which the first one present wins. Understood keys:
//
//	Time          number (Unix time: seconds, or milli-, micro- or
//	              nanoseconds, told apart by magnitude) or string
//	              (RFC 3339, or the Common Log Format time)
//	Client        address; a host name goes to ClientHost
//	ForwardedFor, Ident, User, Method, Protocol, Range, ContentRange,
//	VHost, Referer, UserAgent        strings
//	Target        request target; sets Path and Query too
//	Query         raw query
//	Request       a request line ("GET /a HTTP/1.1"): Method, Target, Protocol
//	Status        number or numeric string
//	BodyBytes, WireBytes, RequestBytes, ServerPort   numbers or numeric strings
//	Duration      number (or numeric string) in DurationUnit, or a Go
//	              duration string ("1.5ms")
//
// An array of strings (HTTP header values) is joined with ", ". A value
// that is null, "" or "-" leaves the field not logged.
//
// Every value that is not mapped is kept in Extra under its dotted path:
// strings as they are, numbers and booleans as their JSON text, arrays
// joined with ", ". At most MaxJSONExtra values are kept per line; the
// number dropped beyond that is Extra "logparse.dropped". Objects nested
// deeper than MaxJSONDepth are rejected with ErrSyntax.
//
// A line that is not a JSON object is rejected with ErrSyntax, with the
// column where decoding failed. The parser scans the line itself (checked
// against encoding/json by FuzzJSONL): strings without escapes alias the
// line, decoded ones and Extra names live in the Record's buffers, so a
// line costs no allocation when the Reader reuses its Record.
type JSONFormat struct {
	// Mapping maps a Record field name to the dotted JSON path(s) that
	// fill it. Nil means DefaultJSONMapping().
	Mapping map[string]string
	// DurationUnit is the unit of a numeric Duration; 0 means seconds.
	DurationUnit time.Duration
}

// DefaultJSONMapping returns the mapping of the "jsonl" format: common
// names from nginx "escape=json" log formats and Traefik JSON logs. The
// caller may change the returned map.
func DefaultJSONMapping() map[string]string { return maps.Clone(defaultJSONMapping) }

var defaultJSONMapping = map[string]string{
	"Time":         "time|timestamp|@timestamp|time_local|time_iso8601|ts",
	"Client":       "remote_addr|client_ip|clientip|remote_ip|ClientHost",
	"ForwardedFor": "http_x_forwarded_for|x_forwarded_for",
	"User":         "remote_user|user",
	"Request":      "request",
	"Method":       "request_method|method|RequestMethod",
	"Target":       "request_uri|uri|RequestPath",
	"Protocol":     "server_protocol|protocol|RequestProtocol",
	"Status":       "status|status_code|DownstreamStatus",
	"BodyBytes":    "body_bytes_sent|size",
	"WireBytes":    "bytes_sent|DownstreamContentSize",
	"RequestBytes": "request_length|bytes_read",
	"VHost":        "host|server_name|RequestHost",
	"Referer":      "http_referer|referer|request_Referer",
	"UserAgent":    "http_user_agent|user_agent|request_User-Agent",
	"Range":        "http_range|request_Range",
	"Duration":     "request_time|duration",
}

// MaxJSONExtra bounds the Extra values kept from one JSON line, and
// MaxJSONDepth the nesting of its objects and arrays.
const (
	MaxJSONExtra = 256
	MaxJSONDepth = 32
)

// Name returns "jsonl".
func (JSONFormat) Name() string { return "jsonl" }

// NewParser returns a parser for one JSON-lines input.
func (f JSONFormat) NewParser() Parser {
	m := f.Mapping
	if m == nil {
		m = defaultJSONMapping
	}
	unit := f.DurationUnit
	if unit <= 0 {
		unit = time.Second
	}
	return newJSONParser(m, unit)
}

// Splittable reports true: each line stands alone.
func (JSONFormat) Splittable() bool { return true }

// Check reports Mapping keys that name no Record field: their paths would
// not be mapped and their values would land in Extra.
func (f JSONFormat) Check() error {
	var bad []string
	for k, v := range f.Mapping {
		if _, ok := jsonFieldNames[k]; !ok {
			bad = append(bad, k)
		}
		if v == "" {
			bad = append(bad, k+" (empty path)")
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("logparse: JSON mapping: unknown Record fields %s", strings.Join(bad, ", "))
	}
	return nil
}

// CaddyFormat is Caddy's JSON access log (the "http.log.access" logger).
// Its name is "caddy".
//
// It maps ts (Unix seconds as a float by default, or another time_format)
// to Time, request.remote_ip (the peer; request.client_ip when absent) to
// Client, request.method, request.uri, request.proto and request.host to
// Method, Target, Protocol and VHost, request.headers.User-Agent, Referer,
// Range and X-Forwarded-For to UserAgent, Referer, Range and ForwardedFor,
// user_id to User, status to Status, size (body bytes written) to
// BodyBytes, bytes_read to RequestBytes, resp_headers.Content-Range to
// ContentRange and duration to Duration: a float is seconds (Caddy's
// default), an integer of 1000 or more is nanoseconds (duration_format
// nano), a string is a Go duration. Everything else is kept in Extra by
// dotted path, as with JSONFormat.
//
// Caddy writes its own runtime messages to the same log when the access
// log is not separated; lines without a "request" object are skipped.
// Caddy logs status 0 when no handler wrote a response; Status is then 0.
type CaddyFormat struct{}

// Name returns "caddy".
func (CaddyFormat) Name() string { return "caddy" }

// NewParser returns a parser for one Caddy access log.
func (CaddyFormat) NewParser() Parser {
	p := newJSONParser(caddyMapping, time.Second)
	p.caddy = true
	return p
}

// Splittable reports true: each line stands alone.
func (CaddyFormat) Splittable() bool { return true }

var caddyMapping = map[string]string{
	"Time":         "ts",
	"Client":       "request.remote_ip|request.client_ip",
	"Method":       "request.method",
	"Target":       "request.uri",
	"Protocol":     "request.proto",
	"VHost":        "request.host",
	"UserAgent":    "request.headers.User-Agent",
	"Referer":      "request.headers.Referer",
	"Range":        "request.headers.Range",
	"ForwardedFor": "request.headers.X-Forwarded-For",
	"User":         "user_id",
	"Status":       "status",
	"BodyBytes":    "size",
	"RequestBytes": "bytes_read",
	"ContentRange": "resp_headers.Content-Range",
	"Duration":     "duration",
}

func init() {
	register("jsonl", func() Format { return JSONFormat{} })
	register("caddy", func() Format { return CaddyFormat{} })
}

type jsonField uint8

const (
	jfNone jsonField = iota
	jfTime
	jfClient
	jfForwardedFor
	jfIdent
	jfUser
	jfMethod
	jfTarget
	jfQuery
	jfProtocol
	jfRequest
	jfStatus
	jfBodyBytes
	jfWireBytes
	jfRequestBytes
	jfRange
	jfContentRange
	jfVHost
	jfServerPort
	jfReferer
	jfUserAgent
	jfDuration
	jfCount
)

var jsonFieldNames = map[string]jsonField{
	"Time": jfTime, "Client": jfClient, "ForwardedFor": jfForwardedFor,
	"Ident": jfIdent, "User": jfUser, "Method": jfMethod, "Target": jfTarget,
	"Query": jfQuery, "Protocol": jfProtocol, "Request": jfRequest,
	"Status": jfStatus, "BodyBytes": jfBodyBytes, "WireBytes": jfWireBytes,
	"RequestBytes": jfRequestBytes, "Range": jfRange,
	"ContentRange": jfContentRange, "VHost": jfVHost,
	"ServerPort": jfServerPort, "Referer": jfReferer,
	"UserAgent": jfUserAgent, "Duration": jfDuration,
}

// jsonTarget is where a path's value goes and its rank among the field's
// alternative paths (0 first).
type jsonTarget struct {
	field jsonField
	rank  int
}

type jsonParser struct {
	paths map[string]jsonTarget
	unit  time.Duration
	caddy bool

	b     []byte // the line
	i     int    // scan position in b
	zones zoneCache
	path  []byte
	arr   []byte // joined array values
	// per line
	rank       [jfCount]int // rank of the value set, -1 if none
	setPath    [jfCount]string
	setVal     [jfCount]string
	dropped    int
	hasRequest bool
}

func newJSONParser(m map[string]string, unit time.Duration) *jsonParser {
	p := &jsonParser{paths: make(map[string]jsonTarget), unit: unit}
	for name, spec := range m {
		f, ok := jsonFieldNames[name]
		if !ok {
			continue
		}
		for i, path := range strings.Split(spec, "|") {
			if path = strings.TrimSpace(path); path != "" {
				if old, dup := p.paths[path]; !dup || old.field > f {
					p.paths[path] = jsonTarget{field: f, rank: i}
				}
			}
		}
	}
	return p
}

func (p *jsonParser) Parse(line []byte, rec *Record) error {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) {
		return ErrSkip
	}
	if line[i] != '{' {
		return errAt(i, ErrSyntax)
	}
	for k := range p.rank {
		p.rank[k] = -1
	}
	p.dropped, p.hasRequest = 0, false
	p.b, p.i = line, i
	p.path, p.arr = p.path[:0], p.arr[:0]
	if err := p.value(rec, 0); err != nil {
		return err
	}
	p.ws()
	if p.i < len(line) {
		return errAt(p.i, ErrTrailing)
	}
	if p.caddy && !p.hasRequest {
		return ErrSkip
	}
	if p.dropped > 0 {
		rec.addExtra("logparse.dropped", strconv.Itoa(p.dropped))
	}
	return nil
}

// A small JSON scanner over the line: strings without escapes alias the
// line, so that a line costs no allocation beyond the Record's buffers.

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// expect skips spaces and the byte c.
func (p *jsonParser) expect(c byte) error {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != c {
		return errAt(p.i, ErrSyntax)
	}
	p.i++
	return nil
}

// value reads one JSON value at the current path.
func (p *jsonParser) value(rec *Record, depth int) error {
	p.ws()
	if p.i >= len(p.b) {
		return errAt(p.i, ErrSyntax)
	}
	col := p.i
	switch c := p.b[p.i]; {
	case c == '{':
		if depth >= MaxJSONDepth {
			return errAt(p.i, ErrSyntax)
		}
		if p.caddy && depth == 1 && string(p.path) == "request" {
			p.hasRequest = true
		}
		p.i++
		n := len(p.path)
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return nil
		}
		for {
			p.ws()
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return errAt(p.i, ErrSyntax)
			}
			key, err := p.str(rec)
			if err != nil {
				return err
			}
			p.path = p.path[:n]
			if n > 0 {
				p.path = append(p.path, '.')
			}
			p.path = append(p.path, key...)
			if err := p.expect(':'); err != nil {
				return err
			}
			if err := p.value(rec, depth+1); err != nil {
				return err
			}
			p.ws()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			p.path = p.path[:n]
			return p.expect('}')
		}
	case c == '[':
		if depth >= MaxJSONDepth {
			return errAt(p.i, ErrSyntax)
		}
		p.i++
		n, base := len(p.path), len(p.arr)
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return nil
		}
		for k := 0; ; k++ {
			p.ws()
			if p.i >= len(p.b) {
				return errAt(p.i, ErrSyntax)
			}
			switch e := p.b[p.i]; {
			case e == '{' || e == '[':
				// A container inside an array: walk it by index.
				p.path = strconv.AppendInt(append(p.path[:n], '.'), int64(k), 10)
				if err := p.value(rec, depth+1); err != nil {
					return err
				}
				p.path = p.path[:n]
			default:
				v, _, null, err := p.scalar(rec)
				if err != nil {
					return err
				}
				if !null {
					if len(p.arr) > base {
						p.arr = append(p.arr, ", "...)
					}
					p.arr = append(p.arr, v...)
				}
			}
			p.ws()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if err := p.expect(']'); err != nil {
				return err
			}
			break
		}
		if len(p.arr) > base {
			v := rec.keep(p.arr[base:])
			p.arr = p.arr[:base]
			return p.leaf(rec, v, false, col)
		}
		return nil
	default:
		v, isNum, null, err := p.scalar(rec)
		if err != nil || null {
			return err
		}
		return p.leaf(rec, v, isNum, col)
	}
}

// scalar reads a string, number, true, false or null.
func (p *jsonParser) scalar(rec *Record) (v string, isNum, null bool, err error) {
	b, i := p.b, p.i
	switch c := b[i]; {
	case c == '"':
		v, err = p.str(rec)
		return v, false, false, err
	case c == '-' || ('0' <= c && c <= '9'):
		j := i
		if b[j] == '-' {
			j++
		}
		d := j
		j = jsonDigits(b, j)
		if j == d || (b[d] == '0' && j-d > 1) {
			return "", false, false, errAt(i, ErrSyntax)
		}
		if j < len(b) && b[j] == '.' {
			j++
			d = j
			j = jsonDigits(b, j)
			if j == d {
				return "", false, false, errAt(j, ErrSyntax)
			}
		}
		if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
			j++
			if j < len(b) && (b[j] == '+' || b[j] == '-') {
				j++
			}
			d = j
			j = jsonDigits(b, j)
			if j == d {
				return "", false, false, errAt(j, ErrSyntax)
			}
		}
		p.i = j
		return bstr(b[i:j]), true, false, nil
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
			p.i = i + len(lit)
			return lit, false, lit == "null", nil
		}
	}
	return "", false, false, errAt(i, ErrSyntax)
}

// str reads a JSON string whose opening quote is at p.i. Without escapes
// the value aliases the line; otherwise it is decoded into rec's scratch.
func (p *jsonParser) str(rec *Record) (string, error) {
	b := p.b
	start := p.i + 1
	i := start
	for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
		i++
	}
	if i < len(b) && b[i] == '"' {
		p.i = i + 1
		return bstr(b[start:i]), nil
	}
	out := len(rec.scratch)
	rec.scratch = append(rec.scratch, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			p.i = i + 1
			end := len(rec.scratch)
			return bstr(rec.scratch[out:end:end]), nil
		case c < 0x20:
			return "", errAt(i, ErrSyntax)
		case c != '\\':
			rec.scratch = append(rec.scratch, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return "", errAt(i, ErrSyntax)
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			rec.scratch = append(rec.scratch, e)
		case 'b':
			rec.scratch = append(rec.scratch, '\b')
		case 'f':
			rec.scratch = append(rec.scratch, '\f')
		case 'n':
			rec.scratch = append(rec.scratch, '\n')
		case 'r':
			rec.scratch = append(rec.scratch, '\r')
		case 't':
			rec.scratch = append(rec.scratch, '\t')
		case 'u':
			r, ok := hex4(b, i+2)
			if !ok {
				return "", errAt(i, ErrSyntax)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(b, i+2); ok && i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			rec.scratch = utf8.AppendRune(rec.scratch, r)
			continue
		default:
			return "", errAt(i, ErrSyntax)
		}
		i += 2
	}
	return "", errAt(len(b), ErrSyntax)
}

// leaf handles a scalar (or joined array) value at the current path. The
// value aliases the line or the record's scratch space.
func (p *jsonParser) leaf(rec *Record, s string, isNum bool, col int) error {
	tgt, mapped := p.paths[string(p.path)]
	if !mapped {
		p.extra(rec, p.path, s)
		return nil
	}
	if s == "" || s == "-" {
		return nil
	}
	f := tgt.field
	if r := p.rank[f]; r >= 0 {
		if r <= tgt.rank {
			p.extra(rec, p.path, s) // a better path already set it
			return nil
		}
		p.extra(rec, sbytes(p.setPath[f]), p.setVal[f]) // replaced: keep the old value
	}
	p.rank[f], p.setPath[f], p.setVal[f] = tgt.rank, rec.keep(p.path), s
	return p.set(rec, f, s, isNum, col)
}

func (p *jsonParser) extra(rec *Record, name []byte, value string) {
	if len(rec.Extra) >= MaxJSONExtra {
		p.dropped++
		return
	}
	rec.addExtra(rec.keep(name), value)
}

// sbytes returns the bytes of s without copying; they must not be changed.
func sbytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (p *jsonParser) set(rec *Record, f jsonField, s string, isNum bool, col int) error {
	switch f {
	case jfTime:
		t, ok := p.parseTime(s, isNum)
		if !ok {
			return errAt(col, ErrTimestamp)
		}
		rec.Time = t
	case jfClient:
		if a, ok := parseHostAddr(s); ok {
			rec.Client, rec.ClientHost = a, ""
		} else {
			rec.Client, rec.ClientHost = netip.Addr{}, s
		}
	case jfForwardedFor:
		rec.ForwardedFor = s
	case jfIdent:
		rec.Ident = s
	case jfUser:
		rec.User = s
	case jfMethod:
		rec.Method = s
	case jfTarget:
		q := rec.Query
		setTarget(rec, sbytes(s))
		if rec.Query == "" {
			rec.Query = q
		}
	case jfQuery:
		rec.Query = s
	case jfProtocol:
		rec.Protocol = s
	case jfRequest:
		if !setRequestLine(rec, sbytes(s)) {
			return errAt(col, ErrRequestLine)
		}
	case jfStatus:
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 999 || (n > 0 && n < 100) {
			return errAt(col, ErrStatus)
		}
		rec.Status = n
	case jfBodyBytes, jfWireBytes, jfRequestBytes:
		n, ok := parseInt64(sbytes(s))
		if !ok {
			return errAt(col, ErrNumber)
		}
		switch f {
		case jfBodyBytes:
			rec.BodyBytes = n
		case jfWireBytes:
			rec.WireBytes = n
		default:
			rec.RequestBytes = n
		}
	case jfServerPort:
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 65535 {
			return errAt(col, ErrNumber)
		}
		rec.ServerPort = n
	case jfRange:
		rec.Range = s
	case jfContentRange:
		rec.ContentRange = s
	case jfVHost:
		rec.VHost = s
	case jfReferer:
		rec.Referer = s
	case jfUserAgent:
		rec.UserAgent = s
	case jfDuration:
		d, ok := p.parseDuration(s, isNum)
		if !ok {
			return errAt(col, ErrNumber)
		}
		rec.Duration = d
	}
	return nil
}

func (p *jsonParser) parseDuration(s string, isNum bool) (time.Duration, bool) {
	if !isNum {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			d, err := time.ParseDuration(s)
			return d, err == nil && d >= 0
		}
		// A number in a string, as nginx writes $request_time.
	}
	unit := p.unit
	if p.caddy && !strings.ContainsAny(s, ".eE") {
		// Caddy writes seconds as a float; an integer is duration_format
		// nano, unless it is a whole and small number of seconds.
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 1000 {
			return time.Duration(n), true
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	d := v * float64(unit)
	if d >= float64(maxDuration) {
		return 0, false
	}
	return time.Duration(math.Round(d)), true
}

func (p *jsonParser) parseTime(s string, isNum bool) (time.Time, bool) {
	if isNum || (len(s) > 0 && s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-/:T ")) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return time.Time{}, false
		}
		// Tell seconds, ms, µs and ns apart by magnitude (years 1973-5138).
		var ns float64
		switch {
		case v < 1e11:
			ns = v * 1e9
		case v < 1e14:
			ns = v * 1e6
		case v < 1e17:
			ns = v * 1e3
		default:
			ns = v
		}
		if ns >= math.MaxInt64 {
			return time.Time{}, false
		}
		// Keep the float's precision at the microsecond for seconds.
		sec := math.Floor(ns / 1e9)
		rem := math.Round((ns-sec*1e9)/1e3) * 1e3
		return time.Unix(int64(sec), int64(rem)).UTC(), true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return p.keepZone(t), true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.000Z0700", s); err == nil {
		return p.keepZone(t), true
	}
	if t, ok := parseCLFTime(sbytes(s), &p.zones); ok {
		return t, true
	}
	return time.Time{}, false
}

// keepZone replaces a parsed time's location by a cached fixed zone.
func (p *jsonParser) keepZone(t time.Time) time.Time {
	_, off := t.Zone()
	return t.In(p.zones.zone(off))
}

// jsonDigits returns the index after the run of ASCII digits at b[j:].
func jsonDigits(b []byte, j int) int {
	for j < len(b) && '0' <= b[j] && b[j] <= '9' {
		j++
	}
	return j
}
