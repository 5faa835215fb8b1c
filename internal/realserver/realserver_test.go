package realserver_test

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rs "github.com/forensiclog/forensics/internal/realserver"
)

// TestRealServers plays the scenario against every server and checks the
// harness's own truth, the logs, and (once they exist) the parser and the
// analyzer against that truth.
func TestRealServers(t *testing.T) {
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			r := play(t, s)
			t.Run("truth", func(t *testing.T) { checkTruth(t, r) })
			t.Run("logs", func(t *testing.T) { checkLogs(t, r) })
			t.Run("logparse", func(t *testing.T) { checkLogparse(t, r) })
			t.Run("analyze", func(t *testing.T) { checkAnalyze(t, r) })
		})
	}
}

// wantPairs is the scenario's design: which actor reaches which level on
// which recording. The truth recorded on the client side must match it,
// whatever the server.
var wantPairs = []struct {
	rec   string
	actor netip.Addr
	level rs.Level
}{
	{"full", rs.ActorFull, rs.LevelFull},
	{"full", rs.ActorCond, rs.LevelMetadata},
	{"ranges", rs.ActorRanges, rs.LevelFull},
	{"ranges", rs.ActorLister, rs.LevelMetadata},
	{"listed", rs.ActorLister, rs.LevelMetadata},
	{"listed", rs.ActorOneByte, rs.LevelPartial},
	{"full", rs.ActorLister, rs.LevelMetadata},
	{"holes", rs.ActorHoles, rs.LevelPartial},
	{"holes", rs.ActorSortLister, rs.LevelMetadata},
	{"encoded", rs.ActorSortLister, rs.LevelMetadata},
	{"encoded", rs.ActorEncoded, rs.LevelFull},
	{"multi", rs.ActorMulti, rs.LevelPartial},
	{"big", rs.ActorAbort, rs.LevelPartial},
	{"big", rs.ActorPlayer, rs.LevelPartial},
	{"head", rs.ActorHead, rs.LevelMetadata},
	{"head", rs.ActorSortLister, rs.LevelMetadata},
	{"dotseg", rs.ActorSortLister, rs.LevelMetadata},
	{"dotseg", rs.ActorDotSeg, rs.LevelFull},
	{"recent", rs.ActorLister, rs.LevelMetadata},
	{"recent", rs.ActorLateLister, rs.LevelMetadata},
	{"late", rs.ActorLate, rs.LevelFull},
	{"late", rs.ActorLateLister, rs.LevelMetadata},
	{"probed", rs.ActorProbe, rs.LevelMetadata}, // the 416 gave its size
}

func checkTruth(t *testing.T, r *run) {
	var want []rs.Pair
	for _, w := range wantPairs {
		want = append(want, rs.Pair{Path: r.tree.Rec(w.rec).Path, Actor: w.actor, Level: w.level})
	}
	slices.SortFunc(want, func(a, b rs.Pair) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return a.Actor.Compare(b.Actor)
	})
	if diff := cmp.Diff(want, r.truth.Pairs(), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("truth pairs (-want +got):\n%s", diff)
	}
	// Byte counts behind the levels.
	holes := r.tree.Rec("holes")
	if got, want := r.truth.Covered(rs.ActorHoles, holes.Path), int64(4096+10000+4096); got != want {
		t.Errorf("holes: covered %d bytes, want %d", got, want)
	}
	if got := r.truth.Covered(rs.ActorMulti, r.tree.Rec("multi").Path); got != 1100 {
		t.Errorf("multi: covered %d bytes, want 1100 in two parts", got)
	}
	big := r.tree.Rec("big")
	if got := r.truth.Covered(rs.ActorPlayer, big.Path); got != 2*65536+608 {
		t.Errorf("big: player kept %d bytes, want two 64 KiB pieces and the 608-byte tail", got)
	}
	if got := r.truth.Covered(rs.ActorAbort, big.Path); got != 4096 {
		t.Errorf("big: client kept %d bytes, want 4096", got)
	}
	// The late recording ended after the first listings and before the
	// last one.
	late := r.tree.Rec("late")
	for _, ex := range r.truth.Exchanges {
		if !ex.Listing {
			continue
		}
		if ex.Time.Before(late.End()) && slices.Contains(ex.Listed, late.Path) {
			t.Errorf("step %s: listing before the late call ended shows it", ex.Step)
		}
		if ex.Step == "late-list" && !ex.Time.After(late.End().Add(time.Second)) {
			t.Errorf("step %s: not a full second after the late call ended", ex.Step)
		}
	}
	// The year listing shows folders only; the root shows regions.
	for _, ex := range r.truth.Exchanges {
		if (ex.Step == "list-0" || ex.Step == "list-1" || ex.Step == "list-2") && len(ex.Listed) != 0 {
			t.Errorf("step %s: listing of a non-leaf folder shows %d recordings", ex.Step, len(ex.Listed))
		}
	}
	subj := r.truth.SubjectLevels()
	counts := map[rs.Level]int{}
	for _, l := range subj {
		counts[l]++
	}
	wantCounts := map[rs.Level]int{rs.LevelFull: 6, rs.LevelPartial: 4, rs.LevelMetadata: 3, rs.LevelNone: 1}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("subjects per level (-want +got):\n%s", diff)
	}
}

// TestKill checks that Kill, as t.Cleanup calls it after a failure, stops
// a running server and all its workers at once.
func TestKill(t *testing.T) {
	for _, k := range []rs.Kind{rs.Nginx, rs.Apache, rs.Lighttpd, rs.Caddy} {
		t.Run(string(k), func(t *testing.T) {
			requireBinary(t, k)
			docRoot, dir := t.TempDir(), t.TempDir()
			f := rs.Formats(k)[rs.FormatDefault]
			srv, err := rs.Start(context.Background(), rs.Config{Kind: k, Dir: dir, DocRoot: docRoot, Formats: []rs.LogFormat{f}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Kill)
			srv.Kill()
			// A dial to a closed port in the ephemeral range can now and
			// then connect to itself, or meet another test's listener:
			// only a port that keeps accepting is a failure.
			for try := 0; ; try++ {
				c, err := net.DialTimeout("tcp", srv.Addr, time.Second)
				if err != nil {
					break
				}
				c.Close()
				if try == 20 {
					out, _ := exec.Command("ss", "-ltnp").CombinedOutput()
					t.Fatalf("the server still accepts connections after Kill\n%s", out)
				}
				time.Sleep(50 * time.Millisecond)
			}
			srv.Kill() // idempotent
			if err := srv.Stop(); err != nil {
				t.Errorf("Stop after Kill: %v", err)
			}
		})
	}
}
