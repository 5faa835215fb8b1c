package exposure

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// spillWorkload is an index of 300 recordings in 6 folders and 30,000
// requests from 40 clients over 4 inputs: ranges, full downloads, HEADs,
// 304s, 404s and listings (some filtered), with tied timestamps across
// inputs.
func spillWorkload(t *testing.T) (*Index, []*logparse.Record, []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n")
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 300 {
		at := start.Add(time.Duration(i) * time.Hour)
		fmt.Fprintf(&b, "/rec/f%d/c%03d_07017400%02d.mp3,c%d,%s,60,%d,R%d,,caller:%s;patient:%s\n",
			i%6, i, i%100, i, at.Format(time.RFC3339), 1000+i, i%3,
			genPNR("19800101", i%500), genPNR("20150505", (i*7)%500))
	}
	ix, err := ReadIndex(strings.NewReader(b.String()), IndexOptions{Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{"a.log", "b.log", "c.log", "d.log"}
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []*logparse.Record
	lines := map[string]int64{}
	for range 30000 {
		in := inputs[rng.IntN(len(inputs))]
		lines[in]++
		r := &logparse.Record{
			Source: in, Line: lines[in], Method: "GET", Status: 200,
			Time:      start.Add(time.Duration(rng.IntN(400)) * time.Hour),
			Client:    netip.AddrFrom4([4]byte{198, 51, 100, byte(rng.IntN(40))}),
			UserAgent: fmt.Sprintf("agent/%d", rng.IntN(12)), WireBytes: logparse.NotLogged,
			Completion: logparse.CompletionNotLogged, RequestBytes: logparse.NotLogged,
		}
		k := rng.IntN(300)
		r.Path = fmt.Sprintf("/rec/f%d/c%03d_07017400%02d.mp3", k%6, k, k%100)
		size := int64(1000 + k)
		switch rng.IntN(8) {
		case 0:
			r.Path = fmt.Sprintf("/rec/f%d/", rng.IntN(6))
			r.BodyBytes = 900
			if rng.IntN(3) == 0 {
				r.Query = "P=c1*" // a filtered listing: its view travels through the runs
			}
		case 1:
			r.Method, r.BodyBytes = "HEAD", 0
		case 2:
			r.Status, r.BodyBytes = 304, 0
		case 3:
			r.Status, r.BodyBytes = 404, 100
		case 4:
			r.BodyBytes = size
		default:
			a := rng.Int64N(size - 10)
			n := 1 + rng.Int64N(size-a-1)
			r.Status, r.BodyBytes = 206, n
			r.Range = fmt.Sprintf("bytes=%d-%d", a, a+n-1)
		}
		r.Target = r.Path
		recs = append(recs, r)
	}
	return ix, recs, inputs
}

// TestSpillEqualsInMemory: spilling sorted runs to disk, with several
// shards, decides exactly what one shard in memory decides, evidence
// included (ties broken by input and line, whatever the shards).
func TestSpillEqualsInMemory(t *testing.T) {
	ix, recs, inputs := spillWorkload(t)
	run := func(shards int, mem int, dir string) (*Result, Stats) {
		e := NewEngine(ix, Options{InputOrder: inputs, ShardMemory: mem, TempDir: dir})
		var ss []*Shard
		for range shards {
			ss = append(ss, e.NewShard())
		}
		for i, r := range recs {
			ss[i%shards].Observe(r)
		}
		var st Stats
		for _, s := range ss {
			st.add(s.stats)
		}
		return mustCollect(t, e, ss...), st
	}
	want, wst := run(1, 1<<30, t.TempDir())
	if wst.SpilledRuns != 0 {
		t.Fatalf("the in-memory run spilled %d runs", wst.SpilledRuns)
	}
	dir := t.TempDir()
	got, gst := run(3, 1, dir)
	if gst.SpilledRuns < 6 {
		t.Fatalf("spilled %d runs, want several per shard", gst.SpilledRuns)
	}
	got.Summary.Engine.SpilledRuns = 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spilled result differs (-in memory +spilled):\n%s", diff)
	}
	if len(want.Exposures) == 0 || len(want.Listings) == 0 {
		t.Fatalf("workload decides nothing: %d exposure rows, %d listing rows", len(want.Exposures), len(want.Listings))
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("%d run files left after Finish", len(left))
	}
}

// TestRunNamesHaveNoDigits: run file names hold no digit run that a
// scanner could read as an identity number.
func TestRunNamesHaveNoDigits(t *testing.T) {
	for range 100 {
		n, err := letterName("forensics-run-", ".tmp")
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(n, "0123456789") {
			t.Fatalf("name %q holds a digit", n)
		}
	}
}
