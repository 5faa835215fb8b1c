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
		if held := len(s.buf) + len(s.inflight); held > maxCalls {
			t.Fatalf("after %d calls the sorter holds %d, more than %d", i+1, held, maxCalls)
		}
	}
	stream, err := s.Sorted()
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
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
