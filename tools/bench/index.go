package bench

import (
	"math"
	"strconv"
)

// The three regions whose night-time calls were on the server, with the
// call-id prefix and the area code of their landlines.
var regions = [3]struct {
	name, prefix, area string
	share              int // per mille of the calls
}{
	{"Stockholm", "STO", "8", 550},
	{"Sormland", "SRM", "16", 230},
	{"Varmland", "VRM", "54", 220},
}

// recording is row i of the index. Rows go day by day through the period
// (a listing of the server's folders), times within a day unsorted.
type recording struct {
	i      int
	region int
	day    int64 // local date of the call's start, days since 1970-01-01
	start  int64 // unix seconds
	dur    int64 // seconds
	wav    bool
	size   int64
}

func (r *recording) available() int64 { return r.start + r.dur }

func (g *gen) recording(i int) recording {
	r := newRNG(g.cfg.Seed, streamRecording, uint64(i))
	rec := recording{i: i, day: recFrom + int64(i)*g.days/int64(g.cfg.Recordings)}
	x := r.intn(1000)
	for x >= regions[rec.region].share {
		x -= regions[rec.region].share
		rec.region++
	}
	// Night-time advice: most calls between 17:00 and 08:00.
	var sec int64
	if r.per(750) {
		sec = (17*3600 + int64(r.intn(15*3600))) % 86400
	} else {
		sec = 8*3600 + int64(r.intn(9*3600))
	}
	local := rec.day*86400 + sec
	rec.start = local - offset(local-3600)
	// About 170,000 hours over 2.7 M calls: a mean near 227 s.
	rec.dur = 30 + int64(-197*math.Log(1-r.float()))
	rec.dur = min(rec.dur, 3600)
	rec.wav = r.per(150)
	if rec.wav {
		rec.size = rec.dur*16000 + 44 // 16 kHz 8-bit mono PCM
	} else {
		rec.size = rec.dur*4000 + 417 + int64(r.intn(4000)) // 32 kbit/s MP3
	}
	return rec
}

// firstOfDay returns the first recording of day d (days since 1970).
func (g *gen) firstOfDay(d int64) int {
	n, days := int64(g.cfg.Recordings), g.days
	off := d - recFrom
	if off <= 0 {
		return 0
	}
	if off >= days {
		return g.cfg.Recordings
	}
	return int((off*n + days - 1) / days)
}

// appendFolder appends the recording's folder down to level: 0 is
// /recordings/, 1 the region, 2 the year, 3 the month, 4 the day.
func appendFolder(b []byte, region int, day int64, level int) []byte {
	b = append(b, "/recordings/"...)
	if level == 0 {
		return b
	}
	b = append(b, regions[region].name...)
	b = append(b, '/')
	y, m, d := civilFromDays(day)
	if level >= 2 {
		b = append4(b, y)
		b = append(b, '/')
	}
	if level >= 3 {
		b = append2(b, m)
		b = append(b, '/')
	}
	if level >= 4 {
		b = append2(b, d)
		b = append(b, '/')
	}
	return b
}

// appendName appends the file name: call id, the caller's number in
// national form, extension, as STO1000042_0701234567.mp3.
func (g *gen) appendName(b []byte, rec *recording, caller *person) []byte {
	b = append(b, regions[rec.region].prefix...)
	b = strconv.AppendInt(b, int64(1_000_000+rec.i), 10)
	b = append(b, '_', '0')
	b = append(b, caller.phone[:caller.phoneLen]...)
	if rec.wav {
		return append(b, ".wav"...)
	}
	return append(b, ".mp3"...)
}

// appendPath appends the recording's full path.
func (g *gen) appendPath(b []byte, i int) []byte {
	rec := g.recording(i)
	caller := g.person(g.resolve(i, roleCaller))
	b = appendFolder(b, rec.region, rec.day, 4)
	return g.appendName(b, &rec, &caller)
}

const indexHeader = "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n"

// appendIndexRow appends row i of index.csv and records its subjects.
func (g *gen) appendIndexRow(b []byte, i int, st *chunkStats) []byte {
	rec := g.recording(i)
	sh := g.shape(i)
	var pids, roles [3]int
	n := 0
	for role := range 3 {
		if !sh.has(role) {
			continue
		}
		pid := g.resolve(i, role)
		dup := false
		for _, p := range pids[:n] {
			dup = dup || p == pid
		}
		if !dup {
			pids[n], roles[n] = pid, role
			n++
		}
	}
	caller := g.person(pids[0])
	b = appendFolder(b, rec.region, rec.day, 4)
	b = g.appendName(b, &rec, &caller)
	b = append(b, ',')
	b = append(b, regions[rec.region].prefix...)
	b = strconv.AppendInt(b, int64(1_000_000+i), 10)
	b = append(b, ',')
	b = appendRFC3339(b, rec.start)
	b = append(b, ',')
	b = strconv.AppendInt(b, rec.dur, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, rec.size, 10)
	b = append(b, ',')
	b = append(b, regions[rec.region].name...)
	b = append(b, ',')
	b = caller.appendPhone(b, sh.phoneForm)
	b = append(b, ',')
	cy, cm, cd := civilFromDays(rec.day)
	for k, pid := range pids[:n] {
		p := caller
		if k > 0 {
			b = append(b, ';')
			p = g.person(pid)
		}
		b = append(b, roleNames[roles[k]]...)
		b = append(b, ':')
		b = p.appendID(b, sh.idForm[k])
		st.subjects++
		g.stats.persons.set(p.key())
		if p.childAt(cy, cm, cd) {
			g.stats.children.set(p.key())
		}
	}
	return append(b, '\n')
}
