package logparse

import (
	"bytes"
	"strconv"
	"time"
)

// CloudFrontFormat is the Amazon CloudFront standard (access) log: one
// request per line, values separated by single tabs, "-" for empty, times
// in UTC. Its name is "cloudfront".
//
// The parser follows the file's own "#Fields:" directive when there is
// one, and then rejects a line with a different number of values with
// ErrFieldCount (a trailing tab, an empty last value, is tolerated).
// Without a "#Fields:" line it uses the 33 fields that AWS documents, in
// their documented order; since AWS only ever appended fields, a line with
// fewer values is read as a prefix of that list, and values beyond it are
// kept in Extra as "field34", "field35" and so on. "#Version:" and other
// directives are skipped. The real-time log's names (timestamp,
// cs-user-agent, cs-referer, ...) are understood when a #Fields line
// names them.
//
// Fields map to Record fields as follows; all others are kept in Extra by
// name (x-edge-location, x-edge-request-id, cs(Host), cs-protocol, ...):
//
//	date, time                Time (UTC); or timestamp (Unix seconds)
//	c-ip                      Client
//	cs-method                 Method
//	cs-uri-stem               Target and Path (percent-decoded)
//	cs-uri-query              Query, appended to Target after "?"
//	cs-protocol-version       Protocol
//	sc-status                 Status; "000" (the viewer closed the
//	                          connection before the response) is Status 0
//	                          with Completion aborted
//	sc-bytes                  WireBytes (CloudFront counts the headers)
//	cs-bytes                  RequestBytes
//	time-taken                Duration (seconds with a fraction)
//	x-host-header             VHost
//	cs(User-Agent), cs(Referer)  UserAgent, Referer, percent-decoded
//	                          (twice when CloudFront encoded them twice)
//	x-forwarded-for           ForwardedFor
//	sc-range-start, sc-range-end  ContentRange as "bytes start-end/*"
type CloudFrontFormat struct{}

// Name returns "cloudfront".
func (CloudFrontFormat) Name() string { return "cloudfront" }

// NewParser returns a parser for one CloudFront input.
func (CloudFrontFormat) NewParser() Parser {
	p := &cloudFrontParser{}
	p.setFields(cloudFrontDefaultFields)
	p.declared = false
	return p
}

func init() {
	register("cloudfront", func() Format { return CloudFrontFormat{} })
}

// cloudFrontDefaultFields are the fields of a standard log, in order, as
// AWS documents them.
var cloudFrontDefaultFields = []string{
	"date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method",
	"cs(Host)", "cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)",
	"cs-uri-query", "cs(Cookie)", "x-edge-result-type", "x-edge-request-id",
	"x-host-header", "cs-protocol", "cs-bytes", "time-taken",
	"x-forwarded-for", "ssl-protocol", "ssl-cipher",
	"x-edge-response-result-type", "cs-protocol-version", "fle-status",
	"fle-encrypted-fields", "c-port", "time-to-first-byte",
	"x-edge-detailed-result-type", "sc-content-type", "sc-content-len",
	"sc-range-start", "sc-range-end",
}

type cfKind uint8

const (
	cfExtra cfKind = iota
	cfDate
	cfTime
	cfTimestamp
	cfClientIP
	cfMethod
	cfURIStem
	cfURIQuery
	cfProtocol
	cfStatus
	cfWireBytes
	cfRequestBytes
	cfTimeTaken
	cfVHost
	cfUserAgent
	cfReferer
	cfForwardedFor
	cfRangeStart
	cfRangeEnd
)

var cfKinds = map[string]cfKind{
	"date":                cfDate,
	"time":                cfTime,
	"timestamp":           cfTimestamp,
	"c-ip":                cfClientIP,
	"cs-method":           cfMethod,
	"cs-uri-stem":         cfURIStem,
	"cs-uri-query":        cfURIQuery,
	"cs-protocol-version": cfProtocol,
	"sc-status":           cfStatus,
	"sc-bytes":            cfWireBytes,
	"cs-bytes":            cfRequestBytes,
	"time-taken":          cfTimeTaken,
	"x-host-header":       cfVHost,
	"cs(user-agent)":      cfUserAgent,
	"cs-user-agent":       cfUserAgent,
	"c-user-agent":        cfUserAgent,
	"cs(referer)":         cfReferer,
	"cs-referer":          cfReferer,
	"c-referrer":          cfReferer,
	"x-forwarded-for":     cfForwardedFor,
	"sc-range-start":      cfRangeStart,
	"sc-range-end":        cfRangeEnd,
}

type cloudFrontParser struct {
	names    []string
	kinds    []cfKind
	declared bool // fields come from a #Fields line
	extra    []string
	spans    [][2]int
}

func (p *cloudFrontParser) setFields(names []string) {
	p.names = append(p.names[:0], names...)
	p.kinds = p.kinds[:0]
	for _, n := range names {
		p.kinds = append(p.kinds, cfKinds[lowerASCII(n)])
	}
	p.declared = true
}

// extraName returns the Extra name of value i beyond the default fields.
func (p *cloudFrontParser) extraName(i int) string {
	for len(p.extra) <= i-len(p.names) {
		p.extra = append(p.extra, "field"+strconv.Itoa(len(p.names)+len(p.extra)+1))
	}
	return p.extra[i-len(p.names)]
}

func (p *cloudFrontParser) Parse(line []byte, rec *Record) error {
	if isBlank(line) {
		return ErrSkip
	}
	if line[0] == '#' {
		name, rest := cutDirective(line)
		if equalFold(name, "#Fields:") {
			var names []string
			for _, f := range bytes.Fields(rest) {
				names = append(names, string(f))
			}
			if len(names) > 0 {
				p.setFields(names)
			}
		}
		return ErrSkip
	}
	spans := p.spans[:0]
	start := 0
	for i := 0; i <= len(line); i++ {
		if i == len(line) || line[i] == '\t' {
			spans = append(spans, [2]int{start, i})
			start = i + 1
		}
	}
	p.spans = spans
	if p.declared {
		// A trailing tab leaves an empty last value: tolerate it.
		for len(spans) > len(p.names) && spans[len(spans)-1][0] == spans[len(spans)-1][1] {
			spans = spans[:len(spans)-1]
		}
		if len(spans) != len(p.names) {
			if len(spans) > len(p.names) {
				return errAt(spans[len(p.names)][0], ErrFieldCount)
			}
			return errAt(len(line), ErrFieldCount)
		}
	}

	var (
		date, clock          []byte
		dateCol, clockCol    int
		stem, query          []byte
		rangeStart, rangeEnd []byte
	)
	for i, sp := range spans {
		v := line[sp[0]:sp[1]]
		if len(v) == 1 && v[0] == '-' {
			v = nil
		}
		if i >= len(p.names) {
			if len(v) > 0 {
				rec.addExtra(p.extraName(i), bstr(v))
			}
			continue
		}
		switch p.kinds[i] {
		case cfDate:
			date, dateCol = v, sp[0]
		case cfTime:
			clock, clockCol = v, sp[0]
		case cfTimestamp:
			if len(v) > 0 {
				t, ok := parseUnixSeconds(v)
				if !ok {
					return errAt(sp[0], ErrTimestamp)
				}
				rec.Time = t
			}
		case cfClientIP:
			if len(v) > 0 {
				a, ok := parseAddr(v)
				if !ok {
					return errAt(sp[0], ErrAddress)
				}
				rec.Client = a
			}
		case cfMethod:
			rec.Method = bstr(v)
		case cfURIStem:
			stem = v
		case cfURIQuery:
			query = v
		case cfProtocol:
			rec.Protocol = bstr(v)
		case cfStatus:
			switch {
			case len(v) == 0:
			case string(v) == "000":
				rec.Completion = CompletionAborted
			default:
				n, ok := parseStatus(v)
				if !ok {
					return errAt(sp[0], ErrStatus)
				}
				rec.Status = n
			}
		case cfWireBytes, cfRequestBytes:
			if len(v) == 0 {
				continue
			}
			n, ok := parseInt64(v)
			if !ok {
				return errAt(sp[0], ErrNumber)
			}
			if p.kinds[i] == cfWireBytes {
				rec.WireBytes = n
			} else {
				rec.RequestBytes = n
			}
		case cfTimeTaken:
			if len(v) > 0 {
				d, ok := parseSeconds(v)
				if !ok {
					return errAt(sp[0], ErrNumber)
				}
				rec.Duration = d
			}
		case cfVHost:
			rec.VHost = bstr(v)
		case cfUserAgent:
			rec.UserAgent = decodeTwice(rec, v)
		case cfReferer:
			rec.Referer = decodeTwice(rec, v)
		case cfForwardedFor:
			rec.ForwardedFor = bstr(v)
		case cfRangeStart:
			rangeStart = v
		case cfRangeEnd:
			rangeEnd = v
		default:
			if len(v) > 0 {
				rec.addExtra(p.names[i], bstr(v))
			}
		}
	}
	setStemQuery(rec, stem, query)
	if len(rangeStart) > 0 && len(rangeEnd) > 0 {
		start := len(rec.scratch)
		rec.scratch = append(rec.scratch, "bytes "...)
		rec.scratch = append(rec.scratch, rangeStart...)
		rec.scratch = append(rec.scratch, '-')
		rec.scratch = append(rec.scratch, rangeEnd...)
		rec.scratch = append(rec.scratch, "/*"...)
		end := len(rec.scratch)
		rec.ContentRange = bstr(rec.scratch[start:end:end])
	}
	if len(date) > 0 || len(clock) > 0 {
		y, m, d, ok := parseISODate(date)
		if !ok {
			return errAt(dateCol, ErrTimestamp)
		}
		secs, nsec, ok := parseClock(clock)
		if !ok {
			return errAt(clockCol, ErrTimestamp)
		}
		rec.Time = time.Date(y, time.Month(m), d, 0, 0, secs, nsec, time.UTC)
	}
	return nil
}

// setStemQuery sets Target, Path and Query from a W3C cs-uri-stem and
// cs-uri-query. A stem that already holds a query (CloudFront real-time
// logs) is used as the target as it is.
func setStemQuery(rec *Record, stem, query []byte) {
	if len(stem) > 0 {
		if bytes.IndexByte(stem, '?') >= 0 {
			setTarget(rec, stem)
		} else {
			target := stem
			if len(query) > 0 {
				target = rec.concat(stem, "?", query)
			}
			rec.Target = bstr(target)
			rec.Path = decodePercent(rec, stem)
		}
	}
	if len(query) > 0 {
		rec.Query = bstr(query)
	}
}

// concat appends a, b and c to the record's scratch space and returns the
// result.
func (r *Record) concat(a []byte, b string, c []byte) []byte {
	start := len(r.scratch)
	r.scratch = append(r.scratch, a...)
	r.scratch = append(r.scratch, b...)
	r.scratch = append(r.scratch, c...)
	end := len(r.scratch)
	return r.scratch[start:end:end]
}

// decodeTwice percent-decodes v, and decodes the result again when v held
// an encoded percent sign followed by two hex digits ("%2520"): CloudFront
// encodes some header values twice.
func decodeTwice(rec *Record, v []byte) string {
	s := decodePercent(rec, v)
	if i := bytes.Index(v, []byte("%25")); i >= 0 && i+4 < len(v) {
		if _, ok := hexByte(v, i+3); ok {
			s = decodePercent(rec, []byte(s))
		}
	}
	return s
}

// parseSeconds parses a non-negative decimal number of seconds such as
// "0.001" or "12".
func parseSeconds(b []byte) (time.Duration, bool) {
	intPart, frac := b, []byte(nil)
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		intPart, frac = b[:i], b[i+1:]
	}
	if len(intPart) == 0 || len(intPart) > 10 {
		return 0, false
	}
	secs, ok := parseInt64(intPart)
	if !ok || secs > 9_000_000_000 {
		return 0, false
	}
	var ns int64
	scale := int64(100000000)
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		ns += int64(c-'0') * scale
		scale /= 10
	}
	if len(frac) == 0 && bytes.IndexByte(b, '.') >= 0 {
		return 0, false
	}
	return time.Duration(secs)*time.Second + time.Duration(ns), true
}

// parseUnixSeconds parses Unix time in seconds with an optional fraction
// ("1607374321.541") as a UTC time.
func parseUnixSeconds(b []byte) (time.Time, bool) {
	intPart := b
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		intPart = b[:i]
	}
	if len(intPart) == 0 {
		return time.Time{}, false
	}
	d, ok := parseSeconds(b)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(d/time.Second), int64(d%time.Second)).UTC(), true
}
