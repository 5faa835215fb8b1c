package exposure

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/textutil"
)

// Values of index cells: times, durations, subject lists.

// indexTime is a parsed started_at: Unix seconds and nanoseconds and how
// its zone is kept (0 for UTC, recZoneLoc, recZoneFixed with offset).
type indexTime struct {
	sec, nsec int64
	zone      int
	offset    int
	ok        bool
}

// time returns the time in its zone.
func (t indexTime) time(loc *time.Location) time.Time {
	u := time.Unix(t.sec, t.nsec)
	switch t.zone {
	case recZoneLoc:
		return u.In(loc)
	case recZoneFixed:
		return u.In(time.FixedZone("", t.offset))
	}
	return u.UTC()
}

// timeOf keeps a typed time.
func timeOf(t time.Time, loc *time.Location) indexTime {
	it := indexTime{sec: t.Unix(), nsec: int64(t.Nanosecond()), ok: true}
	switch _, off := t.Zone(); {
	case t.Location() == time.UTC:
	case t.Location() == loc:
		it.zone = recZoneLoc
	default:
		it.zone, it.offset = recZoneFixed, off
	}
	return it
}

// parseIndexTime parses an RFC 3339 time, or a local "2006-01-02
// 15:04:05" (a 'T' instead of the space and fractional seconds allowed)
// in loc. The common forms are read by hand; the rest by the time
// package, which decides.
func parseIndexTime(s string, loc *time.Location) (indexTime, bool) {
	if t, ok := parseIndexTimeFast(s, loc); ok {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return timeOf(t, loc), true
	}
	for _, layout := range [...]string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return timeOf(t, loc), true
		}
	}
	return indexTime{}, false
}

// parseIndexTimeFast reads YYYY-MM-DD[T ]hh:mm:ss[.f{1,9}][Z|±hh:mm]
// (an offset only after 'T'); false leaves the string to the time
// package.
func parseIndexTimeFast(s string, loc *time.Location) (indexTime, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' || s[10] != 'T' && s[10] != ' ' {
		return indexTime{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > textutil.DaysIn(year, month) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return indexTime{}, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		k := 1
		for k < len(rest) && '0' <= rest[k] && rest[k] <= '9' {
			k++
		}
		if k == 1 || k > 10 {
			return indexTime{}, false
		}
		nsec = num(20, k-1)
		for range 10 - k {
			nsec *= 10
		}
		rest = rest[k:]
	}
	t := indexTime{nsec: int64(nsec), ok: true}
	utc := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Unix()
	switch {
	case rest == "":
		if loc != time.UTC {
			return timeOf(time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), loc), true
		}
		t.sec = utc
		return t, true
	case s[10] != 'T':
		return indexTime{}, false
	case rest == "Z":
		t.sec = utc
		return t, true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, om := num(len(s)-5, 2), num(len(s)-2, 2)
		if oh < 0 || oh > 23 || om < 0 || om > 59 {
			return indexTime{}, false
		}
		off := oh*3600 + om*60
		if rest[0] == '-' {
			off = -off
		}
		t.sec, t.zone, t.offset = utc-int64(off), recZoneFixed, off
		return t, true
	}
	return indexTime{}, false
}

// parseIndexDuration parses decimal seconds ("93", "93.5") or [h:]mm:ss.
func parseIndexDuration(s string) (time.Duration, bool) {
	if n, ok := smallUint(s); ok {
		return time.Duration(n) * time.Second, true
	}
	if strings.IndexByte(s, ':') >= 0 {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, false
		}
		var total int64
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 10, 32)
			if err != nil || p == "" || i > 0 && n >= 60 {
				return 0, false
			}
			total = total*60 + int64(n)
		}
		return time.Duration(total) * time.Second, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) || f > float64(math.MaxInt64)/float64(time.Second) {
		return 0, false
	}
	return time.Duration(math.Round(f * float64(time.Second))), true
}

// smallUint parses 1 to 9 decimal digits.
func smallUint(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseSubjects parses "caller:19800101-1234;patient:20150505-1234".
// Items are separated by ';', '|' or ','; an item's role is the part
// before its first ':' when that part is a word (letters, digits, '_',
// '-', ' ', not all digits); otherwise the whole item is the identifier
// and the role is "". Empty items are skipped. The result is appended
// to dst; it is not nil.
func parseSubjects(s string, dst []IndexSubject) []IndexSubject {
	for len(s) > 0 {
		end := strings.IndexAny(s, ";|,")
		item := s
		if end >= 0 {
			item, s = s[:end], s[end+1:]
		} else {
			s = ""
		}
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		role, id := "", item
		if r, rest, ok := strings.Cut(item, ":"); ok && isRoleWord(strings.TrimSpace(r)) {
			role, id = strings.TrimSpace(r), strings.TrimSpace(rest)
		}
		if id == "" {
			continue
		}
		dst = append(dst, IndexSubject{Role: role, ID: id})
	}
	if dst == nil {
		dst = []IndexSubject{}
	}
	return dst
}

// isRoleWord reports whether s can be a role name.
func isRoleWord(s string) bool {
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c >= 0x80:
			letter = true
		case '0' <= c && c <= '9', c == '_', c == '-', c == ' ':
		default:
			return false
		}
	}
	return letter
}
