package bench

// Calendar arithmetic without time.Time on the hot path: days since
// 1970-01-01 to a civil date and back (Howard Hinnant's algorithms), and
// Swedish local time (CET, CEST from the last Sunday of March to the last
// Sunday of October, 01:00 UTC both), as the server's Apache wrote it.

func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// lastSunday returns the day number of the last Sunday of month m in y.
func lastSunday(y, m int) int64 {
	next := daysFromCivil(y, m+1, 1)
	if m == 12 {
		next = daysFromCivil(y+1, 1, 1)
	}
	last := next - 1
	wd := (last + 4) % 7 // 1970-01-01 was a Thursday (4); Sunday is 0
	return last - wd
}

// dst holds the CEST periods of 1970..2099 as unix seconds.
var dst = func() (t [130][2]int64) {
	for i := range t {
		y := 1970 + i
		t[i] = [2]int64{lastSunday(y, 3)*86400 + 3600, lastSunday(y, 10)*86400 + 3600}
	}
	return t
}()

// offset returns the Swedish UTC offset in seconds at unix time u.
func offset(u int64) int64 {
	y := int(u/31556952) + 1970 // the year, or the one before or after
	for _, yy := range [...]int{y - 1, y, y + 1} {
		if yy >= 1970 && yy < 2100 && u >= dst[yy-1970][0] && u < dst[yy-1970][1] {
			return 7200
		}
	}
	return 3600
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

var monthAbbr = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// clf appends Apache's %t ("[10/Oct/2000:13:55:36 -0700]") for unix time u
// in Swedish local time.
type clf struct {
	day    int64 // local day of the cached prefix, -1 when none
	off    int64
	prefix []byte // "[dd/Mon/yyyy:"
}

func (c *clf) append(b []byte, u int64) []byte {
	off := offset(u)
	local := u + off
	day := floorDiv(local, 86400)
	if day != c.day || off != c.off || c.prefix == nil {
		y, m, d := civilFromDays(day)
		c.prefix = append(c.prefix[:0], '[')
		c.prefix = append2(c.prefix, d)
		c.prefix = append(c.prefix, '/')
		c.prefix = append(c.prefix, monthAbbr[m-1]...)
		c.prefix = append(c.prefix, '/')
		c.prefix = append4(c.prefix, y)
		c.prefix = append(c.prefix, ':')
		c.day, c.off = day, off
	}
	s := int(local - day*86400)
	b = append(b, c.prefix...)
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	b = append2(b, s%60)
	if off == 7200 {
		return append(b, " +0200]"...)
	}
	return append(b, " +0100]"...)
}

// appendRFC3339 appends u as 2016-01-07T01:52:38+01:00 in Swedish time.
func appendRFC3339(b []byte, u int64) []byte {
	off := offset(u)
	local := u + off
	day := floorDiv(local, 86400)
	y, m, d := civilFromDays(day)
	s := int(local - day*86400)
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	b = append2(b, s%60)
	if off == 7200 {
		return append(b, "+02:00"...)
	}
	return append(b, "+01:00"...)
}
