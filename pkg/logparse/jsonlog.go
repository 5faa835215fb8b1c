package logparse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
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
// column where decoding failed.
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

	r     bytes.Reader
	zones zoneCache
	path  []byte
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

// errJSONDepth marks a too deeply nested line.
var errJSONDepth = errors.New("too deep")

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
	p.r.Reset(line)
	dec := json.NewDecoder(&p.r)
	dec.UseNumber()
	p.path = p.path[:0]
	if err := p.value(dec, rec, 0); err != nil {
		return p.syntaxErr(dec, line, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errAt(int(dec.InputOffset()), ErrTrailing)
	}
	if p.caddy && !p.hasRequest {
		return ErrSkip
	}
	if p.dropped > 0 {
		rec.addExtra("logparse.dropped", strconv.Itoa(p.dropped))
	}
	return nil
}

func (p *jsonParser) syntaxErr(dec *json.Decoder, line []byte, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return err
	}
	col := int(dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		col = int(se.Offset)
	}
	if col > len(line) {
		col = len(line)
	}
	return errAt(col, ErrSyntax)
}

// value reads one JSON value at the current path.
func (p *jsonParser) value(dec *json.Decoder, rec *Record, depth int) error {
	if depth > MaxJSONDepth {
		return errAt(int(dec.InputOffset()), ErrSyntax)
	}
	col := int(dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			if p.caddy && depth == 1 && string(p.path) == "request" {
				p.hasRequest = true
			}
			n := len(p.path)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := kt.(string)
				p.path = p.path[:n]
				if n > 0 {
					p.path = append(p.path, '.')
				}
				p.path = append(p.path, key...)
				if err := p.value(dec, rec, depth+1); err != nil {
					return err
				}
			}
			p.path = p.path[:n]
			_, err := dec.Token() // '}'
			return err
		case '[':
			var sb strings.Builder
			k := 0
			n := len(p.path)
			for dec.More() {
				et, err := dec.Token()
				if err != nil {
					return err
				}
				if d, ok := et.(json.Delim); ok {
					// A container inside an array: walk it by index.
					p.path = append(p.path[:n], '.')
					p.path = strconv.AppendInt(p.path, int64(k), 10)
					if err := p.container(dec, rec, d, depth+1); err != nil {
						return err
					}
					p.path = p.path[:n]
				} else if s, ok := scalarText(et); ok {
					if sb.Len() > 0 {
						sb.WriteString(", ")
					}
					sb.WriteString(s)
				}
				k++
			}
			if _, err := dec.Token(); err != nil { // ']'
				return err
			}
			if sb.Len() > 0 {
				return p.leaf(rec, sb.String(), false, col)
			}
			return nil
		}
	case nil:
		return nil
	default:
		s, _ := scalarText(t)
		_, isNum := t.(json.Number)
		return p.leaf(rec, s, isNum, col)
	}
	return nil
}

// container walks an object or array whose opening delimiter was read.
func (p *jsonParser) container(dec *json.Decoder, rec *Record, d json.Delim, depth int) error {
	if depth > MaxJSONDepth {
		return errAt(int(dec.InputOffset()), ErrSyntax)
	}
	n := len(p.path)
	k := 0
	for dec.More() {
		if d == '{' {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			p.path = append(append(p.path[:n], '.'), key...)
		} else {
			p.path = strconv.AppendInt(append(p.path[:n], '.'), int64(k), 10)
		}
		if err := p.value(dec, rec, depth+1); err != nil {
			return err
		}
		k++
	}
	p.path = p.path[:n]
	_, err := dec.Token()
	return err
}

func scalarText(t json.Token) (string, bool) {
	switch v := t.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// leaf handles a scalar (or joined array) value at the current path.
func (p *jsonParser) leaf(rec *Record, s string, isNum bool, col int) error {
	tgt, mapped := p.paths[string(p.path)]
	if !mapped {
		p.extra(rec, string(p.path), s)
		return nil
	}
	if s == "" || s == "-" {
		return nil
	}
	f := tgt.field
	if r := p.rank[f]; r >= 0 {
		if r <= tgt.rank {
			p.extra(rec, string(p.path), s) // a better path already set it
			return nil
		}
		p.extra(rec, p.setPath[f], p.setVal[f]) // replaced: keep the old value
	}
	p.rank[f], p.setPath[f], p.setVal[f] = tgt.rank, string(p.path), s
	return p.set(rec, f, s, isNum, col)
}

func (p *jsonParser) extra(rec *Record, name, value string) {
	if len(rec.Extra) >= MaxJSONExtra {
		p.dropped++
		return
	}
	rec.addExtra(name, value)
}

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
		setTarget(rec, []byte(s))
		if rec.Query == "" {
			rec.Query = q
		}
	case jfQuery:
		rec.Query = s
	case jfProtocol:
		rec.Protocol = s
	case jfRequest:
		if !setRequestLine(rec, []byte(s)) {
			return errAt(col, ErrRequestLine)
		}
	case jfStatus:
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 999 || (n > 0 && n < 100) {
			return errAt(col, ErrStatus)
		}
		rec.Status = n
	case jfBodyBytes, jfWireBytes, jfRequestBytes:
		n, ok := parseInt64([]byte(s))
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
	if t, ok := parseCLFTime([]byte(s), &p.zones); ok {
		return t, true
	}
	return time.Time{}, false
}

// keepZone replaces a parsed time's location by a cached fixed zone.
func (p *jsonParser) keepZone(t time.Time) time.Time {
	_, off := t.Zone()
	return t.In(p.zones.zone(off))
}
