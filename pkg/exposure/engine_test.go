package exposure

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/pkg/logparse"

	"github.com/forensiclog/forensics/internal/luhn"
)

// genPNR returns a generated, Luhn-valid 12-digit personnummer for the
// birth date and serial: fictitious by construction.
func genPNR(birth string, serial int) string {
	nnn := fmt.Sprintf("%03d", serial)
	return birth + nnn + string(luhn.Digit(birth[2:]+nnn))
}

var (
	adult  = genPNR("19800101", 123)
	child  = genPNR("20150505", 456)
	other  = genPNR("19551224", 789)
	t0     = time.Date(2019, 2, 1, 10, 0, 0, 0, time.FixedZone("+0100", 3600))
	client = netip.MustParseAddr("198.51.100.7")
)

// testIndex: three calls in one folder; the child is a subject of two.
// The third recording becomes available only on 2019-02-10.
func testIndex(t *testing.T) *Index {
	t.Helper()
	csv := "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n" +
		"/rec/sthlm/2019/02/c1_0701740001.mp3,c1,2019-01-20T10:00:00+01:00,60,1000,Stockholm,,caller:" + adult + ";patient:" + child + "\n" +
		"/rec/sthlm/2019/02/c2_0701740002.mp3,c2,2019-01-21T10:00:00+01:00,60,2000,Stockholm,,caller:" + other + ";patient:" + child + "\n" +
		"/rec/sthlm/2019/02/c3_0701740003.mp3,c3,2019-02-10T10:00:00+01:00,60,3000,Stockholm,,caller:" + other + "\n"
	ix, err := ReadIndex(strings.NewReader(csv), IndexOptions{Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ix.Errors()); n != 0 {
		t.Fatalf("index has %d unusable rows", n)
	}
	return ix
}

type line struct {
	at       time.Duration // after t0
	method   string
	target   string
	status   int
	body     int64
	rng      string
	from     netip.Addr
	xff      string
	aborted  bool
	wireOnly bool
}

func run(t *testing.T, ix *Index, opt Options, lines ...line) *Result {
	t.Helper()
	e := NewEngine(ix, opt)
	s := e.NewShard()
	for i, l := range lines {
		rec := &logparse.Record{
			Time: t0.Add(l.at), Method: l.method, Status: l.status, BodyBytes: l.body,
			WireBytes: logparse.NotLogged, RequestBytes: logparse.NotLogged, Duration: logparse.NotLogged,
			Range: l.rng, Source: "access.log", Line: int64(i + 1), ForwardedFor: l.xff,
		}
		if l.wireOnly {
			rec.BodyBytes, rec.WireBytes = logparse.NotLogged, l.body
		}
		if l.aborted {
			rec.Completion = logparse.CompletionAborted
		}
		rec.Client = client
		if l.from.IsValid() {
			rec.Client = l.from
		}
		// As logparse does: Path is the target's path, decoded once.
		p, q, _ := strings.Cut(l.target, "?")
		rec.Target, rec.Query = l.target, q
		rec.Path = percentDecodeOnce(p)
		s.Observe(rec)
	}
	return mustCollect(t, e, s)
}

func percentDecodeOnce(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+3], "%02x", &c); err == nil {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// levels returns "call_id/actor -> level" for the exposure rows of one subject.
func levels(res *Result, subject string) map[string]string {
	out := map[string]string{}
	for _, r := range res.Exposures {
		if r.SubjectID.Reveal() == subject {
			out[r.CallID+"/"+r.ActorIP] = r.Level
		}
	}
	return out
}

func personLevel(res *Result, subject string) string {
	for _, p := range res.Persons {
		if p.SubjectID.Reveal() == subject {
			return p.Level
		}
	}
	return "absent"
}

const c1 = "/rec/sthlm/2019/02/c1_0701740001.mp3"

func TestDeliveryRules(t *testing.T) {
	ix := testIndex(t)
	// Logs cover the whole window: a line every 30 minutes from an
	// unrelated monitor, so that no gap turns "none" into "undeterminable".
	keepalive := func() []line {
		var ls []line
		for m := time.Duration(-30 * 24 * time.Hour); m < 48*time.Hour; m += 30 * time.Minute {
			ls = append(ls, line{at: m, method: "GET", target: "/health", status: 200, body: 2, from: netip.MustParseAddr("192.0.2.250")})
		}
		return ls
	}
	opt := Options{ExposedFrom: t0.Add(-30 * 24 * time.Hour), ExposedTo: t0.Add(48 * time.Hour)}
	f := func(name string, want string, ls ...line) {
		t.Helper()
		res := run(t, ix, opt, append(keepalive(), ls...)...)
		// The actor's own rows and the listing rows (no actor) of c1.
		got := "none"
		for _, r := range res.Exposures {
			if r.SubjectID.Reveal() == adult && r.CallID == "c1" && (r.ActorIP == "198.51.100.7" || r.ViaListing) {
				if l, _ := ParseLevel(r.Level); l > mustLevel(got) {
					got = r.Level
				}
			}
		}
		if got != want {
			t.Errorf("%s: level %s, want %s", name, got, want)
		}
	}
	f("200 full", "full", line{method: "GET", target: c1, status: 200, body: 1000})
	f("ranges adding up to full", "full",
		line{method: "GET", target: c1, status: 206, body: 500, rng: "bytes=0-499"},
		line{at: time.Second, method: "GET", target: c1, status: 206, body: 500, rng: "bytes=500-"})
	f("ranges leaving holes", "partial",
		line{method: "GET", target: c1, status: 206, body: 400, rng: "bytes=0-399"},
		line{at: time.Second, method: "GET", target: c1, status: 206, body: 400, rng: "bytes=600-999"})
	f("aborted 200", "partial", line{method: "GET", target: c1, status: 200, body: 300})
	f("aborted 200 logged in full", "partial", line{method: "GET", target: c1, status: 200, body: 1000, aborted: true})
	f("HEAD", "metadata", line{method: "HEAD", target: c1, status: 200})
	f("304", "metadata", line{method: "GET", target: c1, status: 304})
	f("416", "metadata", line{method: "GET", target: c1, status: 416})
	f("404", "none", line{method: "GET", target: c1, status: 404, body: 200})
	f("wire bytes, complete", "full", line{method: "GET", target: c1, status: 200, body: 1000 + 240, wireOnly: true})
	f("encoded path", "full", line{method: "GET", target: "/rec/%73thlm/2019/02/c1_0701740001.mp3", status: 200, body: 1000})
	f("dot segments and double slash", "full", line{method: "GET", target: "/rec/sthlm/2019/../2019//02/./c1_0701740001.mp3", status: 200, body: 1000})
	f("query ignored", "full", line{method: "GET", target: c1 + "?download=1", status: 200, body: 1000})
	f("listing", "metadata", line{method: "GET", target: "/rec/sthlm/2019/02/", status: 200, body: 900})
	f("listing with sort params", "metadata", line{method: "GET", target: "/rec/sthlm/2019/02/?C=N;O=D", status: 200, body: 900})
	f("listing of the parent folder", "none", line{method: "GET", target: "/rec/sthlm/2019/", status: 200, body: 900})
	f("listing before the file existed", "none", line{at: -20 * 24 * time.Hour, method: "GET", target: "/rec/sthlm/2019/02/", status: 200, body: 900})
	// Path info and a trailing slash after the file name: Apache
	// (AcceptPathInfo) and lighttpd answer with the file.
	f("path info, whole file", "full", line{method: "GET", target: c1 + "/extra.mp3", status: 200, body: 1000})
	f("trailing slash, whole file", "full", line{method: "GET", target: c1 + "/", status: 200, body: 1000})
	f("path info, a range", "partial", line{method: "GET", target: c1 + "/x", status: 206, body: 100, rng: "bytes=0-99"})
	f("path info, wire bytes", "full", line{method: "GET", target: c1 + "/x", status: 200, body: 1000 + 240, wireOnly: true})
	f("path info answered 404", "none", line{method: "GET", target: c1 + "/extra.mp3", status: 404, body: 200})
	f("path info, another length (a script's page)", "none", line{method: "GET", target: c1 + "/extra.mp3", status: 200, body: 5120})
	f("path info, HEAD", "none", line{method: "HEAD", target: c1 + "/", status: 200})
}

func TestListingOnlyExposesFilesPresent(t *testing.T) {
	ix := testIndex(t)
	res := run(t, ix, Options{}, line{method: "GET", target: "/rec/sthlm/2019/02/", status: 200, body: 900})
	byCall := map[string]string{}
	for _, r := range res.Recordings {
		byCall[r.CallID] = r.Level
	}
	want := map[string]string{"c1": "metadata", "c2": "metadata", "c3": "none"}
	if diff := cmp.Diff(want, byCall); diff != "" {
		t.Errorf("recording levels (-want +got):\n%s", diff)
	}
	for _, r := range res.Exposures {
		if !r.ViaListing || len(r.Evidence) != 1 || r.Evidence[0] != "access.log:1" {
			t.Errorf("row %s/%s: via listing %v, evidence %v", r.CallID, r.Role, r.ViaListing, r.Evidence)
		}
	}
}

func TestChildInTwoCalls(t *testing.T) {
	ix := testIndex(t)
	res := run(t, ix, Options{},
		line{method: "GET", target: c1, status: 200, body: 1000},
		line{at: time.Minute, method: "GET", target: "/rec/sthlm/2019/02/c2_0701740002.mp3", status: 206, body: 100, rng: "bytes=0-99"})
	want := map[string]string{"c1/198.51.100.7": "full", "c2/198.51.100.7": "partial"}
	if diff := cmp.Diff(want, levels(res, child)); diff != "" {
		t.Errorf("child's exposures (-want +got):\n%s", diff)
	}
	for _, p := range res.Persons {
		if p.SubjectID.Reveal() != child {
			continue
		}
		if p.Level != "full" || p.Calls != 2 || p.CallsExposed != 2 || !p.Child || p.Actors != 1 {
			t.Errorf("child's person row: level %s calls %d exposed %d child %v actors %d", p.Level, p.Calls, p.CallsExposed, p.Child, p.Actors)
		}
		if !p.FirstExposure.Equal(t0) {
			t.Errorf("first exposure %v, want %v", p.FirstExposure, t0)
		}
	}
	if got := personLevel(res, adult); got != "full" {
		t.Errorf("adult caller of c1: %s, want full", got)
	}
}

func TestActorsAreSeparate(t *testing.T) {
	ix := testIndex(t)
	a, b := netip.MustParseAddr("203.0.113.5"), netip.MustParseAddr("2001:db8::5")
	res := run(t, ix, Options{},
		line{method: "GET", target: c1, status: 206, body: 500, rng: "bytes=0-499", from: a},
		line{method: "GET", target: c1, status: 206, body: 500, rng: "bytes=500-999", from: b})
	want := map[string]string{"c1/203.0.113.5": "partial", "c1/2001:db8::5": "partial"}
	if diff := cmp.Diff(want, levels(res, adult)); diff != "" {
		t.Errorf("two actors' halves must not add up (-want +got):\n%s", diff)
	}
}

func TestTrustedProxy(t *testing.T) {
	ix := testIndex(t)
	proxy := netip.MustParseAddr("192.0.2.1")
	l := line{method: "GET", target: c1, status: 200, body: 1000, from: proxy, xff: "198.51.100.99, 203.0.113.20"}
	res := run(t, ix, Options{}, l)
	if got := levels(res, adult); got["c1/192.0.2.1"] != "full" {
		t.Errorf("without trusted proxies the logged address stands: %v", got)
	}
	trusted := ClientResolver{Trusted: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	res = run(t, ix, Options{Proxies: trusted}, l)
	if got := levels(res, adult); got["c1/203.0.113.20"] != "full" {
		t.Errorf("with a trusted proxy the right-most untrusted hop is the client: %v", got)
	}
}

func TestGapMakesUndeterminable(t *testing.T) {
	ix := testIndex(t)
	// Logs: dense traffic 2019-01-15..2019-01-25, then nothing until
	// 2019-02-15..2019-02-20. c1 and c2 existed during the gap; c3 appeared
	// on 2019-02-10, also in the gap. c1 was fetched after the gap.
	var ls []line
	base := time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC)
	for m := time.Duration(0); m < 10*24*time.Hour; m += 20 * time.Minute {
		ls = append(ls, line{at: base.Add(m).Sub(t0), method: "GET", target: "/health", status: 200, body: 2})
	}
	base2 := time.Date(2019, 2, 15, 0, 0, 0, 0, time.UTC)
	for m := time.Duration(0); m < 5*24*time.Hour; m += 20 * time.Minute {
		ls = append(ls, line{at: base2.Add(m).Sub(t0), method: "GET", target: "/health", status: 200, body: 2})
	}
	ls = append(ls, line{at: base2.Sub(t0) + time.Hour, method: "GET", target: c1, status: 200, body: 1000})
	res := run(t, ix, Options{ExposedFrom: base}, ls...)
	got := map[string]string{}
	for _, r := range res.Recordings {
		got[r.CallID] = r.Level
	}
	want := map[string]string{"c1": "full", "c2": "undeterminable", "c3": "undeterminable"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recording levels (-want +got):\n%s", diff)
	}
	if res.Summary.PersonsOnGap != 1 { // other: c2 and c3 only
		t.Errorf("persons whose verdict rests on a gap: %d, want 1", res.Summary.PersonsOnGap)
	}
	if got := personLevel(res, child); got != "full" {
		t.Errorf("child: %s, want full (c1 fetched)", got)
	}
}

func TestRecordingCreatedAfterGapStaysNone(t *testing.T) {
	ix := testIndex(t)
	// Logs cover 2019-01-15..2019-01-16, a gap, then 2019-02-05 .. 2019-02-20
	// continuously. c3 appears on 2019-02-10, inside covered time: none.
	var ls []line
	for _, span := range [][2]time.Time{
		{time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2019, 1, 16, 0, 0, 0, 0, time.UTC)},
		{time.Date(2019, 2, 5, 0, 0, 0, 0, time.UTC), time.Date(2019, 2, 20, 0, 0, 0, 0, time.UTC)},
	} {
		for at := span[0]; at.Before(span[1]); at = at.Add(20 * time.Minute) {
			ls = append(ls, line{at: at.Sub(t0), method: "GET", target: "/health", status: 200, body: 2})
		}
	}
	res := run(t, ix, Options{ExposedFrom: time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC)}, ls...)
	got := map[string]string{}
	for _, r := range res.Recordings {
		got[r.CallID] = r.Level
	}
	want := map[string]string{"c1": "undeterminable", "c2": "undeterminable", "c3": "none"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recording levels (-want +got):\n%s", diff)
	}
	if len(res.Coverage.Uncovered) != 1 {
		t.Fatalf("uncovered intervals: %d, want 1", len(res.Coverage.Uncovered))
	}
}

func TestShardsMergeLikeOne(t *testing.T) {
	ix := testIndex(t)
	ls := []*logparse.Record{}
	for i, rng := range []string{"bytes=0-499", "bytes=500-999"} {
		ls = append(ls, &logparse.Record{Time: t0.Add(time.Duration(i) * time.Second), Method: "GET", Path: c1,
			Status: 206, BodyBytes: 500, WireBytes: -1, Range: rng, Client: client, Source: "a.log", Line: int64(i + 1)})
	}
	e := NewEngine(ix, Options{})
	s1, s2 := e.NewShard(), e.NewShard()
	s1.Observe(ls[0])
	s2.Observe(ls[1])
	res := mustCollect(t, e, s1, s2)
	if got := levels(res, adult)["c1/198.51.100.7"]; got != "full" {
		t.Errorf("halves observed by two shards: %s, want full", got)
	}
	for _, r := range res.Exposures {
		if r.SubjectID.Reveal() == adult && r.CallID == "c1" && !cmp.Equal(r.Evidence, []string{"a.log:1", "a.log:2"}) {
			t.Errorf("evidence %v", r.Evidence)
		}
	}
}

func TestObserveAllocations(t *testing.T) {
	ix := testIndex(t)
	e := NewEngine(ix, Options{})
	s := e.NewShard()
	rec := &logparse.Record{Time: t0, Method: "GET", Path: c1, Status: 206, BodyBytes: 100,
		WireBytes: -1, Range: "bytes=0-99", Client: client, Source: "a.log", Line: 1,
		UserAgent: "Mozilla/5.0"}
	s.Observe(rec) // first sight of the pair allocates
	for range 10 {
		s.Observe(rec) // fill the evidence bound
	}
	allocs := testing.AllocsPerRun(1000, func() { s.Observe(rec) })
	if allocs != 0 {
		t.Errorf("Observe allocates %.1f times per record on the common path", allocs)
	}
}

// byAddr is a test ActorDirectory: known actors by exact address.
type byAddr map[netip.Addr]KnownActor

func (d byAddr) MatchActor(a netip.Addr, _ string) (KnownActor, bool) {
	k, ok := d[a]
	return k, ok
}

func TestAuthorizedActorIsEvidenceNotExposure(t *testing.T) {
	ix := testIndex(t)
	platform := netip.MustParseAddr("192.0.2.10")
	dir := byAddr{platform: {Label: "platform", Category: CategoryAuthorized}}
	var ls []line
	for m := time.Duration(-30 * 24 * time.Hour); m < 48*time.Hour; m += 30 * time.Minute {
		ls = append(ls, line{at: m, method: "GET", target: "/health", status: 200, body: 2, from: netip.MustParseAddr("192.0.2.250")})
	}
	ls = append(ls, line{method: "GET", target: c1, status: 200, body: 1000, from: platform})
	res := run(t, ix, Options{Actors: dir, ExposedFrom: t0.Add(-30 * 24 * time.Hour)}, ls...)
	if got := personLevel(res, adult); got != "none" {
		t.Errorf("caller heard only by the platform: %s, want none", got)
	}
	var found bool
	for _, r := range res.Exposures {
		if r.SubjectID.Reveal() == adult && r.ActorIP == "192.0.2.10" {
			found = r.Level == "full" && r.ActorCategory == CategoryAuthorized && r.ActorLabel == "platform"
		}
	}
	if !found {
		t.Error("the platform's download must stay in the exposure rows, labelled authorized")
	}
	res = run(t, ix, Options{Actors: dir, TrustedCategories: []string{}, ExposedFrom: t0.Add(-30 * 24 * time.Hour)}, ls...)
	if got := personLevel(res, adult); got != "full" {
		t.Errorf("with no trusted categories: %s, want full", got)
	}
}

func TestForwardedChainNotAddress(t *testing.T) {
	ix := testIndex(t)
	proxy := netip.MustParseAddr("192.0.2.1")
	trusted := ClientResolver{Trusted: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	// "unknown" between a client-chosen address and the proxy: the walk
	// must stop there rather than believe the left-most entry.
	l := line{method: "GET", target: c1, status: 200, body: 1000, from: proxy, xff: "203.0.113.66, unknown"}
	res := run(t, ix, Options{Proxies: trusted}, l)
	for actor := range levels(res, adult) {
		if strings.HasSuffix(actor, "/203.0.113.66") {
			t.Errorf("a client-supplied address behind an unparseable hop was believed: %s", actor)
		}
	}
}

func TestListingWithPrefixMapping(t *testing.T) {
	csv := "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n" +
		"/rec/a/c1_0701740001.mp3,c1,2019-01-20T10:00:00+01:00,60,1000,Stockholm,,caller:" + adult + "\n"
	ix, err := ReadIndex(strings.NewReader(csv), IndexOptions{Format: "csv", PathMapper: PathMapper{StripPrefix: "/public", AddPrefix: "/rec"}})
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, ix, Options{}, line{method: "GET", target: "/public/a/", status: 200, body: 500})
	if got := personLevel(res, adult); got != "metadata" {
		t.Errorf("listing through a prefix mapping: %s, want metadata", got)
	}
}

func TestHasDir(t *testing.T) {
	ix := testIndex(t)
	for p, want := range map[string]bool{"/rec/sthlm/2019/02/": true, "/rec/sthlm/2019/02": true, "/rec/": true,
		"/rec/sthlm/2019/03/": false, "/re/": false, "/rec/sthlm/2019/02/c1_0701740001.mp3/": false} {
		if got := ix.HasDir(p); got != want {
			t.Errorf("HasDir(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestListingKeyDoesNotAliasRecord(t *testing.T) {
	ix := testIndex(t)
	e := NewEngine(ix, Options{})
	s := e.NewShard()
	buf := []byte("/rec/sthlm/2019/02/")
	rec := &logparse.Record{Time: t0, Method: "GET", Status: 200, BodyBytes: 900, WireBytes: -1,
		Client: client, Source: "a.log", Line: 1, Path: unsafe.String(&buf[0], len(buf))}
	s.Observe(rec)
	copy(buf, "/xyz/xyzxy/xyzx/xy") // the reader reuses its buffer
	res := mustCollect(t, e, s)
	if got := personLevel(res, adult); got != "metadata" {
		t.Errorf("listing lost when the line buffer was reused: %s", got)
	}
}

func TestTrailingSilenceShorterThanGapIsCovered(t *testing.T) {
	sets := map[string][]int64{"a": {0, 10, 20, 30}}
	start := time.Unix(0, 0).UTC()
	cov := computeCoverage(sets, time.Hour, Interval{start, start.Add(90 * time.Minute)}, "")
	if len(cov.Uncovered) != 0 {
		t.Errorf("59 minutes of silence after the last line with a 1h gap: uncovered %v", cov.Uncovered)
	}
	cov = computeCoverage(sets, time.Hour, Interval{start, start.Add(3 * time.Hour)}, "")
	if len(cov.Uncovered) != 1 {
		t.Errorf("2h29m of silence after the last line with a 1h gap: uncovered %v", cov.Uncovered)
	}
}

func TestCopytruncateOverlapCountedOnce(t *testing.T) {
	ix := testIndex(t)
	mk := func(input string, line int64, sec int, rng string) *logparse.Record {
		return &logparse.Record{Time: t0.Add(time.Duration(sec) * time.Second), Method: "GET", Path: c1, Target: c1,
			Status: 206, BodyBytes: 100, WireBytes: -1, Range: rng, Client: client, Source: input, Line: line}
	}
	old := []*logparse.Record{mk("a.log.1", 1, 1, "bytes=0-99"), mk("a.log.1", 2, 2, "bytes=100-199"), mk("a.log.1", 3, 3, "bytes=200-299")}
	// access.log starts with the last two lines of access.log.1 again.
	cur := []*logparse.Record{mk("a.log", 1, 2, "bytes=100-199"), mk("a.log", 2, 3, "bytes=200-299"), mk("a.log", 3, 4, "bytes=300-399")}
	e := NewEngine(ix, Options{
		InputOrder: []string{"a.log.1", "a.log"},
		SourceOf:   func(s string) string { return strings.TrimSuffix(s, ".1") },
	})
	s1, s2 := e.NewShard(), e.NewShard()
	for _, r := range old {
		s1.Observe(r)
	}
	for _, r := range cur {
		s2.Observe(r)
	}
	res := mustCollect(t, e, s1, s2)
	want := []Overlap{{Input: "a.log", With: "a.log.1", Records: 2, FirstLine: 1, LastLine: 2}}
	if diff := cmp.Diff(want, res.Overlaps); diff != "" {
		t.Errorf("overlaps (-want +got):\n%s", diff)
	}
	for _, r := range res.Exposures {
		if r.SubjectID.Reveal() != adult {
			continue
		}
		if r.Requests != 4 || r.BytesDelivered != 400 {
			t.Errorf("requests %d, bytes %d; want 4 requests (6 lines, 2 repeated) and 400 bytes", r.Requests, r.BytesDelivered)
		}
		if !cmp.Equal(r.Evidence, []string{"a.log:3", "a.log.1:1", "a.log.1:2", "a.log.1:3"}) {
			t.Errorf("evidence %v: the repeated lines must not be cited", r.Evidence)
		}
	}
	if res.Summary.Engine.Records != 4 {
		t.Errorf("records %d, want 4", res.Summary.Engine.Records)
	}

	// Not consecutive in the same source, or no repeat: no overlap.
	e = NewEngine(ix, Options{InputOrder: []string{"a.log.1", "b.log"}})
	s1 = e.NewShard()
	for _, r := range old {
		s1.Observe(r)
	}
	b := mk("b.log", 1, 2, "bytes=100-199")
	s1.Observe(b)
	if res := mustCollect(t, e, s1); len(res.Overlaps) != 0 {
		t.Errorf("overlap across sources: %v", res.Overlaps)
	}
}

// BenchmarkObserve measures the engine's per-line work for a range request
// of a recording by a known actor: the common path.
func BenchmarkObserve(b *testing.B) {
	ix := testIndex(&testing.T{})
	e := NewEngine(ix, Options{})
	s := e.NewShard()
	rec := &logparse.Record{Time: t0, Method: "GET", Path: c1, Status: 206, BodyBytes: 100,
		WireBytes: -1, Range: "bytes=0-99", Client: client, Source: "a.log", Line: 1, UserAgent: "Mozilla/5.0"}
	for range 20 {
		s.Observe(rec)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Observe(rec)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func TestObserveAllocationsInRotatedSet(t *testing.T) {
	ix := testIndex(t)
	// a.log.1 is followed by a.log: its tail is fingerprinted on every line.
	e := NewEngine(ix, Options{InputOrder: []string{"a.log.1", "a.log"},
		SourceOf: func(s string) string { return strings.TrimSuffix(s, ".1") }})
	s := e.NewShard()
	rec := &logparse.Record{Time: t0, Method: "GET", Path: c1, Status: 206, BodyBytes: 100,
		WireBytes: -1, Range: "bytes=0-99", Client: client, Source: "a.log.1", Line: 5000,
		UserAgent: "Mozilla/5.0"}
	for range 20 {
		s.Observe(rec)
	}
	allocs := testing.AllocsPerRun(1000, func() { rec.Line++; s.Observe(rec) })
	if allocs != 0 {
		t.Errorf("Observe with overlap tracing allocates %.1f times per record", allocs)
	}
}

// mustCollect finishes the engine into memory.
func mustCollect(t testing.TB, e *Engine, shards ...*Shard) *Result {
	t.Helper()
	res, err := e.Collect(shards...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustLevel(s string) Level {
	l, err := ParseLevel(s)
	if err != nil {
		panic(err)
	}
	return l
}

// TestFilteredListings: a listing's query can filter (Apache ?P=) or page
// (Caddy ?limit=) what it shows; only what the page showed is exposed,
// and where the log cannot tell, the rows say listing_unknown.
func TestFilteredListings(t *testing.T) {
	ix := testIndex(t)
	dir := "/rec/sthlm/2019/02/"
	// c1 and c2 exist at t0; c3 only from 2019-02-10.
	f := func(name string, server ListingServer, query string, want map[string]string) {
		t.Helper()
		res := run(t, ix, Options{ListingServer: server}, line{method: "GET", target: dir + "?" + query, status: 200, body: 900})
		got := map[string]string{}
		for _, r := range res.Exposures {
			if r.ViaListing {
				got[r.CallID] = r.Level + "/" + r.Uncertain
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: listing rows (-want +got):\n%s", name, diff)
		}
		for _, r := range res.Recordings {
			if w := want[r.CallID]; w != "" && r.Level != "metadata" {
				t.Errorf("%s: recording %s level %s", name, r.CallID, r.Level)
			} else if w == "" && r.Level != "none" && r.Level != "undeterminable" {
				t.Errorf("%s: recording %s level %s, want none", name, r.CallID, r.Level)
			}
		}
	}
	f("apache ?P=c1*", ListingServerApache, "P=c1*", map[string]string{"c1": "metadata/"})
	f("apache ?C=N;O=D;P=c2*", ListingServerApache, "C=N;O=D;P=c2*", map[string]string{"c2": "metadata/"})
	f("apache ignores Caddy's limit", ListingServerApache, "limit=1", map[string]string{"c1": "metadata/", "c2": "metadata/"})
	f("nginx ignores ?P=", ListingServerPlain, "P=c1*", map[string]string{"c1": "metadata/", "c2": "metadata/"})
	f("unknown server, ?P=", ListingServerUnknown, "P=c1*", map[string]string{"c1": "metadata/", "c2": "metadata/listing_unknown"})
	// Caddy, a page of one by name: c1 first among what the index knows,
	// but a file the index does not list could come before it; c2 is
	// past the page either way.
	f("caddy page of one", ListingServerCaddy, "sort=name&order=asc&limit=1", map[string]string{"c1": "metadata/listing_unknown"})
	f("caddy page of one, descending", ListingServerCaddy, "sort=name&order=desc&limit=1", map[string]string{"c2": "metadata/listing_unknown"})
	f("caddy, sort by cookie", ListingServerCaddy, "limit=1", map[string]string{"c1": "metadata/listing_unknown", "c2": "metadata/listing_unknown"})
	f("caddy, a sort only", ListingServerCaddy, "sort=size", map[string]string{"c1": "metadata/", "c2": "metadata/"})

	// A whole listing by another actor settles it; the first actor
	// counts for both (the unknown server may have ignored its ?P=).
	res := run(t, ix, Options{ListingServer: ListingServerUnknown},
		line{method: "GET", target: dir + "?P=c1*", status: 200, body: 900},
		line{at: time.Minute, method: "GET", target: dir, status: 200, body: 900, from: netip.MustParseAddr("203.0.113.9")})
	for _, r := range res.Exposures {
		if r.ViaListing && (r.Uncertain != "" || r.ListingActors != 2) {
			t.Errorf("after a whole listing: %s uncertain %q, listing actors %d", r.CallID, r.Uncertain, r.ListingActors)
		}
	}
}

// TestCaddyListsAtMost10000: Caddy's browse reads the first 10,000
// entries of a folder, in the file system's order: a listing of a bigger
// folder may or may not show each name.
func TestCaddyListsAtMost10000(t *testing.T) {
	var b strings.Builder
	b.WriteString("path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n")
	for i := range caddyDirLimit + 1 {
		fmt.Fprintf(&b, "/rec/big/c%05d.wav,c%d,2019-01-20T10:00:00+01:00,60,1000,Stockholm,,caller:%s\n", i, i, adult)
	}
	ix, err := ReadIndex(strings.NewReader(b.String()), IndexOptions{Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	for _, server := range []ListingServer{ListingServerCaddy, ListingServerUnknown} {
		res := run(t, ix, Options{ListingServer: server}, line{method: "GET", target: "/rec/big/", status: 200, body: 900})
		flagged := 0
		for _, r := range res.Exposures {
			if r.ViaListing && strings.Contains(r.Uncertain, "listing_unknown") {
				flagged++
			}
		}
		want := 0
		if server == ListingServerCaddy {
			want = caddyDirLimit + 1
		}
		if flagged != want {
			t.Errorf("server %d: %d listing rows flagged listing_unknown, want %d", server, flagged, want)
		}
	}
}
