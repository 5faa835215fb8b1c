//go:build unix

package logparse

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// writeCombinedLog writes about size bytes of Apache combined lines with
// documentation addresses, and returns the number of lines.
func writeCombinedLog(tb testing.TB, path string, size int64) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(7, 7))
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/8.5.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
	}
	statuses := []int{200, 200, 200, 206, 206, 304, 404}
	t0 := time.Date(2019, 2, 18, 0, 0, 0, 0, time.FixedZone("+0100", 3600))
	var written, lines int64
	for written < size {
		ts := t0.Add(time.Duration(lines) * 50 * time.Millisecond).Format("02/Jan/2006:15:04:05 -0700")
		st := statuses[rng.IntN(len(statuses))]
		n, _ := fmt.Fprintf(w, "203.0.113.%d - - [%s] \"GET /calls/2019/02/%08d.mp3 HTTP/1.1\" %d %d \"-\" \"%s\"\n",
			rng.IntN(254)+1, ts, rng.IntN(1e8), st, rng.IntN(5e6), agents[rng.IntN(len(agents))])
		written += int64(n)
		lines++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return lines
}

// cpuTime returns the CPU time (user and system) of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReadParallel measures combined-format throughput over one
// generated ~200 MB file: read whole by one worker (hashed as read), and
// split over two workers with and without the separate SHA-256 pass.
//
//	go test ./pkg/logparse -run '^$' -bench ReadParallel -benchtime 5x
func BenchmarkReadParallel(b *testing.B) {
	f, err := ParseFormat("combined")
	if err != nil {
		f, err = ParseFormat("nginx_combined") // the same line layout
		if err != nil {
			b.Skip("no combined format registered")
		}
	}
	path := filepath.Join(b.TempDir(), "access.log")
	lines := writeCombinedLog(b, path, 200<<20)
	ins, err := ExpandInputs([]string{path})
	if err != nil {
		b.Fatal(err)
	}
	size := ins[0].Size
	for _, c := range []struct {
		name       string
		workers    int
		skipDigest bool
	}{
		{"workers=1", 1, false},
		{"workers=2", 2, true},
		{"workers=2+sha256", 2, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := &ParallelReader{Format: f, Workers: c.workers, SkipDigest: c.skipDigest}
			b.SetBytes(size)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				res, err := p.Read(context.Background(), ins, func(int, *Record) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				if r := res[0]; r.Err != nil || r.Stats.Records != lines {
					b.Fatalf("read %d records of %d (%s): %v", r.Stats.Records, lines, f.Name(), r.Err)
				}
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			// On a shared machine wall-clock MB/s says little; bytes per
			// CPU-second times the cores gives what dedicated cores do.
			if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu, "MB/cpu-s")
			}
		})
	}
}
