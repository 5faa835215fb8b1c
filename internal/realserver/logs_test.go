package realserver_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rs "github.com/forensiclog/forensics/internal/realserver"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// phaseSplit returns the number of exchanges made before the rotation.
func phaseSplit(t *testing.T, r *run) int {
	t.Helper()
	i := slices.IndexFunc(r.truth.Exchanges, func(ex rs.Exchange) bool { return ex.Step == "conditional" })
	if i < 0 {
		t.Fatal("no conditional step in the truth")
	}
	return i
}

// checkLogs checks that every request was logged once, in the generation
// it was made in, with the forwarded address as the client.
func checkLogs(t *testing.T, r *run) {
	split := phaseSplit(t, r)
	actors := r.truth.Actors()
	for _, f := range r.formats {
		files := r.srv.LogFiles(f.Name)
		if len(files) != 2 || !strings.HasSuffix(files[0], ".1.gz") {
			t.Fatalf("%s: log files %v, want a rotated .1.gz and the current file", f.Name, files)
		}
		old, cur := logLines(t, files[0]), logLines(t, files[1])
		if len(old) != split || len(cur) != len(r.truth.Exchanges)-split {
			t.Errorf("%s: %d lines before rotation and %d after, want %d and %d",
				f.Name, len(old), len(cur), split, len(r.truth.Exchanges)-split)
		}
		// Lines are written when a request ends, so an aborted transfer
		// may come after later requests: compare the actors as multisets.
		for gen, lines := range [][]string{old, cur} {
			exs := r.truth.Exchanges[:split]
			if gen == 1 {
				exs = r.truth.Exchanges[split:]
			}
			want, got := map[netip.Addr]int{}, map[netip.Addr]int{}
			for _, ex := range exs {
				want[ex.Actor]++
			}
			for i, line := range lines {
				field, _, _ := strings.Cut(line, " ")
				a, err := netip.ParseAddr(field)
				if err != nil || !slices.Contains(actors, a) {
					// Never print the line: it holds a phone number.
					t.Errorf("%s: generation %d line %d: the client field is not a scenario actor's forwarded address", f.Name, gen, i+1)
					continue
				}
				got[a]++
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("%s: generation %d: lines per actor (-want +got):\n%s", f.Name, gen, diff)
			}
		}
	}
}

// readRecords parses a log file (gunzipping .gz) with logparse.
func readRecords(t *testing.T, path string, f logparse.Format) ([]*logparse.Record, logparse.Stats) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var in io.Reader = bytes.NewReader(data)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(in)
		if err != nil {
			t.Fatal(err)
		}
		in = zr
	}
	rd := logparse.NewReader(in, f)
	rd.Name = path
	var recs []*logparse.Record
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		var perr *logparse.ParseError
		if errors.As(err, &perr) {
			t.Errorf("%v", perr) // positions only
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs, rd.Stats()
}

// checkLogparse reads every log with pkg/logparse in the format the server
// was configured with and compares each record with the exchange that
// caused it.
func checkLogparse(t *testing.T, r *run) {
	for _, lf := range r.formats {
		t.Run(lf.Name, func(t *testing.T) {
			f, err := logparse.ParseFormat(lf.Spec)
			if err != nil {
				t.Fatal(err)
			}
			var recs []*logparse.Record
			for _, p := range r.srv.LogFiles(lf.Name) {
				rr, st := readRecords(t, p, f)
				if st.Rejected != 0 || st.Records != st.Lines {
					t.Errorf("%s: %d lines, %d records, %d rejected", p, st.Lines, st.Records, st.Rejected)
				}
				recs = append(recs, rr...)
			}
			if len(recs) != len(r.truth.Exchanges) {
				t.Fatalf("%d records, want one per exchange (%d)", len(recs), len(r.truth.Exchanges))
			}
			// The logged offset is the servers' zone's (when the system
			// has zone data; without it servers log UTC).
			wantOff := 0
			if loc, err := time.LoadLocation(serverTZ); err == nil {
				_, wantOff = r.truth.Exchanges[0].Time.In(loc).Zone()
			}
			for _, rec := range recs {
				if _, off := rec.Time.Zone(); off != wantOff {
					t.Errorf("line %d of %s: offset %+d s, want %+d s", rec.Line, filepath.Base(rec.Source), off, wantOff)
					break
				}
			}
			late := r.tree.Rec("late")
			for i, rec := range matchRecords(t, r.truth.Exchanges, recs) {
				ex := r.truth.Exchanges[i]
				checkRecord(t, lf, ex, rec, ambiguous(r.truth.Exchanges, i))
				if ex.Step == "late-list" && rec.Time.Before(late.End()) {
					t.Errorf("step %s: the server stamped the listing before the late call ended (stale clock): the analyzer cannot see the file in it", ex.Step)
				}
			}
		})
	}
}

// matchRecords pairs each exchange with the record of the same actor,
// method, target and (when logged) Range, in order: log lines are written
// when requests end, which is not always the order they were made in.
func matchRecords(t *testing.T, exs []rs.Exchange, recs []*logparse.Record) []*logparse.Record {
	t.Helper()
	type key struct {
		actor               netip.Addr
		method, target, rng string
	}
	logsRange := slices.ContainsFunc(recs, func(rec *logparse.Record) bool { return rec.Range != "" })
	queue := map[key][]*logparse.Record{}
	for _, rec := range recs {
		k := key{rec.Client, rec.Method, rec.Target, rec.Range}
		queue[k] = append(queue[k], rec)
	}
	out := make([]*logparse.Record, len(exs))
	for i, ex := range exs {
		k := key{ex.Actor, ex.Method, ex.Target, ""}
		if logsRange {
			k.rng = ex.Range
		}
		if len(queue[k]) == 0 {
			t.Fatalf("step %s: no logged record for this request", ex.Step)
		}
		out[i], queue[k] = queue[k][0], queue[k][1:]
	}
	return out
}

// ambiguous reports whether exchange i shares actor, method and target
// with another exchange and one of them was aborted: its log line may then
// be any of theirs when the format does not log the Range.
func ambiguous(exs []rs.Exchange, i int) bool {
	n, aborted := 0, false
	for _, ex := range exs {
		if ex.Actor == exs[i].Actor && ex.Method == exs[i].Method && ex.Target == exs[i].Target {
			n++
			aborted = aborted || ex.Aborted
		}
	}
	return n > 1 && aborted
}

// checkRecord compares what the server logged with what the client did.
// With ambiguous set, the record may belong to a sibling request: only
// what they share is compared.
func checkRecord(t *testing.T, lf rs.LogFormat, ex rs.Exchange, rec *logparse.Record, ambiguous bool) {
	t.Helper()
	if rec.Client != ex.Actor {
		t.Errorf("step %s: logged client is not the actor", ex.Step)
	}
	if rec.Method != ex.Method || rec.Target != ex.Target || rec.Status != ex.Status {
		t.Errorf("step %s: logged request or status differs from the one made (method %v, target %v, status %d/%d)",
			ex.Step, rec.Method == ex.Method, rec.Target == ex.Target, rec.Status, ex.Status)
	}
	if rec.Time.IsZero() {
		t.Errorf("step %s: no time", ex.Step)
	}
	if ambiguous && rec.Range == "" {
		return
	}
	delivered := ex.Recording != "" && ex.Method == "GET" && (ex.Status == 200 || ex.Status == 206)
	if delivered && !ex.Aborted && rec.BodyBytes != logparse.NotLogged && rec.BodyBytes != ex.BodyBytes {
		t.Errorf("step %s: logged body bytes %d, client read %d", ex.Step, rec.BodyBytes, ex.BodyBytes)
	}
	if delivered && rec.BodyBytes == logparse.NotLogged && rec.WireBytes <= ex.BodyBytes && !ex.Aborted {
		t.Errorf("step %s: logged wire bytes %d, not above the body's %d", ex.Step, rec.WireBytes, ex.BodyBytes)
	}
	if ex.Aborted && rec.BodyBytes != logparse.NotLogged && rec.BodyBytes < ex.BodyBytes {
		t.Errorf("step %s: aborted transfer logged %d body bytes, the client kept %d", ex.Step, rec.BodyBytes, ex.BodyBytes)
	}
	if lf.Name == rs.FormatExtended && ex.Status == 206 && rec.Range == "" {
		t.Errorf("step %s: extended format logged no Range", ex.Step)
	}
	if lf.Name == rs.FormatExtended && ex.Aborted && rec.Completion != logparse.CompletionAborted {
		t.Errorf("step %s: aborted transfer logged as %v", ex.Step, rec.Completion)
	}
}
