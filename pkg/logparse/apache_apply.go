package logparse

import (
	"bytes"
	"strings"
	"time"
)

// Filling the record: decoding the matched values of a line into a
// Record (times, request line, counts, unescaping).

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
				if v, ok := hexByte(b, i+2); ok {
					c = v
					i += 3
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
