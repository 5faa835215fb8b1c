package demogen

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Log sources: the three services that served the recordings.
const (
	srcNginx  = iota // recordings.example.net, nginx, format nginx_range
	srcApache        // nas.example.net:443 (plain HTTP), Apache, combined_debian
	srcIIS           // portal.example.net, IIS behind the contractor's proxy, w3c
)

// Kinds of events, for the expected truth.
const (
	evOther    = iota // no recording involved (health checks, probes, parent listings)
	evListing         // a directory listing that names files
	evHead            // HEAD on a recording
	evNotMod          // conditional GET answered 304
	evDownload        // body bytes of a recording
)

// An actor is one party in the story.
type actor struct {
	ID       string // stable id in expected.json
	Label    string // the name actors.yaml gives, "" for unknown actors
	Category string // authorized, press, crawler, unknown
	Addrs    []netip.Addr
	Story    string
}

var (
	actPlatform = &actor{ID: "platform", Label: "platform", Category: "authorized",
		Addrs: addrs("192.0.2.10", "192.0.2.11", "192.0.2.12"),
		Story: "the call platform's own playback servers and monitoring"}
	actPress = &actor{ID: "newspaper", Label: "newspaper", Category: "press",
		Addrs: addrs("192.0.2.201"),
		Story: "the journalist who found the server: listings and 55 full downloads in February 2019, some through the portal's proxy"}
	actGooglebot = &actor{ID: "googlebot", Label: "Googlebot", Category: "crawler",
		Addrs: addrs("198.51.100.66", "2001:db8:3::66"),
		Story: "a search engine crawling directory listings, with some HEAD requests"}
	actRanger = &actor{ID: "range-client", Category: "unknown",
		Addrs: addrs("2001:db8:2::17"),
		Story: "a foreign address fetching byte ranges of a few recordings, leaving holes in all but one"}
	actNotMod = &actor{ID: "conditional-client", Category: "unknown",
		Addrs: addrs("203.0.113.77"),
		Story: "a client revalidating copies it already held: every answer is 304"}
	actProbe = &actor{ID: "scanner", Category: "unknown",
		Addrs: addrs("198.51.100.23"),
		Story: "a scanner probing for common paths: only 404s"}
	actWget = &actor{ID: "wget-client", Category: "unknown",
		Addrs: addrs("203.0.113.140"),
		Story: "wget with percent-encoded and dot-segment paths; one download aborted"}
	actPhone = &actor{ID: "phone-user", Category: "unknown",
		Addrs: addrs("2001:db8:4::9"),
		Story: "a phone browsing the NAS vhost, sorting a listing (?C=N;O=D), two downloads and one aborted"}
	allActors = []*actor{actPlatform, actPress, actGooglebot, actRanger, actNotMod, actProbe, actWget, actPhone}
)

// proxyAddr is the contractor's reverse proxy in front of the IIS portal:
// it adds X-Forwarded-For and is trusted.
var proxyAddr = netip.MustParseAddr("192.0.2.5")

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// An event is one logged request, with what it means by construction.
type event struct {
	src    int
	t      time.Time     // request arrival
	dur    time.Duration // time to serve it
	client netip.Addr    // peer address as the server saw it
	xff    string        // X-Forwarded-For, when through the proxy
	method string
	target string // request target as sent
	status int
	body   int64  // body bytes sent
	rng    string // Range request header
	ua     string
	ref    string
	abort  bool // the client went away before the end

	actor *actor
	kind  int
	rec   *recording   // for evHead, evNotMod, evDownload
	dir   string       // for evListing: the directory listed
	bytes [2]int64     // for evDownload: [first, last+1) of the file delivered
	line  brokenLine   // how the line is damaged in the log, if at all
	names []*recording // for evListing: the recordings the listing named
}

// A brokenLine damages an event's log line to show the line accounting.
type brokenLine int

const (
	lineOK        brokenLine = iota
	lineNULPrefix            // NUL bytes before the line (a crash): still parsed
	lineCut                  // the line is cut short mid-way: rejected
	lineNULInside            // NUL bytes inside the line: rejected
)

const (
	uaFirefox  = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:65.0) Gecko/20100101 Firefox/65.0"
	uaGoogle   = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	uaPlayback = "CallrecPlayback/3.1 (platform)"
	uaMonitor  = "check_http/v2.2 (monitoring-plugins 2.2)"
	uaLavf     = "Lavf/58.20.100"
	uaChrome   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/71.0.3578.98 Safari/537.36"
	uaZgrab    = "Mozilla/5.0 zgrab/0.x"
	uaWget     = "Wget/1.19.4 (linux-gnu)"
	uaIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1"
)

var hosts = []string{"recordings.example.net", "nas.example.net", "portal.example.net"}

// tree indexes the recordings by directory.
type tree struct {
	byDir map[string][]*recording
	dirs  []string // day directories, sorted
}

func newTree(recs []*recording) *tree {
	t := &tree{byDir: map[string][]*recording{}}
	for _, r := range recs {
		if _, ok := t.byDir[r.Dir()]; !ok {
			t.dirs = append(t.dirs, r.Dir())
		}
		t.byDir[r.Dir()] = append(t.byDir[r.Dir()], r)
	}
	slices.Sort(t.dirs)
	return t
}

// listed returns the recordings a listing of dir at time at names: those
// whose call had ended.
func (t *tree) listed(dir string, at time.Time) []*recording {
	var out []*recording
	for _, r := range t.byDir[dir] {
		if !r.end().After(at) {
			out = append(out, r)
		}
	}
	return out
}

// listingSize is the size of an autoindex page naming n entries.
func listingSize(dir string, n int) int64 { return int64(280 + 2*len(dir) + 148*n) }

// traffic collects the events of every actor.
type traffic struct {
	r    *rng
	tr   *tree
	recs []*recording
	evs  []*event
}

func (tf *traffic) add(e *event) *event {
	if !covered(e.t) || !covered(e.t.Add(e.dur)) {
		panic(fmt.Sprintf("demogen: event of %s at %s is outside the covered periods", e.actor.ID, e.t))
	}
	if e.method == "" {
		e.method = "GET"
	}
	tf.evs = append(tf.evs, e)
	return e
}

// listing adds a listing of dir by actor a at t.
func (tf *traffic) listing(src int, a *actor, client netip.Addr, t time.Time, dir, query, ua, ref string) *event {
	names := tf.tr.listed(dir, t)
	target := dir
	if query != "" {
		target += "?" + query
	}
	kind := evListing
	if len(names) == 0 {
		kind = evOther // a parent directory: it names folders, not files
	}
	n := len(names)
	if kind == evOther {
		n = 12
	}
	return tf.add(&event{src: src, t: t, dur: 40 * time.Millisecond, client: client, target: target,
		status: 200, body: listingSize(dir, n), ua: ua, ref: ref, actor: a, kind: kind, dir: dir, names: names})
}

// download adds a full download of rec.
func (tf *traffic) download(src int, a *actor, client netip.Addr, t time.Time, rec *recording, target, ua, ref string, rate int64) *event {
	if target == "" {
		target = rec.Path()
	}
	return tf.add(&event{src: src, t: t, dur: time.Duration(rec.size * int64(time.Second) / rate), client: client,
		target: target, status: 200, body: rec.size, ua: ua, ref: ref, actor: a, kind: evDownload, rec: rec,
		bytes: [2]int64{0, rec.size}})
}

// existing returns the recordings whose call ended before t, in order.
func (tf *traffic) existing(t time.Time) []*recording {
	var out []*recording
	for _, r := range tf.recs {
		if r.end().Before(t) {
			out = append(out, r)
		}
	}
	return out
}

func makeTraffic(r *rng, recs []*recording) []*event {
	tf := &traffic{r: r, tr: newTree(recs), recs: recs}
	tf.monitoring()
	tf.platform()
	tf.press()
	tf.googlebot()
	tf.ranger()
	tf.notModified()
	tf.probes()
	tf.wget()
	tf.phone()
	tf.damage()
	slices.SortStableFunc(tf.evs, func(a, b *event) int { return a.t.Compare(b.t) })
	return tf.evs
}

// monitoring: an hourly health check on every service, which makes the
// covered periods visible in every log.
func (tf *traffic) monitoring() {
	mon := actPlatform.Addrs[2]
	for _, p := range []period{coverA, coverB} {
		for t := p.start.Add(2 * time.Minute); t.Before(p.end); t = t.Add(time.Hour) {
			for src := range hosts {
				tf.add(&event{src: src, t: t.Add(time.Duration(src*7+tf.r.intn(5)) * time.Second), dur: 3 * time.Millisecond,
					client: mon, target: "/healthz", status: 200, body: 2, ua: uaMonitor, actor: actPlatform})
			}
		}
	}
}

// platform: the platform's playback servers fetch about a third of new
// recordings for quality review, through nginx or the IIS portal.
func (tf *traffic) platform() {
	for _, rec := range tf.recs {
		if !tf.r.chance(35) {
			continue
		}
		t := rec.end().Add(time.Duration(tf.r.between(10, 600)) * time.Minute)
		src := srcNginx
		if tf.r.chance(50) {
			src = srcIIS
		}
		client := actPlatform.Addrs[tf.r.intn(2)]
		if !covered(t) || !covered(t.Add(10*time.Minute)) {
			continue
		}
		tf.download(src, actPlatform, client, t, rec, "", uaPlayback, "", 20<<20)
	}
}

// press: the journalist browses the listings and downloads 55 recordings
// in full between 8 and 14 February 2019. The last sessions go through
// the IIS portal's proxy, and a few downloads use the NAS vhost.
func (tf *traffic) press() {
	ip := actPress.Addrs[0]
	base := "http://recordings.example.net"
	downloaded := map[*recording]bool{}
	count := 0
	sessions := []time.Time{
		time.Date(2019, 2, 8, 21, 30, 0, 0, stockholm),
		time.Date(2019, 2, 11, 9, 15, 0, 0, stockholm),
		time.Date(2019, 2, 12, 13, 40, 0, 0, stockholm),
		time.Date(2019, 2, 13, 10, 5, 0, 0, stockholm),
		time.Date(2019, 2, 14, 15, 20, 0, 0, stockholm),
	}
	// Day directories to look into: the current day first, then recent
	// days, then some older ones.
	var recent, older []string
	for _, d := range tf.tr.dirs {
		if strings.Contains(d, "/2019/0") {
			recent = append(recent, d)
		} else if strings.Contains(d, "/2017/") || strings.Contains(d, "/2018/") {
			older = append(older, d)
		}
	}
	shuffle(tf.r, recent)
	shuffle(tf.r, older)
	today := "/recordings/Stockholm/2019/02/08/"
	queue := []string{today}
	for i := 0; i < len(recent) || i < len(older); i++ {
		if i < len(recent) && recent[i] != today {
			queue = append(queue, recent[i])
		}
		if i < len(older) && i%2 == 0 {
			queue = append(queue, older[i])
		}
	}
	const want = 55
	s := 0
	t := sessions[0]
	perSession := 0
	for _, dir := range queue {
		if count == want {
			break
		}
		if perSession >= 14 && s+1 < len(sessions) {
			s++
			t = sessions[s]
			perSession = 0
		}
		src, client, xff := srcNginx, ip, ""
		host := base
		switch {
		case s >= 3:
			src, client, xff, host = srcIIS, proxyAddr, ip.String(), "http://portal.example.net"
		case s == 2 && perSession < 5:
			src, host = srcApache, "http://nas.example.net:443"
		}
		names := tf.tr.listed(dir, t)
		if len(names) == 0 {
			continue
		}
		e := tf.listing(src, actPress, client, t, dir, "", uaFirefox, host+parentDir(dir))
		e.xff = xff
		t = t.Add(time.Duration(tf.r.between(20, 90)) * time.Second)
		n := 1 + tf.r.intn(min(len(names), 3))
		for _, rec := range names[:n] {
			if count == want {
				break
			}
			if downloaded[rec] {
				continue
			}
			downloaded[rec] = true
			count++
			perSession++
			d := tf.download(src, actPress, client, t, rec, "", uaFirefox, host+dir, 2<<20)
			d.xff = xff
			t = t.Add(d.dur + time.Duration(tf.r.between(15, 120))*time.Second)
		}
	}
	if count != want {
		panic(fmt.Sprintf("demogen: the journalist downloaded %d recordings, want %d", count, want))
	}
	// One recording fetched a second time: still one recording.
	for _, e := range tf.evs {
		if e.actor == actPress && e.kind == evDownload && e.src == srcNginx {
			d := tf.download(srcNginx, actPress, ip, time.Date(2019, 2, 11, 16, 2, 0, 0, stockholm), e.rec, "", uaFirefox, "", 2<<20)
			d.ref = base + e.rec.Dir()
			break
		}
	}
	// The parent directories, once: they name folders only.
	for i, dir := range []string{"/recordings/", "/recordings/Stockholm/", "/recordings/Stockholm/2019/", "/recordings/Stockholm/2019/02/"} {
		tf.listing(srcNginx, actPress, ip, sessions[0].Add(time.Duration(i-5)*time.Minute), dir, "", uaFirefox, "")
	}
}

func parentDir(dir string) string {
	d := strings.TrimSuffix(dir, "/")
	return d[:strings.LastIndexByte(d, '/')+1]
}

// googlebot: listings of random directories in both covered periods, a
// few HEAD requests, robots.txt.
func (tf *traffic) googlebot() {
	for i := range 110 {
		p := coverA
		if i%3 != 0 {
			p = coverB
		}
		t := randomIn(tf.r, p)
		client := actGooglebot.Addrs[0]
		if tf.r.chance(20) {
			client = actGooglebot.Addrs[1]
		}
		src := srcNginx
		if tf.r.chance(20) {
			src = srcApache
		}
		dir := pick(tf.r, tf.existing(t)).Dir() // only directories that exist
		if tf.r.chance(15) {
			dir = parentDir(dir)
		}
		tf.listing(src, actGooglebot, client, t, dir, "", uaGoogle, "")
	}
	for range 12 {
		t := randomIn(tf.r, coverB)
		ex := tf.existing(t)
		rec := pick(tf.r, ex)
		tf.add(&event{src: srcNginx, t: t, dur: time.Millisecond, client: actGooglebot.Addrs[0], method: "HEAD",
			target: rec.Path(), status: 200, ua: uaGoogle, actor: actGooglebot, kind: evHead, rec: rec})
	}
	// HEAD requests on the NAS vhost early in each log file: a HEAD
	// answered with bytes > 0 is what tells Debian's %O from %b.
	for _, p := range []period{coverA, coverB} {
		for h := range 3 {
			t := p.start.Add(time.Duration(5+7*h)*time.Hour + time.Duration(tf.r.intn(3000))*time.Second)
			rec := pick(tf.r, tf.existing(t))
			tf.add(&event{src: srcApache, t: t, dur: time.Millisecond, client: actGooglebot.Addrs[0], method: "HEAD",
				target: rec.Path(), status: 200, ua: uaGoogle, actor: actGooglebot, kind: evHead, rec: rec})
		}
	}
	for _, p := range []period{coverA, coverB} {
		for d := p.start.Add(9 * time.Hour); d.Before(p.end); d = d.AddDate(0, 0, 5) {
			tf.add(&event{src: srcNginx, t: d, dur: time.Millisecond, client: actGooglebot.Addrs[0],
				target: "/robots.txt", status: 404, body: 153, ua: uaGoogle, actor: actGooglebot})
		}
	}
}

func randomIn(r *rng, p period) time.Time {
	span := int64(p.end.Sub(p.start)/time.Second) - 3600
	return p.start.Add(time.Duration(r.intn(int(span))) * time.Second)
}

// ranger: byte ranges of eight recordings, 15-19 January 2019. Seven keep
// holes; one is covered completely by its ranges.
func (tf *traffic) ranger() {
	ip := actRanger.Addrs[0]
	t := time.Date(2019, 1, 15, 2, 10, 0, 0, stockholm)
	ex := tf.existing(t)
	var chosen []*recording
	for len(chosen) < 8 {
		rec := pick(tf.r, ex)
		if !slices.Contains(chosen, rec) {
			chosen = append(chosen, rec)
		}
	}
	for i, rec := range chosen {
		var ranges [][2]int64
		if i == 0 {
			// Whole file in four ranges, the last open-ended.
			q := rec.size / 4
			ranges = [][2]int64{{0, q}, {q, 2 * q}, {2 * q, 3 * q}, {3 * q, -1}}
		} else {
			n := 2 + tf.r.intn(3)
			for k, start := 0, int64(0); k < n; k++ {
				size := int64(65536 * (1 + tf.r.intn(4)))
				if start+size > rec.size {
					break
				}
				ranges = append(ranges, [2]int64{start, start + size})
				start += size + int64(tf.r.between(100000, 400000))
			}
		}
		for _, rg := range ranges {
			end := rg[1]
			hdr := fmt.Sprintf("bytes=%d-%d", rg[0], rg[1]-1)
			if end < 0 {
				end = rec.size
				hdr = fmt.Sprintf("bytes=%d-", rg[0])
			}
			tf.add(&event{src: srcNginx, t: t, dur: 300 * time.Millisecond, client: ip, target: rec.Path(),
				status: 206, body: end - rg[0], rng: hdr, ua: uaLavf, actor: actRanger, kind: evDownload,
				rec: rec, bytes: [2]int64{rg[0], end}})
			t = t.Add(time.Duration(tf.r.between(2, 40)) * time.Second)
		}
		t = t.Add(time.Duration(tf.r.between(6, 20)) * time.Hour)
	}
}

// notModified: six conditional GETs, all answered 304.
func (tf *traffic) notModified() {
	t := time.Date(2019, 1, 22, 11, 3, 0, 0, stockholm)
	ex := tf.existing(coverA.start)
	for range 6 {
		rec := pick(tf.r, ex)
		tf.add(&event{src: srcNginx, t: t, dur: time.Millisecond, client: actNotMod.Addrs[0], target: rec.Path(),
			status: 304, ua: uaChrome, actor: actNotMod, kind: evNotMod, rec: rec})
		t = t.Add(time.Duration(tf.r.between(3, 30)) * time.Second)
	}
}

// probes: a scanner's 404s, including a recording name that never existed.
func (tf *traffic) probes() {
	t := time.Date(2019, 2, 2, 4, 44, 0, 0, stockholm)
	for _, target := range []string{"/wp-login.php", "/.env", "/phpmyadmin/", "/admin/config.php",
		"/recordings/Stockholm/2019/02/31/", "/recordings/Stockholm/2019/02/01/STO999999_0701740600.mp3", "/.git/HEAD"} {
		tf.add(&event{src: srcNginx, t: t, dur: time.Millisecond, client: actProbe.Addrs[0], target: target,
			status: 404, body: 153, ua: uaZgrab, actor: actProbe})
		t = t.Add(time.Duration(tf.r.between(1, 4)) * time.Second)
	}
}

// wget: full downloads through percent-encoded and dot-segment paths that
// all name real recordings, and one aborted download.
func (tf *traffic) wget() {
	ip := actWget.Addrs[0]
	t := time.Date(2019, 1, 28, 23, 12, 0, 0, stockholm)
	ex := tf.existing(t)
	var chosen []*recording
	for len(chosen) < 5 {
		rec := pick(tf.r, ex)
		if !slices.Contains(chosen, rec) {
			chosen = append(chosen, rec)
		}
	}
	variants := []func(r *recording) string{
		func(r *recording) string { // dot segment
			d := strings.TrimSuffix(r.Dir(), "/")
			day := d[strings.LastIndexByte(d, '/')+1:]
			return r.Dir() + "../" + day + "/" + r.Name()
		},
		func(r *recording) string { // percent-encoded underscore and dot
			return r.Dir() + strings.Replace(strings.Replace(r.Name(), "_", "%5F", 1), ".", "%2E", 1)
		},
		func(r *recording) string { // empty and "." segments
			return strings.Replace(r.Dir(), "/recordings/", "/recordings//./", 1) + r.Name()
		},
		func(r *recording) string { return r.Path() },
	}
	for i, rec := range chosen[:4] {
		d := tf.download(srcNginx, actWget, ip, t, rec, variants[i](rec), uaWget, "", 4<<20)
		t = t.Add(d.dur + 5*time.Second)
	}
	// Aborted after about a third: nginx logs what it sent.
	rec := chosen[4]
	sent := rec.size / 3
	tf.add(&event{src: srcNginx, t: t, dur: 9 * time.Second, client: ip, target: rec.Path(), status: 200,
		body: sent, ua: uaWget, abort: true, actor: actWget, kind: evDownload, rec: rec, bytes: [2]int64{0, sent}})
}

// phone: a phone on the NAS vhost sorts a listing, downloads two
// recordings and gives up on a third.
func (tf *traffic) phone() {
	ip := actPhone.Addrs[0]
	t := time.Date(2019, 2, 16, 10, 31, 0, 0, stockholm)
	base := "http://nas.example.net:443"
	tf.listing(srcApache, actPhone, ip, t, "/recordings/Varmland/2019/02/", "", uaIPhone, "")
	t = t.Add(25 * time.Second)
	dir := "/recordings/Varmland/2019/02/10/"
	e := tf.listing(srcApache, actPhone, ip, t, dir, "C=N;O=D", uaIPhone, base+"/recordings/Varmland/2019/02/")
	names := e.names
	if len(names) < 3 {
		panic("demogen: the phone user's directory needs three recordings")
	}
	t = t.Add(40 * time.Second)
	for _, rec := range names[:2] {
		d := tf.download(srcApache, actPhone, ip, t, rec, "", uaIPhone, base+dir+"?C=N;O=D", 1<<20)
		t = t.Add(d.dur + 20*time.Second)
	}
	rec := names[2]
	sent := rec.size / 5
	tf.add(&event{src: srcApache, t: t, dur: 4 * time.Second, client: ip, target: rec.Path(), status: 200,
		body: sent, ua: uaIPhone, ref: base + dir + "?C=N;O=D", abort: true, actor: actPhone, kind: evDownload,
		rec: rec, bytes: [2]int64{0, sent}})
}

// damage breaks a few health-check lines, as crashes and full disks do.
func (tf *traffic) damage() {
	var n int
	for _, e := range tf.evs {
		if e.target != "/healthz" {
			continue
		}
		switch {
		case e.src == srcNginx && e.t.Format("2006-01-02 15") == "2019-01-21 03":
			e.line = lineNULPrefix
			n++
		case e.src == srcNginx && e.t.Format("2006-01-02 15") == "2019-02-05 03":
			e.line = lineCut
			n++
		case e.src == srcApache && e.t.Format("2006-01-02 15") == "2018-11-14 04":
			e.line = lineNULInside
			n++
		case e.src == srcApache && e.t.Format("2006-01-02 15") == "2019-02-09 02":
			e.line = lineCut
			n++
		}
	}
	if n != 4 {
		panic(fmt.Sprintf("demogen: damaged %d lines, want 4", n))
	}
}
