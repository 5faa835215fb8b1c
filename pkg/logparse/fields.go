package logparse

import (
	"net/netip"
	"time"

	"github.com/forensiclog/forensics/internal/textutil"
)

// Shared field decoders for the line parsers. They never allocate on the
// common path and never keep the bytes they are given.

// zoneCache hands out one *time.Location per zone offset, so that
// timestamps keep their logged offset without allocating per line.
type zoneCache struct {
	last    int
	lastLoc *time.Location
	zones   map[int]*time.Location
}

// zone returns a fixed zone for an offset in seconds east of UTC.
func (z *zoneCache) zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if z.lastLoc != nil && z.last == offset {
		return z.lastLoc
	}
	loc, ok := z.zones[offset]
	if !ok {
		if z.zones == nil {
			z.zones = make(map[int]*time.Location)
		}
		loc = time.FixedZone(formatOffset(offset), offset)
		z.zones[offset] = loc
	}
	z.last, z.lastLoc = offset, loc
	return loc
}

func formatOffset(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off%3600/60
	return string([]byte{sign, byte('0' + h/10), byte('0' + h%10), byte('0' + m/10), byte('0' + m%10)})
}

var monthIndex = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// parseMonth returns 1..12 for a three-letter English month name.
func parseMonth(b []byte) int {
	if len(b) != 3 {
		return 0
	}
	for i, m := range monthIndex {
		if b[0] == m[0] && b[1] == m[1] && b[2] == m[2] {
			return i + 1
		}
	}
	return 0
}

// digits parses a fixed-width unsigned decimal.
func digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseCLFTime parses the Common Log Format time "10/Oct/2000:13:55:36 -0700"
// (without brackets), also with a fraction after the seconds
// ("10/Oct/2000:13:55:36.123 -0700"), keeping the offset.
func parseCLFTime(b []byte, z *zoneCache) (time.Time, bool) {
	if len(b) < 26 {
		return time.Time{}, false
	}
	year, mon, day, hh, mm, ss, ok := parseDMYClock(b)
	if !ok {
		return time.Time{}, false
	}
	rest := b[20:]
	nsec := 0
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		i := 1
		scale := 100000000
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		rest = rest[i:]
	}
	if len(rest) != 6 || rest[0] != ' ' {
		return time.Time{}, false
	}
	off, ok := parseOffset(rest[1:])
	if !ok {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, z.zone(off)), true
}

// parseDMYClock parses the date and clock "10/Oct/2000:13:55:36" at the
// start of b, as the Common Log Format and HAProxy write them, and checks
// that they name a real day and time (a leap second allowed).
func parseDMYClock(b []byte) (year, mon, day, hh, mm, ss int, ok bool) {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' {
		return
	}
	day, ok1 := digits(b[0:2])
	mon = parseMonth(b[3:6])
	year, ok2 := digits(b[7:11])
	hh, ok3 := digits(b[12:14])
	mm, ok4 := digits(b[15:17])
	ss, ok5 := digits(b[18:20])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || mon == 0 || !validClock(day, hh, mm, ss) || day > textutil.DaysIn(year, mon) {
		return 0, 0, 0, 0, 0, 0, false
	}
	return year, mon, day, hh, mm, ss, true
}

func validClock(day, hh, mm, ss int) bool {
	return day >= 1 && day <= 31 && hh <= 23 && mm <= 59 && ss <= 60
}

// parseOffset parses "+0200" or "-0700" into seconds east of UTC.
func parseOffset(b []byte) (int, bool) {
	if len(b) != 5 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	h, ok1 := digits(b[1:3])
	m, ok2 := digits(b[3:5])
	if !ok1 || !ok2 || h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// parseInt64 parses a non-negative decimal count. "-" is not a number here:
// callers decide what "-" means for their field.
func parseInt64(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseStatus parses a three-digit HTTP status.
func parseStatus(b []byte) (int, bool) {
	if len(b) != 3 {
		return 0, false
	}
	n, ok := digits(b)
	return n, ok && n >= 100
}

// parseAddr parses a client address. Host names are not addresses; the
// caller keeps them in ClientHost.
func parseAddr(b []byte) (netip.Addr, bool) {
	// netip.ParseAddr does not allocate for valid input.
	a, err := netip.ParseAddr(bstr(b))
	if err != nil {
		return parseHostAddr(bstr(b))
	}
	return a.Unmap(), true
}

// setClient sets rec.Client from a logged client field, or ClientHost when
// it is a host name. "-" leaves both empty.
func setClient(rec *Record, b []byte) {
	if len(b) == 0 || (len(b) == 1 && b[0] == '-') {
		return
	}
	if a, ok := parseAddr(b); ok {
		rec.Client = a
		return
	}
	rec.ClientHost = bstr(b)
}

// dash returns "" for "-" and s otherwise.
func dash(b []byte) string {
	if len(b) == 1 && b[0] == '-' {
		return ""
	}
	return bstr(b)
}

// setRequestLine splits a request line "GET /a?b HTTP/1.1" into the
// record. It accepts HTTP/0.9 lines without a protocol ("GET /a"). It
// returns false for a line that has no method and target; the record then
// keeps only what could be split.
func setRequestLine(rec *Record, b []byte) bool {
	if len(b) == 0 || (len(b) == 1 && b[0] == '-') {
		return true // no request line logged (408, 400): not an error
	}
	sp := indexByte(b, ' ')
	if sp <= 0 {
		return false
	}
	rec.Method = bstr(b[:sp])
	rest := b[sp+1:]
	target := rest
	if j := lastIndexByte(rest, ' '); j >= 0 && isProtocol(rest[j+1:]) {
		target = rest[:j]
		rec.Protocol = bstr(rest[j+1:])
	}
	if len(target) == 0 {
		return false
	}
	setTarget(rec, target)
	return true
}

func isProtocol(b []byte) bool {
	return len(b) >= 5 && (string(b[:5]) == "HTTP/" || string(b[:5]) == "HTTPS")
}

// setTarget sets Target, Path (percent-decoded) and Query from a raw
// request target. An absolute-form target ("http://host/p") keeps its path.
func setTarget(rec *Record, target []byte) {
	rec.Target = bstr(target)
	path := target
	if q := indexByte(target, '?'); q >= 0 {
		path = target[:q]
		rec.Query = bstr(target[q+1:])
	}
	if len(path) > 7 && (hasPrefixFold(path, "http://") || hasPrefixFold(path, "https://")) {
		rest := path[indexByte(path, ':')+3:]
		if s := indexByte(rest, '/'); s >= 0 {
			path = rest[s:]
		} else {
			path = []byte("/")
		}
	}
	rec.Path = decodePercent(rec, path)
}

// decodePercent returns b with %XX escapes decoded. Without escapes it
// aliases b; otherwise the result lives in the record's scratch space.
// Malformed escapes are kept as they are.
func decodePercent(rec *Record, b []byte) string {
	i := indexByte(b, '%')
	if i < 0 {
		return bstr(b)
	}
	start := len(rec.scratch)
	rec.scratch = append(rec.scratch, b[:i]...)
	for ; i < len(b); i++ {
		c := b[i]
		if c == '%' {
			if v, ok := hexByte(b, i+1); ok {
				rec.scratch = append(rec.scratch, v)
				i += 2
				continue
			}
		}
		rec.scratch = append(rec.scratch, c)
	}
	end := len(rec.scratch)
	return bstr(rec.scratch[start:end:end])
}
