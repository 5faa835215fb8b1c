package demogen

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A logFile is one log file of the demo, and what its lines hold by
// construction.
type logFile struct {
	Name        string   `json:"file"`
	Format      string   `json:"format"`
	Lines       int      `json:"lines"`        // newline-terminated lines
	Records     int      `json:"records"`      // lines that parse as requests
	Skipped     int      `json:"skipped"`      // W3C directives
	Rejected    int      `json:"rejected"`     // damaged lines
	NULPrefixed int      `json:"nul_prefixed"` // lines after a run of NUL bytes, still parsed
	First       string   `json:"first"`        // time of the first request logged
	Last        string   `json:"last"`         // time of the last request logged
	Damaged     []Damage `json:"damaged,omitempty"`

	src      int
	from, to time.Time // the events whose logged time falls here
	gz       bool
	buf      bytes.Buffer
}

// A Damage is a deliberately damaged line.
type Damage struct {
	Line int    `json:"line"`
	Kind string `json:"kind"` // nul-prefix (parsed), cut (rejected), nul-inside (rejected)
}

var damageKinds = map[brokenLine]string{lineNULPrefix: "nul-prefix", lineCut: "cut", lineNULInside: "nul-inside"}

// The log files, in the order ExpandInputs reads them (oldest first).
func logFiles() []*logFile {
	nov12 := time.Date(2018, 11, 12, 0, 0, 0, 0, stockholm)
	feb4 := time.Date(2019, 2, 4, 0, 0, 0, 0, stockholm)
	utcMonth := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	return []*logFile{
		{Name: "logs/nginx/access.log.3.gz", Format: "nginx_range", src: srcNginx, from: coverA.start, to: nov12, gz: true},
		{Name: "logs/nginx/access.log.2.gz", Format: "nginx_range", src: srcNginx, from: nov12, to: coverA.end, gz: true},
		{Name: "logs/nginx/access.log.1", Format: "nginx_range", src: srcNginx, from: coverB.start, to: feb4},
		{Name: "logs/nginx/access.log", Format: "nginx_range", src: srcNginx, from: feb4, to: offline},
		{Name: "logs/apache/nas_access.log.1", Format: "combined_debian", src: srcApache, from: coverA.start, to: coverA.end},
		{Name: "logs/apache/nas_access.log", Format: "combined_debian", src: srcApache, from: coverB.start, to: offline},
		{Name: "logs/iis/u_ex1810.log", Format: "w3c", src: srcIIS, from: coverA.start, to: utcMonth(2018, 11)},
		{Name: "logs/iis/u_ex1811.log", Format: "w3c", src: srcIIS, from: utcMonth(2018, 11), to: coverA.end},
		{Name: "logs/iis/u_ex1901.log", Format: "w3c", src: srcIIS, from: coverB.start, to: utcMonth(2019, 2)},
		{Name: "logs/iis/u_ex1902.log", Format: "w3c", src: srcIIS, from: utcMonth(2019, 2), to: offline},
	}
}

// iisRestart is when the portal's IIS was restarted with the
// X-Forwarded-For custom field added to its log.
var iisRestart = time.Date(2019, 2, 12, 7, 0, 0, 0, time.UTC)

const (
	iisFields    = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken"
	iisServerIP  = "192.0.2.80"
	headerBytes  = 245 // response header bytes added to %O, $bytes_sent and sc-bytes
	nginxTimeFmt = "02/Jan/2006:15:04:05 -0700"
)

// logTime is the time a server writes for an event: Apache's %t is when
// the request arrived; nginx and IIS write when the response ended.
func logTime(e *event) time.Time {
	if e.src == srcApache {
		return e.t
	}
	return e.t.Add(e.dur)
}

// renderLogs writes every event into its log file. Lines are in the order
// the servers wrote them: when each response ended. For Apache, whose %t
// is the arrival, long downloads therefore appear out of time order.
func renderLogs(evs []*event) (map[string][]byte, []*logFile, error) {
	files := logFiles()
	ordered := slices.Clone(evs)
	slices.SortStableFunc(ordered, func(a, b *event) int { return a.t.Add(a.dur).Compare(b.t.Add(b.dur)) })
	iisHeader := map[*logFile]int{} // 0 none yet, 1 without XFF, 2 with
	for _, e := range ordered {
		lt := logTime(e)
		var f *logFile
		for _, c := range files {
			if c.src == e.src && !lt.Before(c.from) && lt.Before(c.to) {
				f = c
				break
			}
		}
		if f == nil {
			return nil, nil, fmt.Errorf("demogen: no log file for an event at %s", lt)
		}
		var line string
		switch e.src {
		case srcNginx:
			line = nginxLine(e)
		case srcApache:
			line = apacheLine(e)
		case srcIIS:
			want := 1
			if !lt.Before(iisRestart) {
				want = 2
			}
			if iisHeader[f] != want {
				iisHeader[f] = want
				fields := iisFields
				if want == 2 {
					fields += " X-Forwarded-For"
				}
				for _, h := range []string{
					"#Software: Microsoft Internet Information Services 10.0",
					"#Version: 1.0",
					"#Date: " + lt.UTC().Format("2006-01-02 15:04:05"),
					"#Fields: " + fields,
				} {
					f.buf.WriteString(h + "\n")
					f.Lines++
					f.Skipped++
				}
			}
			line = iisLine(e, want == 2)
		}
		f.Lines++
		switch e.line {
		case lineOK:
			f.Records++
		case lineNULPrefix:
			line = strings.Repeat("\x00", 24) + line
			f.Records++
			f.NULPrefixed++
		case lineCut:
			line = line[:len(line)/2]
			f.Rejected++
		case lineNULInside:
			line = line[:30] + strings.Repeat("\x00", 16) + line[30:]
			f.Rejected++
		}
		if e.line != lineCut && e.line != lineNULInside {
			if f.First == "" {
				f.First = lt.Format(time.RFC3339)
			}
			f.Last = lt.Format(time.RFC3339)
		}
		if e.line != lineOK {
			f.Damaged = append(f.Damaged, Damage{Line: f.Lines, Kind: damageKinds[e.line]})
		}
		f.buf.WriteString(line + "\n")
	}
	out := map[string][]byte{}
	for _, f := range files {
		b := f.buf.Bytes()
		if f.gz {
			var z bytes.Buffer
			zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
			if err != nil {
				return nil, nil, err
			}
			zw.Write(b)
			if err := zw.Close(); err != nil {
				return nil, nil, err
			}
			b = z.Bytes()
		}
		out[f.Name] = b
	}
	return out, files, nil
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func wireBytes(e *event) int64 { return e.body + headerBytes }

// nginxLine writes the built-in nginx_range format:
//
//	$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
//	"$http_referer" "$http_user_agent" "$http_range" $request_time
//	$request_completion $bytes_sent
func nginxLine(e *event) string {
	completion := "OK"
	if e.abort {
		completion = "-"
	}
	return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s" "%s" %.3f %s %d`,
		e.client, logTime(e).In(stockholm).Format(nginxTimeFmt), e.method, e.target, e.status, e.body,
		dashIfEmpty(e.ref), dashIfEmpty(e.ua), dashIfEmpty(e.rng), e.dur.Seconds(), completion, wireBytes(e))
}

// apacheLine writes Debian's "combined", with %O (bytes on the wire):
//
//	%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"
func apacheLine(e *event) string {
	return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"`,
		e.client, e.t.In(stockholm).Format(nginxTimeFmt), e.method, e.target, e.status, wireBytes(e),
		dashIfEmpty(e.ref), dashIfEmpty(e.ua))
}

// iisLine writes a W3C line for the fields in iisFields (and
// X-Forwarded-For after the restart). Times are UTC.
func iisLine(e *event, xff bool) string {
	t := logTime(e).UTC()
	stem, query, _ := strings.Cut(e.target, "?")
	win32 := 0
	if e.abort {
		win32 = 64
	}
	plus := func(s string) string { return dashIfEmpty(strings.ReplaceAll(s, " ", "+")) }
	line := fmt.Sprintf("%s %s %s %s %s %s 80 - %s %s %s %d 0 %d %d %d %d",
		t.Format("2006-01-02"), t.Format("15:04:05"), iisServerIP, e.method, stem, dashIfEmpty(query),
		e.client, plus(e.ua), plus(e.ref), e.status, win32, wireBytes(e), 420, e.dur.Milliseconds())
	if xff {
		line += " " + dashIfEmpty(e.xff)
	}
	return line
}
