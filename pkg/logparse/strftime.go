package logparse

import (
	"bytes"
	"time"

	"github.com/forensiclog/forensics/internal/textutil"
)

// The strftime engine of %{format}t: compiling a time format and reading
// a time written with it.

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
	if mon < 1 || mon > 12 || day < 1 || day > textutil.DaysIn(year, mon) || hour > 23 || tp.min > 59 || tp.sec > 60 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon), day, hour, tp.min, tp.sec, tp.nsec, loc), true
}

var (
	apMonthFull   = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	apWeekdayFull = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// An apNumConv is a strftime conversion that is a number: its width in
// digits (-1: two characters, the first maybe a space), the apTp* part it
// sets (0: read and ignored, as %U) and the factor applied to it.
type apNumConv struct {
	width int8
	set   uint16
	scale int
}

// apNumConvs are the numeric conversions, by conversion byte.
var apNumConvs = [256]apNumConv{
	'Y': {4, apTpYear, 1},
	'm': {2, apTpMon, 1},
	'd': {2, apTpDay, 1},
	'e': {-1, apTpDay, 1},
	'H': {2, apTpHour, 1},
	'k': {-1, apTpHour, 1},
	'I': {2, apTpHour12, 1},
	'l': {-1, apTpHour12, 1},
	'M': {2, apTpMin, 1},
	'S': {2, apTpSec, 1},
	'j': {3, apTpYday, 1},
	'C': {2, 0, 1}, 'g': {2, 0, 1}, 'U': {2, 0, 1}, 'V': {2, 0, 1}, 'W': {2, 0, 1},
	'G': {4, 0, 1},
	'u': {1, 0, 1}, 'w': {1, 0, 1},
	apTcMsecFrac: {3, apTpNsec, 1e6},
	apTcUsecFrac: {6, apTpNsec, 1e3},
}

// setNum sets the part that bit names to n; bit 0 sets nothing.
func (tp *apTimeParts) setNum(bit uint16, n int) {
	switch bit {
	case 0:
		return
	case apTpYear:
		tp.year = n
	case apTpMon:
		tp.mon = n
	case apTpDay:
		tp.day = n
	case apTpYday:
		tp.yday = n
	case apTpHour, apTpHour12:
		tp.hour = n
	case apTpMin:
		tp.min = n
	case apTpSec:
		tp.sec = n
	case apTpNsec:
		tp.nsec = n
	}
	tp.set |= bit
}

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
		if c := apNumConvs[pt.conv]; c.width != 0 {
			if c.width < 0 {
				n, pos, ok = apPaddedDigits(line, pos)
			} else {
				n, pos, ok = apFixedDigits(line, pos, int(c.width))
			}
			if !ok {
				return 0, false
			}
			tp.setNum(c.set, n*c.scale)
			continue
		}
		switch pt.conv {
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
