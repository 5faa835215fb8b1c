package realserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	rs "github.com/forensiclog/forensics/internal/realserver"
	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
	decision "github.com/forensiclog/forensics/sql"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.RemoveForensics()
	os.Exit(code)
}

// forensicsCLI returns the path of the forensics command built from this
// repository, or $REALSERVER_FORENSICS when set.
func forensicsCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("REALSERVER_FORENSICS"); p != "" {
		return p
	}
	return testutil.Forensics(t)
}

// exposureRow holds the exposures.parquet columns the test reads.
type exposureRow struct {
	SubjectID      string   `parquet:"subject_id"`
	Path           string   `parquet:"path"`
	Level          string   `parquet:"level"`
	BytesDelivered int64    `parquet:"bytes_delivered"`
	Coverage       float64  `parquet:"coverage"`
	ViaListing     bool     `parquet:"via_listing"`
	ListingActors  int64    `parquet:"listing_actors"`
	PriorCopy      bool     `parquet:"prior_copy"`
	InGap          bool     `parquet:"in_gap"`
	Uncertain      string   `parquet:"uncertain"`
	ActorIP        string   `parquet:"actor_ip"`
	Evidence       []string `parquet:"evidence,list"`
}

type personRow struct {
	SubjectID string `parquet:"subject_id"`
	Level     string `parquet:"level"`
}

type actorRow struct {
	ActorIP  string `parquet:"actor_ip"`
	Requests int64  `parquet:"requests"`
}

type recordingRow struct {
	Path        string    `parquet:"path"`
	Level       string    `parquet:"level"`
	Folder      string    `parquet:"folder"`
	AvailableAt time.Time `parquet:"available_at,timestamp(millisecond),optional"`
}

// listingRow is one actor's listings of a folder (listings.parquet).
type listingRow struct {
	Folder  string    `parquet:"folder"`
	ActorIP string    `parquet:"actor_ip"`
	Last    time.Time `parquet:"last,timestamp(millisecond),optional"`
}

// undecidable lists what a log format cannot decide. There the client-side
// truth and the tool's verdict differ by design, and the test asserts that
// the tool says so (the flag) instead of guessing silently.
var undecidable = []struct {
	format string // a format name (rs.FormatDefault, ...); "" for all
	kind   rs.Kind
	rec    string
	actor  netip.Addr
	level  rs.Level // the tool's verdict
	flag   string   // in the exposures' uncertain column
	reason string
}{
	{rs.FormatDefault, "", "ranges", rs.ActorRanges, rs.LevelPartial, "range_unknown",
		"no Range header in the default formats: three 206 responses whose counts sum to the file size may overlap, so not every byte is proven"},
	{rs.FormatUpstream, rs.Apache, "ranges", rs.ActorRanges, rs.LevelPartial, "range_unknown",
		"no Range header in combined: three 206 responses whose counts sum to the file size may overlap, so not every byte is proven"},
}

// overstated lists what a format logs as more than was delivered, with no
// field that tells: there the tool may only claim more than the truth if
// it flags the verdict as resting on an unknown completion (a flag naming
// "abort" or "complet..."); an unflagged "full" is a silent guess.
var overstated = []struct {
	format string
	kind   rs.Kind
	rec    string
	actor  netip.Addr
	reason string
}{
	{rs.FormatUpstream, rs.Apache, "big", rs.ActorAbort,
		"Apache's %b is the length it meant to send: the aborted 200 logs the whole 8 MiB, and combined has no %X"},
	{rs.FormatUpstream, rs.Apache, "big", rs.ActorPlayer,
		"Apache's %b logs the whole range of an aborted 206 (bytes=0- gives the file's size), and combined has no %X"},
	{rs.FormatExtended, rs.Nginx, "big", rs.ActorPlayer,
		"over HTTP/2 nginx logs what it wrote into a stream the client reset: the client's flow-control window (4 MiB for Go's client) for 64 KiB kept, and Chromium's cancelled streams as OK"},
}

// completionFlag reports whether a flag says the transfer's completion is
// unknown or aborted.
func completionFlag(flags []string) bool {
	return slices.ContainsFunc(flags, func(f string) bool {
		return strings.Contains(f, "abort") || strings.Contains(f, "complet")
	})
}

// flagged lists verdicts that are right but rest on an estimate the tool
// must flag.
var flagged = []struct {
	format string
	kind   rs.Kind
	rec    string
	actor  netip.Addr
	flag   string
	reason string
}{
	{rs.FormatDefault, "", "holes", rs.ActorHoles, "range_unknown",
		"no Range header: the pieces' positions are unknown, only their counts"},
	{rs.FormatDefault, rs.Apache, "full", rs.ActorFull, "wire_bytes",
		"Debian's combined logs %O, bytes on the wire with headers: the body is estimated"},
	{rs.FormatDefault, "", "multi", rs.ActorMulti, "range_unknown",
		"no Range header: a multipart response's count is all that is known"},
	{rs.FormatUpstream, rs.Apache, "holes", rs.ActorHoles, "range_unknown",
		"no Range header: the pieces' positions are unknown, only their counts"},
	{rs.FormatUpstream, rs.Apache, "multi", rs.ActorMulti, "range_unknown",
		"no Range header: a multipart response's count is all that is known"},
	{rs.FormatExtended, "", "multi", rs.ActorMulti, "multipart",
		"a multi-range request: the logged count includes the part headers"},
	{rs.FormatExtended, "", "big", rs.ActorAbort, "aborted",
		"the server logged the transfer as aborted (%X, $request_completion); Apache's %b even logs the whole length"},
}

// flaggedH2 lists the verdicts of the HTTP/2 run (TestRules/nginx-h2)
// that rest on a completion the log cannot prove.
var flaggedH2 = []struct {
	rec    string
	actor  netip.Addr
	flag   string
	reason string
}{
	{"full", rs.ActorFull, "completion_unknown",
		"over HTTP/2 a logged completion says what the server wrote into the stream, not what the client received"},
	{"ranges", rs.ActorFull, "completion_unknown",
		"over HTTP/2 a logged completion says what the server wrote into the stream, not what the client received"},
	{"big", rs.ActorPlayer, "completion_unknown",
		"over HTTP/2 a logged byte count is what the server wrote into a stream the client reset"},
}

func applies(format string, kind rs.Kind, lf rs.LogFormat, k rs.Kind) bool {
	return (format == "" || format == lf.Name) && (kind == "" || kind == k)
}

// acted reports whether the actor made a request in the run (the rules
// scenarios have only some of the actors).
func acted(r *run, actor netip.Addr) bool {
	return slices.Contains(r.truth.Actors(), actor)
}

// checkAnalyze runs "forensics analyze" on each log format of the run and
// compares its verdicts with the client-side truth. Default formats are
// analysed twice: named with --format, and detected by the tool, as a
// responder with nothing but the logs would run it.
func checkAnalyze(t *testing.T, r *run) {
	cli := forensicsCLI(t)
	for _, lf := range r.formats {
		variants := []string{lf.Name}
		if lf.Name == rs.FormatDefault {
			variants = append(variants, lf.Name+"-detected")
		}
		for _, v := range variants {
			t.Run(v, func(t *testing.T) {
				out := t.TempDir()
				// The window starts with the logs' first minute, so that the
				// logs cover it all: recordings nobody fetched are "none",
				// not "undeterminable".
				from := firstLogged(t, r, lf).UTC().Truncate(time.Minute).Format(time.RFC3339)
				args := []string{"analyze", "--index", r.index, "--out", out, "--trusted-proxy", "127.0.0.1/32",
					"--exposed-from", from, "--gap", "1h"}
				if !strings.HasSuffix(v, "-detected") {
					args = append(args, "--format", lf.Spec)
				}
				args = append(args, r.srv.LogFiles(lf.Name)...)
				code, stderr := runAnalyze(t, cli, args)
				if code != 0 {
					t.Fatalf("forensics analyze: exit %d\n%s", code, stderr)
				}
				if strings.HasSuffix(v, "-detected") {
					checkDetected(t, r, out)
				}
				compareVerdicts(t, r, lf, out)
				if v == lf.Name {
					checkSQL(t, r, lf, cli, out, from, 60)
				}
			})
		}
	}
}

// checkSQL writes the run's logs as a request dataset and its index as
// Parquet, runs the decision SQL (sql/) on them with DuckDB and compares
// its levels with those of analyze in out, as analyze was run: with
// --trusted-proxy 127.0.0.1/32, --exposed-from from, --gap gapMinutes.
func checkSQL(t *testing.T, r *run, lf rs.LogFormat, cli, out, from string, gapMinutes int) {
	t.Helper()
	dir := t.TempDir()
	ds, ix := filepath.Join(dir, "dataset"), filepath.Join(dir, "index")
	args := append([]string{"parse", "-q", "--dataset", ds, "--trusted-proxy", "127.0.0.1/32", "--format", lf.Spec}, r.srv.LogFiles(lf.Name)...)
	if code, stderr := runAnalyze(t, cli, args); code != 0 {
		t.Fatalf("forensics parse --dataset: exit %d\n%s", code, stderr)
	}
	if code, stderr := runAnalyze(t, cli, []string{"index", "export", "-q", "--index", r.index, "--out", ix}); code != 0 {
		t.Fatalf("forensics index export: exit %d\n%s", code, stderr)
	}
	at, err := time.Parse(time.RFC3339, from)
	if err != nil {
		t.Fatal(err)
	}
	sources := decision.DuckDBSources(ds, ix, strconv.Itoa(gapMinutes), strconv.FormatInt(at.UnixMicro(), 10), "NULL",
		[]string{exposure.CategoryAuthorized, exposure.CategoryInternal})
	testutil.SQLEquality(t, ds, ix, out, sources)
}

// detectedAs is what detection must choose for each server's default
// format: nginx's combined is Apache's combined (body bytes), Debian's
// Apache logs %O, lighttpd has %V where the others have %l.
var detectedAs = map[rs.Kind][]string{
	rs.Nginx:    {"combined", "nginx_combined"},
	rs.Apache:   {"combined_debian"},
	rs.Lighttpd: {"lighttpd"},
}

// checkDetected reads the formats the tool detected from its manifest.
func checkDetected(t *testing.T, r *run, out string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Inputs []struct {
			Format string `json:"format"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Inputs) != 2 {
		t.Errorf("manifest lists %d inputs, want the rotated and the current log", len(m.Inputs))
	}
	for i, in := range m.Inputs {
		if !slices.Contains(detectedAs[r.setup.kind], in.Format) {
			t.Errorf("input %d detected as %q, want one of %v", i, in.Format, detectedAs[r.setup.kind])
		}
	}
}

// firstLogged returns the earliest time in the run's logs of format lf.
// (The first request's client-side time may fall in the minute before the
// server's timestamp of it.)
func firstLogged(t *testing.T, r *run, lf rs.LogFormat) time.Time {
	t.Helper()
	f, err := logparse.ParseFormat(lf.Spec)
	if err != nil {
		t.Fatal(err)
	}
	var first time.Time
	for _, p := range r.srv.LogFiles(lf.Name) {
		recs, _ := readRecords(t, p, f)
		for _, rec := range recs {
			if first.IsZero() || rec.Time.Before(first) {
				first = rec.Time
			}
		}
	}
	if first.IsZero() {
		t.Fatal("no timestamps in the logs")
	}
	return first
}

// runAnalyze runs the CLI and returns its exit code and standard error,
// skipping while analyze does not exist yet. The tool's stderr carries
// positions and counts, never line contents, so tests may print it.
func runAnalyze(t *testing.T, cli string, args []string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return 0, stderr.String()
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("forensics analyze: %v", err)
	}
	return ee.ExitCode(), stderr.String()
}

// recName returns a recording's scenario name: test output never shows
// paths, which hold phone numbers.
func recName(r *run, path string) string {
	if rec, ok := r.tree.ByPath(path); ok {
		return rec.Name
	}
	return notInIndex
}

const notInIndex = "<not in the index>"

func compareVerdicts(t *testing.T, r *run, lf rs.LogFormat, out string) {
	exps, err := parquet.ReadFile[exposureRow](filepath.Join(out, "exposures.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	persons, err := parquet.ReadFile[personRow](filepath.Join(out, "persons.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := parquet.ReadFile[recordingRow](filepath.Join(out, "recordings.parquet"))
	if err != nil {
		t.Fatal(err)
	}

	// Expected (recording, actor) levels: the truth, with the
	// undecidable cases replaced by the tool's required verdict.
	want := map[pair]rs.Level{}
	for _, p := range r.truth.Pairs() {
		want[pair{recName(r, p.Path), p.Actor}] = p.Level
	}
	for _, u := range undecidable {
		if applies(u.format, u.kind, lf, r.setup.kind) && acted(r, u.actor) {
			k := pair{u.rec, u.actor}
			if want[k] == u.level {
				t.Errorf("undecidable case %s/%s is decided by the truth already: drop it from the table", u.rec, u.actor)
			}
			want[k] = u.level
		}
	}

	// Overstated cases: compared below, not here.
	truthOf := map[pair]rs.Level{}
	for _, o := range overstated {
		if applies(o.format, o.kind, lf, r.setup.kind) && acted(r, o.actor) {
			k := pair{o.rec, o.actor}
			truthOf[k] = want[k]
		}
	}
	got := map[pair]rs.Level{}
	flags := map[pair][]string{}
	delivered := map[pair]int64{}
	coverage := map[pair]float64{}
	for i, e := range exps {
		if e.ViaListing {
			continue // listing pairs are rebuilt from listings.parquet below
		}
		if e.ActorIP == "" {
			t.Errorf("exposures row %d: no actor (level %s, in_gap %v): the logs cover the whole window", i+1, e.Level, e.InGap)
			continue
		}
		a, err := netip.ParseAddr(e.ActorIP)
		if err != nil {
			t.Errorf("exposures row %d: actor_ip is not an address", i+1)
			continue
		}
		l, ok := rs.ParseLevel(e.Level)
		if !ok {
			t.Errorf("exposures row %d: level %q", i+1, e.Level)
			continue
		}
		k := pair{recName(r, e.Path), a}
		if old, seen := got[k]; seen && old != l {
			t.Errorf("%s by %s: subjects of one recording have different levels (%v, %v)", k.rec, k.actor, old, l)
		}
		got[k] = max(got[k], l)
		delivered[k] = e.BytesDelivered
		coverage[k] = e.Coverage
		if e.Uncertain != "" {
			flags[k] = append(flags[k], strings.Split(e.Uncertain, ",")...)
		}
		if k.actor == rs.ActorCond && k.rec == "full" && !e.PriorCopy {
			t.Errorf("%s by %s: a 304 is not marked prior_copy", k.rec, k.actor)
		}
	}
	// Listing pairs, as the README's query rebuilds them: a recording of
	// a folder was shown to each actor whose last listing of the folder
	// came at or after the file became available.
	listings, err := parquet.ReadFile[listingRow](filepath.Join(out, "listings.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	filtered := filteringActors(r)
	for _, l := range listings {
		a, err := netip.ParseAddr(l.ActorIP)
		if err != nil {
			t.Errorf("listings: actor_ip is not an address")
			continue
		}
		if filtered[a] {
			continue // checked per recording below
		}
		for _, rec := range recs {
			if rec.Folder == l.Folder && !l.Last.IsZero() && !rec.AvailableAt.After(l.Last) {
				k := pair{recName(r, rec.Path), a}
				got[k] = max(got[k], rs.LevelMetadata)
			}
		}
	}
	if len(filtered) > 0 {
		checkFilteredListings(t, r, exps, filtered, got)
	}
	checkEvidence(t, r, lf, exps)
	for k, tl := range truthOf {
		gl := got[k]
		switch {
		case gl == tl:
		case gl > tl && completionFlag(flags[k]):
			want[k] = gl // the tool says it cannot tell: accepted
		default:
			var reason string
			for _, o := range overstated {
				if o.rec == k.rec && o.actor == k.actor {
					reason = o.reason
				}
			}
			t.Errorf("%s by %s: the client got %v, the tool says %v with flags %v: %s; the verdict must say the completion is unknown",
				k.rec, k.actor, tl, gl, flags[k], reason)
			want[k] = gl // reported here, not again below
		}
	}
	lines := func(m map[pair]rs.Level) []string {
		var s []string
		for k, l := range m {
			if l > rs.LevelNone {
				s = append(s, fmt.Sprintf("%-9s %-14s %v", k.rec, k.actor, l))
			}
		}
		slices.Sort(s)
		return s
	}
	if diff := gocmp.Diff(lines(want), lines(got)); diff != "" {
		t.Errorf("(recording, actor) levels (-truth +analyzer):\n%s", diff)
	}
	// Where the tool flags nothing, its byte counts are exact: what the
	// client received, except for aborted transfers, where the server
	// counts what it sent (more than the client kept, less than the file).
	aborted := map[pair]bool{}
	for _, ex := range r.truth.Exchanges {
		if ex.Aborted {
			aborted[pair{recName(r, ex.Recording), ex.Actor}] = true
		}
	}
	for k, l := range got {
		if _, over := truthOf[k]; l < rs.LevelPartial || len(flags[k]) > 0 || k.rec == notInIndex || over {
			continue
		}
		rec := r.tree.Rec(k.rec)
		truthBytes := r.truth.Covered(k.actor, rec.Path)
		switch b := delivered[k]; {
		case aborted[k] && (b < truthBytes || b >= rec.Size):
			t.Errorf("%s by %s: aborted transfer, bytes_delivered %d outside [%d, %d)", k.rec, k.actor, b, truthBytes, rec.Size)
		case !aborted[k] && b != truthBytes:
			t.Errorf("%s by %s: bytes_delivered %d without an uncertainty flag, the client received %d", k.rec, k.actor, b, truthBytes)
		}
		if want := float64(truthBytes) / float64(rec.Size); !aborted[k] && math.Abs(coverage[k]-want) > 1e-9 {
			t.Errorf("%s by %s: coverage %.6f without an uncertainty flag, the client received %.6f of the file", k.rec, k.actor, coverage[k], want)
		}
	}
	for _, u := range undecidable {
		if applies(u.format, u.kind, lf, r.setup.kind) && acted(r, u.actor) && !slices.Contains(flags[pair{u.rec, u.actor}], u.flag) {
			t.Errorf("%s by %s: undecidable (%s) but not flagged %s", u.rec, u.actor, u.reason, u.flag)
		}
	}
	for _, f := range flagged {
		if applies(f.format, f.kind, lf, r.setup.kind) && acted(r, f.actor) && !slices.Contains(flags[pair{f.rec, f.actor}], f.flag) {
			t.Errorf("%s by %s: estimate (%s) not flagged %s", f.rec, f.actor, f.reason, f.flag)
		}
	}
	if r.setup.name == "rules-nginx" {
		for _, f := range flaggedH2 {
			if !slices.Contains(flags[pair{f.rec, f.actor}], f.flag) {
				t.Errorf("%s by %s: %s, but not flagged %s", f.rec, f.actor, f.reason, f.flag)
			}
		}
	}

	// Persons: the highest level over the recordings that name them.
	label := map[string]string{} // digits of the number -> opaque label
	wantP := map[string]rs.Level{}
	recLevel := map[string]rs.Level{}
	for k, l := range want {
		recLevel[k.rec] = max(recLevel[k.rec], l)
	}
	for _, rec := range r.tree.Recordings {
		for _, s := range rec.Subjects {
			d := digits(s.Number)
			if label[d] == "" {
				label[d] = fmt.Sprintf("subject-%02d", len(label)+1)
			}
			wantP[label[d]] = max(wantP[label[d]], recLevel[rec.Name])
		}
	}
	gotP := map[string]rs.Level{}
	for i, p := range persons {
		lb, ok := label[digits(p.SubjectID)]
		if !ok {
			t.Errorf("persons row %d: a subject the index does not name", i+1)
			continue
		}
		l, ok := rs.ParseLevel(p.Level)
		if !ok {
			t.Errorf("persons row %d: level %q", i+1, p.Level)
		}
		gotP[lb] = l
	}
	if diff := gocmp.Diff(wantP, gotP); diff != "" {
		t.Errorf("person levels (-truth +analyzer):\n%s", diff)
	}
	// Actors: every request counted once, under the forwarded address.
	actors, err := parquet.ReadFile[actorRow](filepath.Join(out, "actors.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	wantA, gotA := map[string]int64{}, map[string]int64{}
	for _, ex := range r.truth.Exchanges {
		wantA[ex.Actor.String()]++
	}
	for _, a := range actors {
		if ip, err := netip.ParseAddr(a.ActorIP); err == nil {
			gotA[ip.String()] += a.Requests
		} else {
			gotA[a.ActorIP] += a.Requests
		}
	}
	if diff := gocmp.Diff(wantA, gotA); diff != "" {
		t.Errorf("requests per actor (-truth +analyzer):\n%s", diff)
	}

	// Recordings: the highest level over all actors.
	gotR := map[string]rs.Level{}
	for _, rr := range recs {
		l, _ := rs.ParseLevel(rr.Level)
		gotR[recName(r, rr.Path)] = l
	}
	wantR := map[string]rs.Level{}
	for _, rec := range r.tree.Recordings {
		wantR[rec.Name] = recLevel[rec.Name]
	}
	if diff := gocmp.Diff(wantR, gotR); diff != "" {
		t.Errorf("recording levels (-truth +analyzer):\n%s", diff)
	}
}

// checkEvidence follows every exposure's evidence ("file:line") back to
// the log line and checks that it is a request by that actor for that
// recording, or a listing of its folder.
func checkEvidence(t *testing.T, r *run, lf rs.LogFormat, exps []exposureRow) {
	t.Helper()
	f, err := logparse.ParseFormat(lf.Spec)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]*logparse.Record{}
	for _, p := range r.srv.LogFiles(lf.Name) {
		recs, _ := readRecords(t, p, f)
		byName[filepath.Base(p)] = recs
	}
	bad := 0
	for i, e := range exps {
		if len(e.Evidence) == 0 {
			t.Errorf("exposures row %d: no evidence", i+1)
			continue
		}
		for _, ev := range e.Evidence {
			j := strings.LastIndexByte(ev, ':')
			n, err := strconv.Atoi(ev[j+1:])
			recs, ok := byName[filepath.Base(ev[:max(j, 0)])]
			if j < 0 || err != nil || !ok || n < 1 || n > len(recs) {
				t.Errorf("exposures row %d: evidence does not name a line of an input", i+1)
				bad++
				continue
			}
			rec := recs[n-1]
			p := cleanURLPath(rec.Path)
			client := rec.Client
			if ff := rec.ForwardedFor; ff != "" && client.IsLoopback() {
				// Caddy logs the peer and the forwarded chain: the actor
				// is the chain's last hop (the one the proxy added).
				if a, err := netip.ParseAddr(strings.TrimSpace(ff[strings.LastIndexByte(ff, ',')+1:])); err == nil {
					client = a
				}
			}
			folder := e.Path[:strings.LastIndexByte(e.Path, '/')+1]
			if e.ViaListing && p != folder {
				t.Errorf("exposures row %d: evidence line %d is not a listing of the recording's folder", i+1, n)
				bad++
			} else if !e.ViaListing && (client.String() != e.ActorIP || (p != e.Path && p != folder && !strings.HasPrefix(p, e.Path+"/"))) {
				t.Errorf("exposures row %d: evidence line %d is not this actor's request for the recording or its folder", i+1, n)
				bad++
			}
		}
		if bad > 10 {
			t.Fatal("giving up on evidence")
		}
	}
}

// cleanURLPath removes dot segments, keeping a trailing slash.
func cleanURLPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// digits returns the last ten digits of a personnummer in any form
// (YYMMDDNNNC), the part that identifies it.
func digits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	if len(b) > 10 {
		b = b[len(b)-10:]
	}
	return string(b)
}

// A pair is a recording, by scenario name, and an actor.
type pair struct {
	rec   string
	actor netip.Addr
}

// filteringActors returns the actors that made a listing whose query
// filters or pages (Apache ?P=, Caddy ?limit=, ?offset=): listings.parquet
// says which folders they listed, not which names a page showed.
func filteringActors(r *run) map[netip.Addr]bool {
	out := map[netip.Addr]bool{}
	for _, ex := range r.truth.Exchanges {
		if _, q, ok := strings.Cut(ex.Target, "?"); ok && ex.Listing {
			v := exposure.ParseListingView(q)
			if v.Pattern != "" || v.Limit > 0 || v.Offset > 0 {
				out[ex.Actor] = true
			}
		}
	}
	return out
}

// checkFilteredListings compares, recording by recording, how many
// distinct actors a listing showed the name to (the truth) with the
// exposures' listing_actors: a page that hid the name must not count,
// unless the row says listing_unknown (the log cannot tell). The pairs of
// the filtering actors are then taken as the truth has them.
func checkFilteredListings(t *testing.T, r *run, exps []exposureRow, filtered map[netip.Addr]bool, got map[pair]rs.Level) {
	t.Helper()
	saw := map[string]map[netip.Addr]bool{} // recording name -> actors
	for _, ex := range r.truth.Exchanges {
		for _, p := range ex.Listed {
			name := recName(r, p)
			if saw[name] == nil {
				saw[name] = map[netip.Addr]bool{}
			}
			saw[name][ex.Actor] = true
		}
	}
	tool := map[string]exposureRow{}
	for _, e := range exps {
		if e.ViaListing {
			tool[recName(r, e.Path)] = e
		}
	}
	for _, rec := range r.tree.Recordings {
		n := int64(len(saw[rec.Name]))
		e, ok := tool[rec.Name]
		unknown := strings.Contains(e.Uncertain, "listing_unknown")
		switch {
		case !ok && n == 0:
		case !ok:
			t.Errorf("%s: listings showed it to %d actors, the tool has no listing row", rec.Name, n)
		case e.ListingActors == n:
		case e.ListingActors > n && unknown:
			// The tool says it cannot tell: accepted.
		default:
			t.Errorf("%s: listings showed it to %d actors, the tool says %d (uncertain %q)", rec.Name, n, e.ListingActors, e.Uncertain)
		}
		for a := range saw[rec.Name] {
			if filtered[a] {
				k := pair{rec.Name, a}
				got[k] = max(got[k], rs.LevelMetadata)
			}
		}
	}
}
