package bench

import (
	"math"
	"strconv"
)

// chunkLines is the number of log lines one worker writes at a time; each
// chunk draws from its own stream, so workers do not change the output.
const chunkLines = 1 << 16

// lineTime returns the time of line k of total: traffic grows over the
// years (half of it constant, half growing linearly), and the last ten
// days after the news carry burstShare of the lines.
func lineTime(k, total int) int64 {
	u := (float64(k) + 0.5) / float64(total)
	if u >= 1-burstShare {
		v := (u - (1 - burstShare)) / burstShare
		return burstFrom + int64(v*float64(logTo-burstFrom))
	}
	u /= 1 - burstShare
	// The share of lines before x (0..1 of the period) is F(x) = (x + x²)/2;
	// x = F⁻¹(u).
	x := -0.5 + math.Sqrt(0.25+2*u)
	return logFrom + int64(x*float64(burstFrom-logFrom))
}

// chunkStats are the counts of one chunk, summed at the end.
type chunkStats struct {
	lines, recordingRequests, recording404, deliveries, listings, dayListings, sortedListings int
	heads, notModified, partial, full, notFound, subjects                                     int
	bytes                                                                                     int64
}

func (a *chunkStats) add(b chunkStats) {
	a.lines += b.lines
	a.recordingRequests += b.recordingRequests
	a.recording404 += b.recording404
	a.deliveries += b.deliveries
	a.listings += b.listings
	a.dayListings += b.dayListings
	a.sortedListings += b.sortedListings
	a.heads += b.heads
	a.notModified += b.notModified
	a.partial += b.partial
	a.full += b.full
	a.notFound += b.notFound
	a.subjects += b.subjects
	a.bytes += b.bytes
}

// logChunk writes the lines [k, end) of the log.
type logChunk struct {
	g     *gen
	r     rng
	k     int
	end   int
	total int
	buf   []byte
	path  []byte // scratch
	ref   []byte // scratch
	ts    clf
	st    chunkStats
}

func (g *gen) writeLogChunk(c int, buf []byte) ([]byte, chunkStats) {
	total := g.cfg.Lines * g.cfg.Scale
	lc := logChunk{g: g, r: newRNG(g.cfg.Seed, streamLogChunk, uint64(c)), k: c * chunkLines, total: total, buf: buf[:0]}
	lc.end = min(lc.k+chunkLines, total)
	lc.ts.day = -1
	for lc.k < lc.end {
		lc.episode()
	}
	lc.st.bytes = int64(len(lc.buf))
	return lc.buf, lc.st
}

func (lc *logChunk) now() int64 { return lineTime(lc.k, lc.total) }

func (lc *logChunk) done() bool { return lc.k >= lc.end }

// line appends one combined-format line at the current time.
// It returns false, writing nothing, once the chunk is full.
func (lc *logChunk) line(cl *client, method string, path []byte, query string, proto string, status int, bytes int64, referer []byte) bool {
	if lc.done() {
		return false
	}
	b := lc.buf
	b = append(b, cl.ip...)
	b = append(b, " - - "...)
	b = lc.ts.append(b, lc.now())
	b = append(b, " \""...)
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, query...)
	b = append(b, ' ')
	b = append(b, proto...)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	if bytes > 0 {
		b = strconv.AppendInt(b, bytes, 10)
	} else {
		b = append(b, '-') // Apache's %b for no body
	}
	b = append(b, " \""...)
	if len(referer) == 0 {
		b = append(b, '-')
	} else {
		b = append(b, host...)
		b = append(b, referer...)
	}
	b = append(b, "\" \""...)
	b = append(b, cl.ua...)
	b = append(b, "\"\n"...)
	lc.buf = b
	lc.g.stats.clients.set(cl.id)
	lc.st.lines++
	switch {
	case method == "HEAD":
		lc.st.heads++
	case status == 304:
		lc.st.notModified++
	case status == 206:
		lc.st.partial++
	}
	if status == 404 {
		lc.st.notFound++
	}
	lc.k++
	return true
}

// pickClient picks an active client of a kind. Browsers are active for a
// while around their place in the six years; bots over the whole period,
// a few of them far busier than the rest.
func (lc *logChunk) pickClient(kind int) *client {
	ids := lc.g.byKind[kind]
	n := len(ids)
	var i int
	switch {
	case kind == kindMonitor:
		i = 0
	case kind == kindBrowser && lc.r.per(700):
		pos := float64(lc.now()-logFrom) / float64(logTo-logFrom)
		w := max(n/40, 1)
		i = (int(pos*float64(n)) + lc.r.intn(2*w) - w + n) % n
	case lc.r.per(500):
		u := lc.r.float()
		i = int(u * u * u * float64(n))
	default:
		i = lc.r.intn(n)
	}
	return &lc.g.all[ids[i]]
}

// pickRecording picks a recording for a request at the current time: one
// that existed a day ago (uniform, recent or among a hot set the press
// wrote about), or now and then one of today's, which may not exist yet.
func (lc *logChunk) pickRecording() (i int, exists bool) {
	g := lc.g
	t := lc.now()
	today := floorDiv(t+offset(t), 86400)
	avail := g.firstOfDay(today - 1)
	if avail == 0 {
		return 0, false
	}
	perDay := max(g.cfg.Recordings/int(g.days), 1)
	switch x := lc.r.intn(1000); {
	case x < 250:
		return lc.r.intn(avail), true
	case x < 600:
		return avail - 1 - lc.r.intn(min(avail, perDay*10)), true
	case x < 990:
		h := lc.r.intn(max(g.cfg.Recordings/500, 1))
		if i := int(mix(g.cfg.Seed, 99, uint64(h)) % uint64(g.cfg.Recordings)); i < avail {
			return i, true
		}
		return lc.r.intn(avail), true
	default:
		hi := g.firstOfDay(today + 1)
		i := avail + lc.r.intn(max(hi-avail, 1))
		if i >= g.cfg.Recordings {
			return avail - 1, true
		}
		rec := g.recording(i)
		return i, rec.available() <= t
	}
}

var sortQueries = []string{"?C=N;O=D", "?C=M;O=A", "?C=S;O=D", "?C=D;O=A", "?C=M;O=D"}

// listing appends a GET of the folder (at level, 4 = day) of recording i.
func (lc *logChunk) listing(cl *client, i, level int, sorted bool, referer []byte) {
	rec := lc.g.recording(i)
	lc.path = appendFolder(lc.path[:0], rec.region, rec.day, level)
	q := ""
	if sorted {
		q = sortQueries[lc.r.intn(len(sortQueries))]
	}
	// An autoindex page: about 150 bytes per entry.
	entries := 3
	switch level {
	case 4:
		entries = max(lc.g.cfg.Recordings*regions[rec.region].share/1000/int(lc.g.days), 1)
	case 3:
		entries = 30
	case 2:
		entries = 12
	case 1:
		entries = 7
	}
	bytes := int64(600 + 150*entries + lc.r.intn(150))
	if lc.line(cl, "GET", lc.path, q, "HTTP/1.1", 200, bytes, referer) {
		lc.st.listings++
		if level == 4 {
			lc.st.dayListings++
		}
		if sorted {
			lc.st.sortedListings++
		}
	}
}

// request appends a request for recording i.
func (lc *logChunk) request(cl *client, method string, i int, exists bool, status int, bytes int64, referer []byte) {
	lc.path = lc.g.appendPath(lc.path[:0], i)
	if !exists {
		if lc.line(cl, method, lc.path, "", "HTTP/1.1", 404, int64(200+len(lc.path)), referer) {
			lc.st.recording404++
		}
		return
	}
	if method == "HEAD" || status == 304 {
		bytes = 0
	}
	if !lc.line(cl, method, lc.path, "", "HTTP/1.1", status, bytes, referer) {
		return
	}
	lc.st.recordingRequests++
	lc.g.stats.requested.set(i)
	if bytes > 0 {
		lc.st.deliveries++
		if status == 200 {
			lc.st.full++
		}
	}
}

// folderOf sets lc.ref to a folder of recording i (for a referer).
func (lc *logChunk) folderOf(i, level int) []byte {
	rec := lc.g.recording(i)
	lc.ref = appendFolder(lc.ref[:0], rec.region, rec.day, level)
	return lc.ref
}

// play appends a playback: range requests (206) whose bytes add up to the
// file or not, sometimes ending in a full GET.
func (lc *logChunk) play(cl *client, i int, exists bool, referer []byte) {
	if !exists {
		lc.request(cl, "GET", i, false, 0, 0, referer)
		return
	}
	size := lc.g.recording(i).size
	m := lc.r.between(1, 6)
	whole := lc.r.per(350)
	left := size
	for j := 0; j < m && !lc.done(); j++ {
		var n int64
		switch {
		case whole && j == m-1:
			n = left
		case whole:
			n = 1 + int64(lc.r.intn(int(max(left/2, 1))))
		default:
			n = 1 + int64(lc.r.intn(int(max(size/int64(m), 1))))
		}
		left -= min(n, left)
		lc.request(cl, "GET", i, true, 206, n, referer)
	}
	if lc.r.per(100) && !lc.done() {
		lc.request(cl, "GET", i, true, 200, size, referer)
	}
}

// download appends a full GET (aborted now and then).
func (lc *logChunk) download(cl *client, i int, exists bool, referer []byte) {
	if !exists {
		lc.request(cl, "GET", i, false, 0, 0, referer)
		return
	}
	size := lc.g.recording(i).size
	if lc.r.per(80) {
		size = 1 + int64(lc.r.intn(int(size)))
	}
	lc.request(cl, "GET", i, true, 200, size, referer)
}

var probes = []string{
	"/wp-login.php", "/wp-admin/", "/.env", "/phpmyadmin/", "/phpMyAdmin/scripts/setup.php", "/admin/",
	"/manager/html", "/cgi-bin/test.cgi", "/.git/config", "/HNAP1/", "/boaform/admin/formLogin",
	"/solr/admin/info/system", "/xmlrpc.php", "/config.php", "/backup.zip", "/db.sql", "/server-status",
	"/recordings.tar.gz", "/webdav/", "/owa/auth/logon.aspx", "/api/v1/pods", "/mysql/admin/",
}

func (lc *logChunk) noise(cl *client, path string, status int, bytes int64) {
	lc.path = append(lc.path[:0], path...)
	if lc.line(cl, "GET", lc.path, "", "HTTP/1.1", status, bytes, nil) && path == "/" {
		lc.st.listings++ // the server root is a listing too
	}
}

// sameFolder returns the recordings after i0 in i0's day folder that
// existed at the current time, at most n.
func (lc *logChunk) sameFolder(i0, n int, out []int) []int {
	g := lc.g
	rec := g.recording(i0)
	t := lc.now()
	out = out[:0]
	for i := i0 + 1; i < g.cfg.Recordings && len(out) < n; i++ {
		r := g.recording(i)
		if r.day != rec.day {
			break
		}
		if r.region == rec.region && r.available() <= t {
			out = append(out, i)
		}
	}
	return out
}

// episode appends what one client does in a short while.
func (lc *logChunk) episode() {
	var tmp [32]int
	switch x := lc.r.intn(1000); {
	case x < 90:
		lc.noise(lc.pickClient(kindMonitor), "/healthz", 200, 247)

	case x < 470: // a person with a browser
		cl := lc.pickClient(kindBrowser)
		i, ok := lc.pickRecording()
		switch y := lc.r.intn(100); {
		case y < 45:
			var ref []byte
			if lc.r.per(100) && ok {
				lc.listing(cl, i, 4, lc.r.per(250), lc.folderOf(i, 3))
				ref = lc.folderOf(i, 4)
			}
			lc.play(cl, i, ok, ref)
		case y < 65:
			lc.download(cl, i, ok, nil)
		case y < 74:
			lc.request(cl, "GET", i, ok, 304, 0, nil)
		case y < 77:
			for level := 2; level <= 4 && ok; level++ {
				var ref []byte
				if level > 2 {
					ref = lc.folderOf(i, level-1)
				}
				lc.listing(cl, i, level, lc.r.per(150), ref)
			}
		case y < 96:
			lc.noise(cl, "/favicon.ico", 404, 209)
		default:
			lc.noise(cl, "/", 200, 412)
		}

	case x < 690: // a search engine
		cl := lc.pickClient(kindCrawler)
		i, ok := lc.pickRecording()
		switch y := lc.r.intn(100); {
		case y < 22 && ok:
			lc.listing(cl, i, 4, false, nil)
			for _, j := range lc.sameFolder(i, lc.r.between(0, 3), tmp[:]) {
				if lc.done() {
					break
				}
				lc.request(cl, "HEAD", j, true, 200, 0, nil)
			}
		case y < 26 && ok:
			lc.listing(cl, i, lc.r.between(1, 3), false, nil)
		case y < 55:
			lc.download(cl, i, ok, nil)
		case y < 70:
			lc.request(cl, "HEAD", i, ok, 200, 0, nil)
		case y < 78:
			lc.request(cl, "GET", i, ok, 304, 0, nil)
		default:
			lc.noise(cl, "/robots.txt", 404, 209)
		}

	case x < 830: // a scanner
		cl := lc.pickClient(kindScanner)
		switch y := lc.r.intn(100); {
		case y < 60:
			for m := lc.r.between(1, 6); m > 0 && !lc.done(); m-- {
				p := probes[lc.r.intn(len(probes))]
				lc.noise(cl, p, 404, int64(196+len(p)))
			}
		case y < 74: // walks folders
			for m := lc.r.between(1, 4); m > 0 && !lc.done(); m-- {
				if i, ok := lc.pickRecording(); ok {
					lc.listing(cl, i, 4, lc.r.per(100), nil)
				}
			}
		case y < 88:
			i, ok := lc.pickRecording()
			lc.request(cl, "HEAD", i, ok, 200, 0, nil)
		case y < 95:
			i, ok := lc.pickRecording()
			if ok {
				lc.request(cl, "GET", i, true, 206, 1024, nil)
			} else {
				lc.request(cl, "GET", i, false, 0, 0, nil)
			}
		default:
			lc.noise(cl, "/", 200, 412)
		}

	default: // a downloader: a listing, then the files in it
		cl := lc.pickClient(kindDownloader)
		i, ok := lc.pickRecording()
		if !ok {
			lc.download(cl, i, false, nil)
			return
		}
		if lc.r.per(250) { // else it had the listing already
			lc.listing(cl, i, 4, false, nil)
		}
		ref := lc.folderOf(i, 4)
		if !lc.r.per(300) {
			ref = nil // wget sends no referer unless told
		}
		lc.download(cl, i, true, ref)
		for _, j := range lc.sameFolder(i, lc.r.between(0, 8), tmp[:]) {
			if lc.done() {
				break
			}
			lc.download(cl, j, true, ref)
		}
	}
}
