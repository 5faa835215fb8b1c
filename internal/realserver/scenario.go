package realserver

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// The scenario's actors: one documentation address each.
var (
	ActorFull       = netip.MustParseAddr("198.51.100.10") // downloads "full" whole
	ActorRanges     = netip.MustParseAddr("198.51.100.11") // "ranges" in complementary pieces
	ActorHoles      = netip.MustParseAddr("198.51.100.12") // "holes" in pieces with holes
	ActorEncoded    = netip.MustParseAddr("198.51.100.13") // "encoded" through a percent-encoded target
	ActorDotSeg     = netip.MustParseAddr("198.51.100.14") // "dotseg" through a target with ../
	ActorMulti      = netip.MustParseAddr("198.51.100.15") // one multi-range request on "multi"
	ActorPlayer     = netip.MustParseAddr("198.51.100.16") // plays "big" in a browser: two aborted 206s, then the tail
	ActorAbort      = netip.MustParseAddr("203.0.113.20")  // aborts "big" after a few KB
	ActorHead       = netip.MustParseAddr("203.0.113.21")  // HEAD on "head", claiming another address first in X-Forwarded-For
	ActorCond       = netip.MustParseAddr("203.0.113.22")  // conditional GET on "full", answered 304
	ActorProbe      = netip.MustParseAddr("203.0.113.23")  // 404, redirect and 416 probes
	ActorOneByte    = netip.MustParseAddr("203.0.113.24")  // bytes=0-0 on "listed", as download managers probe
	ActorLister     = netip.MustParseAddr("2001:db8::30")  // listings at every level
	ActorSortLister = netip.MustParseAddr("2001:db8::31")  // listings with ?C=N;O=D
	ActorLate       = netip.MustParseAddr("2001:db8::40")  // downloads "late" once it exists, with a query string
	ActorLateLister = netip.MustParseAddr("2001:db8::41")  // lists "late"'s folder once it exists
)

// EscapePath returns the URL path p escaped as a browser sends it.
func EscapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// A Scenario drives the actors against one server. Rotate, when set, is
// called between the first and the second phase.
type Scenario struct {
	Server *Server
	Tree   *Tree
	Rotate func() error
	// LateEnd is when the late recording's call ended, set by Run after
	// the last listing that must not show it.
	LateEnd time.Time
}

// Run runs the scenario and returns what each actor received. Requests
// are sequential; the whole run takes a few seconds, most of it waiting
// for the late recording's call to end.
func (sc *Scenario) Run(ctx context.Context) (*Truth, error) {
	t := sc.Tree
	truth := NewTruth(t)
	var actors []*Actor
	defer func() {
		for _, a := range actors {
			a.Close()
		}
	}()
	mk := func(ip netip.Addr, ua string) *Actor {
		a := NewActor(sc.Server, truth, ip, ua)
		actors = append(actors, a)
		return a
	}
	var err error
	// must(code)(exchange, err) keeps the first error or unexpected status.
	must := func(want int) func(Exchange, error) Exchange {
		return func(ex Exchange, e error) Exchange {
			if err == nil && e != nil {
				err = e
			}
			if err == nil && ex.Status != want {
				err = fmt.Errorf("realserver: step %s: status %d, want %d", ex.Step, ex.Status, want)
			}
			return ex
		}
	}
	rng := func(r string) http.Header { return http.Header{"Range": {r}} }

	// Phase 1.
	full := t.Rec("full")
	a := mk(ActorFull, "Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0")
	got := must(200)(a.Request("full-get", "GET", EscapePath(full.Path), nil))

	b := mk(ActorRanges, "VLC/3.0.6 LibVLC/3.0.6")
	p := EscapePath(t.Rec("ranges").Path)
	must(206)(b.Request("ranges-1", "GET", p, rng("bytes=0-9999")))
	must(206)(b.Request("ranges-2", "GET", p, rng("bytes=10000-24999")))
	must(206)(b.Request("ranges-3", "GET", p, rng("bytes=25000-")))

	c := mk(ActorHoles, "Lavf/58.20.100")
	p = EscapePath(t.Rec("holes").Path)
	must(206)(c.Request("holes-1", "GET", p, rng("bytes=0-4095")))
	must(206)(c.Request("holes-2", "GET", p, rng("bytes=20000-29999")))
	must(206)(c.Request("holes-3", "GET", p, rng("bytes=-4096")))

	d := mk(ActorAbort, "Wget/1.20.1 (linux-gnu)")
	big := EscapePath(t.Rec("big").Path)
	must(200)(d.AbortedGet("abort", big, nil, 4096))

	// A browser's audio element: bytes=0-, a seek to the middle, a seek
	// to the end; each earlier response abandoned after a little.
	pl := mk(ActorPlayer, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36")
	must(206)(pl.AbortedGet("play-1", big, rng("bytes=0-"), 65536))
	must(206)(pl.AbortedGet("play-2", big, rng(fmt.Sprintf("bytes=%d-", BigSize/2)), 65536))
	must(206)(pl.Request("play-3", "GET", big, rng(fmt.Sprintf("bytes=%d-", BigSize-608))))

	mr := mk(ActorMulti, "AppleCoreMedia/1.0.0.16D57 (iPhone; U; CPU OS 12_1_4 like Mac OS X; sv_se)")
	must(206)(mr.Request("multi", "GET", EscapePath(t.Rec("multi").Path), rng("bytes=0-99,1000-1999")))

	e := mk(ActorHead, "curl/7.64.0")
	e.Claimed = netip.MustParseAddr("192.0.2.66")
	must(200)(e.Request("head", "HEAD", EscapePath(t.Rec("head").Path), nil))

	g := mk(ActorLister, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.109 Safari/537.36")
	recent := t.Rec("recent")
	for i, dir := range []string{"/recordings/", "/recordings/Stockholm/", "/recordings/Stockholm/2019/",
		"/recordings/Stockholm/2019/02/", recent.Dir()} {
		must(200)(g.Request(fmt.Sprintf("list-%d", i), "GET", EscapePath(dir), nil))
	}

	k := mk(ActorProbe, "python-requests/2.21.0")
	lower := strings.Replace(full.Path, "/Stockholm/", "/stockholm/", 1)
	must(404)(k.Request("probe-case", "GET", EscapePath(lower), nil))
	guess := full.Dir() + "c9999_" + strings.TrimPrefix(FictionalPhone(94), "+") + ".mp3"
	must(404)(k.Request("probe-guess", "GET", EscapePath(guess), nil))
	probed := t.Rec("probed")
	must(301)(k.Request("probe-redirect", "GET", EscapePath(strings.TrimSuffix(probed.Dir(), "/")), nil))
	must(404)(k.Request("probe-head", "HEAD", EscapePath(probed.Path+".bak"), nil))
	must(416)(k.Request("probe-416", "GET", EscapePath(probed.Path), rng(fmt.Sprintf("bytes=%d-", probed.Size+1000))))
	ob := mk(ActorOneByte, "aria2/1.34.0")
	must(206)(ob.Request("one-byte", "GET", EscapePath(t.Rec("listed").Path), rng("bytes=0-0")))
	if err != nil {
		return truth, err
	}

	if sc.Rotate != nil {
		if err := sc.Rotate(); err != nil {
			return truth, err
		}
	}

	// Phase 2.
	f := mk(ActorCond, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0.3 Safari/605.1.15")
	cond := http.Header{}
	if got.ETag != "" {
		cond.Set("If-None-Match", got.ETag)
	}
	if got.LastModified != "" {
		cond.Set("If-Modified-Since", got.LastModified)
	}
	must(304)(f.Request("conditional", "GET", EscapePath(full.Path), cond))

	h := mk(ActorSortLister, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0")
	must(200)(h.Request("list-sorted-1", "GET", EscapePath(t.Rec("head").Dir())+"?C=N;O=D", nil))
	must(200)(h.Request("list-sorted-2", "GET", EscapePath(t.Rec("encoded").Dir())+"?C=M;O=A", nil))

	// %53 is "S"; the first letter of the file name is escaped too.
	enc := t.Rec("encoded")
	name := enc.Path[strings.LastIndexByte(enc.Path, '/')+1:]
	target := "/recordings/%53" + strings.TrimPrefix(EscapePath("/"+enc.Region[1:]), "/") + "/2019/02/" + fmt.Sprintf("%%%02X", name[0]) + name[1:]
	i := mk(ActorEncoded, "Mozilla/5.0 (Android 9; Mobile; rv:65.0) Gecko/65.0 Firefox/65.0")
	must(200)(i.Raw("encoded", "GET", target, nil))

	dot := t.Rec("dotseg")
	dotTarget := EscapePath(strings.Replace(dot.Path, "/2019/03/", "/2019/../2019/./03/", 1))
	j := mk(ActorDotSeg, "Go-http-client/1.1")
	must(200)(j.Raw("dotseg", "GET", dotTarget, nil))
	if err != nil {
		return truth, err
	}

	// The late recording: its call ends after every listing so far, and
	// its file appears only then.
	sc.LateEnd = time.Now().Truncate(time.Second).Add(2 * time.Second)
	t.SetLateEnd(sc.LateEnd)
	// lighttpd stamps lines with a clock it updates about once a second:
	// leave a margin so that the last listing is logged after the end.
	select {
	case <-time.After(time.Until(sc.LateEnd.Add(2500 * time.Millisecond))):
	case <-ctx.Done():
		return truth, ctx.Err()
	}
	if err := t.MaterializeLate(); err != nil {
		return truth, err
	}
	l := mk(ActorLate, "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1")
	must(200)(l.Request("late-get", "GET", EscapePath(t.Rec("late").Path)+"?dl=1", nil))
	m := mk(ActorLateLister, "Mozilla/5.0 (X11; Linux x86_64; rv:60.0) Gecko/20100101 Firefox/60.0")
	must(200)(m.Request("late-list", "GET", EscapePath(recent.Dir()), nil))
	return truth, err
}
