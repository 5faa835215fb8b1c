package realserver_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	rs "github.com/forensiclog/forensics/internal/realserver"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// The rules of issue 11, each against the server that shows it, with curl
// where a responder would reproduce it by hand:
//
//   - Apache with AcceptPathInfo On answers "x.wav/extra.mp3" and
//     "x.wav/" with the recording;
//   - Apache's ?P=*.wav listing shows only the wav files; Caddy's
//     ?limit=2 only two entries, in its sort order;
//   - a 416 (curl -r past the end) tells that the file exists;
//   - through HAProxy, whose log carries the captured Range and
//     Content-Range headers, a download in segments covers the file.
//
// The truth is what the clients received; the analyzer's verdicts are
// compared with it as in TestRealServers.
func TestRules(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("curl: %v (CI is set: .ci/run installs it)", err)
		}
		t.Skipf("curl: %v", err)
	}
	t.Run("apache", func(t *testing.T) {
		t.Parallel()
		r := playRules(t, rs.Apache, rs.FormatExtended, apacheRules)
		checkApacheRules(t, r)
		analyzeRules(t, r)
	})
	t.Run("caddy", func(t *testing.T) {
		t.Parallel()
		r := playRules(t, rs.Caddy, rs.FormatDefault, caddyRules)
		checkCaddyRules(t, r)
		analyzeRules(t, r)
	})
	t.Run("nginx-h2", func(t *testing.T) {
		t.Parallel()
		r := playRules(t, rs.Nginx, rs.FormatExtended, h2Rules)
		checkH2Rules(t, r)
		analyzeRules(t, r)
	})
	t.Run("haproxy", func(t *testing.T) {
		t.Parallel()
		r := playRules(t, rs.HAProxy, rs.FormatDefault, haproxyRules)
		checkHAProxyRules(t, r)
		if !logsRanges(t, r) {
			t.Error("logparse gives no Range from HAProxy's captured headers")
		}
		analyzeRules(t, r)
	})
}

// logsRanges reports whether logparse gives the run's records a Range.
func logsRanges(t *testing.T, r *run) bool {
	f, err := logparse.ParseFormat(r.formats[0].Spec)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := readRecords(t, r.srv.LogFiles(r.formats[0].Name)[0], f)
	return len(recs) > 0 && recs[0].Range != ""
}

// HAProxy's log names the TCP peer, always the loopback address here: the
// one actor of the HAProxy scenario.
var proxyActor = netip.MustParseAddr("127.0.0.1")

// playRules starts a server of kind writing format, plays script against
// it and returns the finished run. HAProxy gets an Apache behind it.
func playRules(t *testing.T, kind rs.Kind, format string, script func(*rs.Tree, func(netip.Addr, string) *rs.Actor) error) *run {
	t.Helper()
	requireBinary(t, kind)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	docRoot, dir := t.TempDir(), t.TempDir()
	tree, err := rs.BuildTree(docRoot, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// No late call here: its file exists from the start.
	tree.SetLateEnd(time.Now().Add(-time.Hour))
	if err := tree.MaterializeLate(); err != nil {
		t.Fatal(err)
	}
	lf := rs.Formats(kind)[format]
	cfg := rs.Config{Kind: kind, Dir: dir, DocRoot: docRoot, Formats: []rs.LogFormat{lf}, TZ: serverTZ,
		AcceptPathInfo: kind == rs.Apache, TLS: kind == rs.Nginx}
	if kind == rs.HAProxy {
		requireBinary(t, rs.Apache)
		bdir := t.TempDir()
		backend, err := rs.Start(ctx, rs.Config{Kind: rs.Apache, Dir: bdir, DocRoot: docRoot,
			Formats: []rs.LogFormat{rs.Formats(rs.Apache)[rs.FormatDefault]}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(backend.Kill)
		cfg.Backend = backend.Addr
	}
	srv, err := rs.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	truth := rs.NewTruth(tree)
	var actors []*rs.Actor
	mk := func(ip netip.Addr, ua string) *rs.Actor {
		a := rs.NewActor(srv, truth, ip, ua)
		actors = append(actors, a)
		return a
	}
	err = script(tree, mk)
	for _, a := range actors {
		a.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(dir, "index.csv")
	if err := tree.WriteIndex(index); err != nil {
		t.Fatal(err)
	}
	r := &run{setup: setup{name: "rules-" + string(kind), kind: kind, formats: []string{format}},
		srv: srv, tree: tree, truth: truth, index: index, formats: []rs.LogFormat{lf}}
	keep(t, r)
	return r
}

// want checks an exchange's status; it returns err, or a new error.
func want(err error, ex rs.Exchange, e error, status int) error {
	if err != nil {
		return err
	}
	if e != nil {
		return e
	}
	if ex.Status != status {
		return fmt.Errorf("step %s: status %d, want %d", ex.Step, ex.Status, status)
	}
	return nil
}

const curlUA = "curl/7.88.1"

func apacheRules(tree *rs.Tree, mk func(netip.Addr, string) *rs.Actor) error {
	var err error
	full, ranges, holes, probed := tree.Rec("full"), tree.Rec("ranges"), tree.Rec("holes"), tree.Rec("probed")
	a := mk(rs.ActorFull, curlUA)
	ex, e := a.Curl("pathinfo", rs.EscapePath(full.Path)+"/extra.mp3")
	err = want(err, ex, e, 200)
	b := mk(rs.ActorRanges, curlUA)
	ex, e = b.Curl("trailing-slash", rs.EscapePath(ranges.Path)+"/")
	err = want(err, ex, e, 200)
	c := mk(rs.ActorHoles, curlUA)
	ex, e = c.Curl("pathinfo-range", rs.EscapePath(holes.Path)+"/x.wav", "-r", "0-999")
	err = want(err, ex, e, 206)
	l := mk(rs.ActorSortLister, curlUA)
	ex, e = l.Curl("list-wav", rs.EscapePath(full.Dir())+"?P=*.wav")
	err = want(err, ex, e, 200)
	p := mk(rs.ActorProbe, curlUA)
	ex, e = p.Curl("416", rs.EscapePath(probed.Path), "-r", fmt.Sprintf("%d-", probed.Size+1000))
	return want(err, ex, e, 416)
}

func checkApacheRules(t *testing.T, r *run) {
	t.Helper()
	for _, ex := range r.truth.Exchanges {
		switch ex.Step {
		case "pathinfo", "trailing-slash", "pathinfo-range":
			if !ex.PathInfo {
				t.Errorf("step %s: the body is not the recording's bytes", ex.Step)
			}
		case "list-wav":
			if len(ex.Listed) != 2 || slices.ContainsFunc(ex.Listed, func(p string) bool { return !strings.HasSuffix(p, ".wav") }) {
				t.Errorf("step %s: ?P=*.wav showed %d recordings, want the folder's 2 wav files only", ex.Step, len(ex.Listed))
			}
		}
	}
	wantLevel(t, r, "full", rs.ActorFull, rs.LevelFull)
	wantLevel(t, r, "ranges", rs.ActorRanges, rs.LevelFull)
	wantLevel(t, r, "holes", rs.ActorHoles, rs.LevelPartial)
	wantLevel(t, r, "full", rs.ActorSortLister, rs.LevelNone)
	wantLevel(t, r, "listed", rs.ActorSortLister, rs.LevelMetadata)
	wantLevel(t, r, "probed", rs.ActorProbe, rs.LevelMetadata)
}

func caddyRules(tree *rs.Tree, mk func(netip.Addr, string) *rs.Actor) error {
	var err error
	full, probed := tree.Rec("full"), tree.Rec("probed")
	a := mk(rs.ActorFull, "Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0")
	ex, e := a.Request("full-get", "GET", rs.EscapePath(full.Path), nil)
	err = want(err, ex, e, 200)
	// Sort and order by cookie (none here: Caddy's default, namedirfirst
	// ascending), a page of two of the folder's three recordings.
	l := mk(rs.ActorLister, curlUA)
	ex, e = l.Curl("list-limit", rs.EscapePath(full.Dir())+"?limit=2")
	err = want(err, ex, e, 200)
	// An explicit sort: the page is known.
	s := mk(rs.ActorSortLister, curlUA)
	ex, e = s.Curl("list-sorted-page", rs.EscapePath(full.Dir())+"?sort=name&order=desc&limit=2")
	err = want(err, ex, e, 200)
	p := mk(rs.ActorProbe, curlUA)
	ex, e = p.Curl("416", rs.EscapePath(probed.Path), "-r", fmt.Sprintf("%d-", probed.Size+1000))
	return want(err, ex, e, 416)
}

func checkCaddyRules(t *testing.T, r *run) {
	t.Helper()
	for _, ex := range r.truth.Exchanges {
		switch ex.Step {
		case "list-limit", "list-sorted-page":
			if len(ex.Listed) != 2 {
				t.Errorf("step %s: the page showed %d recordings, want 2", ex.Step, len(ex.Listed))
			}
		case "416":
			if !strings.HasPrefix(ex.ContentRange, "bytes */") {
				t.Errorf("step %s: Caddy's 416 without Content-Range bytes */SIZE", ex.Step)
			}
		}
	}
	// Names sort by call ID: full < ranges < listed. Descending, the
	// page is listed and ranges.
	wantLevel(t, r, "listed", rs.ActorSortLister, rs.LevelMetadata)
	wantLevel(t, r, "ranges", rs.ActorSortLister, rs.LevelMetadata)
	wantLevel(t, r, "full", rs.ActorSortLister, rs.LevelNone)
	wantLevel(t, r, "probed", rs.ActorProbe, rs.LevelMetadata)
}

func haproxyRules(tree *rs.Tree, mk func(netip.Addr, string) *rs.Actor) error {
	var err error
	// A download manager's three segments of "ranges" (40,000 bytes).
	a := mk(proxyActor, "aria2/1.36.0")
	p := rs.EscapePath(tree.Rec("ranges").Path)
	for i, seg := range []string{"0-9999", "10000-24999", "25000-"} {
		ex, e := a.Curl(fmt.Sprintf("segment-%d", i+1), p, "-r", seg)
		err = want(err, ex, e, 206)
	}
	// A resumed download of "holes": the first 4 KiB, then the rest.
	h := rs.EscapePath(tree.Rec("holes").Path)
	ex, e := a.Curl("resume-1", h, "-r", "0-4095")
	err = want(err, ex, e, 206)
	ex, e = a.Curl("resume-2", h, "-r", "4096-")
	return want(err, ex, e, 206)
}

func checkHAProxyRules(t *testing.T, r *run) {
	t.Helper()
	wantLevel(t, r, "ranges", proxyActor, rs.LevelFull)
	wantLevel(t, r, "holes", proxyActor, rs.LevelFull)
	// The log carries the captured headers, one request per line.
	f, err := logparse.ParseFormat(r.formats[0].Spec)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := readRecords(t, r.srv.LogFiles(r.formats[0].Name)[0], f)
	if len(recs) != len(r.truth.Exchanges) {
		t.Fatalf("%d log records, want one per request (%d)", len(recs), len(r.truth.Exchanges))
	}
	for i, rec := range recs {
		var req, resp string
		for _, x := range rec.Extra {
			switch x.Name {
			case "captured_request_headers":
				req = x.Value
			case "captured_response_headers":
				resp = x.Value
			}
		}
		if !strings.HasPrefix(req, "bytes=") || !strings.HasPrefix(resp, "bytes ") {
			t.Errorf("line %d: captured headers not logged as {bytes=...} {bytes .../size}", i+1)
		}
	}
}

// h2Rules: nginx over TLS and HTTP/2. A complete download, and a
// player's stream cancelled after 64 KiB on a connection that stays open.
func h2Rules(tree *rs.Tree, mk func(netip.Addr, string) *rs.Actor) error {
	var err error
	a := mk(rs.ActorFull, "Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0")
	ex, e := a.Request("h2-full", "GET", rs.EscapePath(tree.Rec("full").Path), nil)
	err = want(err, ex, e, 200)
	c := mk(rs.ActorFull, curlUA)
	ex, e = c.Curl("h2-curl", rs.EscapePath(tree.Rec("ranges").Path), "--http2")
	err = want(err, ex, e, 200)
	p := mk(rs.ActorPlayer, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36")
	ex, e = p.CancelledStream("h2-cancel", rs.EscapePath(tree.Rec("big").Path), 65536)
	err = want(err, ex, e, 200)
	// A later request on the same connection: the stream was reset, the
	// connection lives on.
	ex, e = p.Request("h2-after", "HEAD", rs.EscapePath(tree.Rec("head").Path), nil)
	return want(err, ex, e, 200)
}

func checkH2Rules(t *testing.T, r *run) {
	t.Helper()
	for _, ex := range r.truth.Exchanges {
		if !strings.HasPrefix(ex.Proto, "HTTP/2") {
			t.Errorf("step %s: answered over %s, want HTTP/2", ex.Step, ex.Proto)
		}
	}
	wantLevel(t, r, "full", rs.ActorFull, rs.LevelFull)
	wantLevel(t, r, "ranges", rs.ActorFull, rs.LevelFull)
	wantLevel(t, r, "big", rs.ActorPlayer, rs.LevelPartial)
}

// wantLevel checks the client-side truth itself: the scenario did what
// it is meant to show.
func wantLevel(t *testing.T, r *run, rec string, actor netip.Addr, l rs.Level) {
	t.Helper()
	if got := r.truth.RecordingLevel(actor, r.tree.Rec(rec).Path); got != l {
		t.Errorf("truth: %s by %s is %v, want %v", rec, actor, got, l)
	}
}

// analyzeRules runs forensics analyze on the run's log and compares its
// verdicts with the truth.
func analyzeRules(t *testing.T, r *run) {
	t.Helper()
	lf := r.formats[0]
	t.Run("analyze", func(t *testing.T) {
		out := t.TempDir()
		from := firstLogged(t, r, lf).UTC().Truncate(time.Minute).Format(time.RFC3339)
		args := []string{"analyze", "--index", r.index, "--out", out, "--trusted-proxy", "127.0.0.1/32",
			"--exposed-from", from, "--gap", "1h", "--format", lf.Spec}
		args = append(args, r.srv.LogFiles(lf.Name)...)
		code, stderr := runAnalyze(t, forensicsCLI(t), args)
		if code != 0 {
			t.Fatalf("forensics analyze: exit %d\n%s", code, stderr)
		}
		compareVerdicts(t, r, lf, out)
		// The decision SQL decides these rules too: path info (Apache's
		// AcceptPathInfo), filtered and paged listings (Apache's ?P=,
		// Caddy's ?limit=).
		checkSQL(t, r, lf, forensicsCLI(t), out, from, 60)
	})
}
