package report

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
)

// TestCallSorterRuns sorts calls in runs written by a goroutine while
// more calls arrive: the merged stream is every call in order, the
// sorter never holds more than its max calls, and the runs are files
// readable by their owner only.
func TestCallSorterRuns(t *testing.T) {
	dir := t.TempDir()
	const n, maxCalls = 1000, 64
	rng := rand.New(rand.NewPCG(1, 2))
	var want []callIn
	s := newCallSorter(dir, maxCalls)
	s.reserve(n)
	for i := range n {
		c := callIn{
			Subject: fmt.Sprintf("19%06d-%04d", rng.IntN(300), rng.IntN(10)),
			CallID:  fmt.Sprintf("C%05d", i),
			Started: time.Unix(int64(rng.IntN(1e6)), 0),
			Level:   "full",
		}
		want = append(want, c)
		if err := s.Add(c); err != nil {
			t.Fatal(err)
		}
		if held := len(s.buf) + len(s.other); held > maxCalls {
			t.Fatalf("after %d calls the sorter holds %d, more than %d", i+1, held, maxCalls)
		}
	}
	stream, err := s.Sorted()
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	// Whether a run still being written shows in what the merge reads
	// depends on timing; that none is, does not.
	if s.busy != nil {
		t.Fatal("Sorted returned while a run was still being written")
	}
	if len(s.files) < n/maxCalls {
		t.Fatalf("%d runs, want at least %d", len(s.files), n/maxCalls)
	}
	for _, name := range s.files {
		st, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("run %s: mode %v, want 0600", name, st.Mode().Perm())
		}
	}
	var got []callIn
	for c, ok := stream.Peek(); ok; c, ok = stream.Peek() {
		got = append(got, *c)
		stream.Next()
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(want, compareCall)
	if len(got) != len(want) {
		t.Fatalf("%d calls out, %d in", len(got), len(want))
	}
	for i := range want {
		if compareCall(got[i], want[i]) != 0 || got[i].CallID != want[i].CallID {
			t.Fatalf("call %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestSortCalls sorts calls by their packed keys and checks the order is
// compareCall's: subjects longer than 16 bytes or sharing their first
// 16, subjects that differ in trailing zero bytes, and calls that tie on
// subject, start and call.
func TestSortCalls(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	subjects := []string{"", "1", "1\x00", "1\x00\x01", "19180201-0510", "191802010510", "19180201051",
		"0123456789abcdef", "0123456789abcdefA", "0123456789abcdefB", "0123456789abcdef\x00", "ÅÄÖ-1"}
	var run []callIn
	for range 3000 {
		run = append(run, callIn{
			Subject: subjects[rng.IntN(len(subjects))],
			CallID:  fmt.Sprintf("C%d", rng.IntN(4)),
			Started: time.Unix(int64(rng.IntN(3)), 0),
			Role:    []string{"patient", "uppringare"}[rng.IntN(2)],
			Level:   []string{"full", "partial"}[rng.IntN(2)],
		})
	}
	want := slices.Clone(run)
	slices.SortFunc(want, compareCall)
	keys := sortCalls(run, nil)
	for j, k := range keys {
		if got := run[k.i]; got != want[j] {
			t.Fatalf("call %d: %+v, want %+v", j, got, want[j])
		}
	}
	// The order is total: calls of one subject, start and call come in
	// the order of their roles, whatever order they came in.
	for j := 1; j < len(want); j++ {
		a, b := want[j-1], want[j]
		if a.Subject == b.Subject && a.Started.Equal(b.Started) && a.CallID == b.CallID && a.Role > b.Role {
			t.Fatalf("calls %d and %d: role %q before %q", j-1, j, a.Role, b.Role)
		}
	}
}

// BenchmarkSortCalls sorts half a million calls shaped like a run of the
// incident's (generated identity numbers, a few calls each): by packed
// keys (sortCalls) and, for comparison, the calls themselves.
//
//	go test ./internal/report -run '^$' -bench SortCalls
func BenchmarkSortCalls(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	run := make([]callIn, 500_000)
	for i := range run {
		run[i] = callIn{
			Subject: fmt.Sprintf("19%02d%02d%02d%04d", rng.IntN(100), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(10000)),
			CallID:  fmt.Sprintf("SRM%07d", rng.IntN(3_000_000)),
			Started: time.Unix(1.3e9+int64(rng.IntN(2e8)), 0),
			Level:   "full", Role: "patient", Region: "Stockholm",
		}
	}
	b.Run("keys", func(b *testing.B) {
		keys := make([]callKey, 0, len(run))
		for b.Loop() {
			keys = sortCalls(run, keys)
		}
	})
	b.Run("calls", func(b *testing.B) {
		calls := make([]callIn, len(run))
		for b.Loop() {
			copy(calls, run)
			slices.SortFunc(calls, compareCall)
		}
	})
}
