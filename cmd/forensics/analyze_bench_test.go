package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchIncident writes a generated incident to dir: an index of nrec
// recordings and nfiles nginx_range logs of lines lines each, with the
// traffic of a leak (range requests, full downloads, listings, probes).
// It returns the total log bytes.
func benchIncident(tb testing.TB, dir string, nrec, nfiles, lines int) (index string, logs []string, total int64) {
	tb.Helper()
	index = filepath.Join(dir, "index.csv")
	f, err := os.Create(index)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects")
	for i := range nrec {
		fmt.Fprintf(w, "/recordings/sthlm/2018/%02d/c%07d_07017%05d.mp3,c%07d,2018-%02d-01T10:00:00+01:00,300,1200000,Stockholm,,caller:%s;patient:%s\n",
			i%12+1, i, i%100000, i, i%12+1, genPNRBench(1950+i%60, i), genPNRBench(2005+i%14, i+7))
	}
	w.Flush()
	f.Close()
	const lf = `%s - - [%02d/Feb/2019:%02d:%02d:%02d +0100] "GET %s HTTP/1.1" %d %d "-" "Mozilla/5.0 (X11; Linux x86_64; rv:60.0) Gecko/20100101 Firefox/60.0" "%s" 0.%03d OK %d` + "\n"
	for n := range nfiles {
		p := filepath.Join(dir, fmt.Sprintf("access-%d.log", n))
		f, err := os.Create(p)
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		for i := range lines {
			k := n*lines + i
			// 60 actors over a hot set of 5,000 recordings: the pairs
			// saturate, as in a real leak, while the lines go on.
			ip := fmt.Sprintf("198.51.100.%d", k%60+1)
			rec := (k * 7919) % min(nrec, 5000)
			path := fmt.Sprintf("/recordings/sthlm/2018/%02d/c%07d_07017%05d.mp3", rec%12+1, rec, rec%100000)
			day, hh, mm, ss := 1+k/(lines*nfiles/20+1)%20, k/3600%24, k/60%60, k%60
			switch k % 10 {
			case 0, 1, 2, 3: // playback in ranges
				start := int64(k%4) * 300000
				fmt.Fprintf(w, lf, ip, day, hh, mm, ss, path, 206, 300000, fmt.Sprintf("bytes=%d-%d", start, start+299999), k%1000, 300280)
			case 4, 5: // full downloads
				fmt.Fprintf(w, lf, ip, day, hh, mm, ss, path, 200, 1200000, "-", k%1000, 1200250)
			case 6: // listings
				fmt.Fprintf(w, lf, ip, day, hh, mm, ss, fmt.Sprintf("/recordings/sthlm/2018/%02d/", rec%12+1), 200, 48000, "-", k%1000, 48200)
			case 7: // probes
				fmt.Fprintf(w, lf, ip, day, hh, mm, ss, "/wp-login.php", 404, 153, "-", k%1000, 320)
			default: // conditional GETs
				fmt.Fprintf(w, lf, ip, day, hh, mm, ss, path, 304, 0, "-", k%1000, 180)
			}
		}
		w.Flush()
		f.Close()
		st, _ := os.Stat(p)
		total += st.Size()
		logs = append(logs, p)
	}
	return index, logs, total
}

// genPNRBench returns a generated Luhn-valid number for a birth year.
func genPNRBench(year, serial int) string {
	nine := fmt.Sprintf("%02d%02d%02d%03d", year%100, serial%12+1, serial%28+1, serial%1000)
	sum := 0
	for i, c := range nine {
		d := int(c-'0') * (2 - i%2)
		sum += d/10 + d%10
	}
	return fmt.Sprintf("%d%s%d", year/100, nine, (10-sum%10)%10)
}

// peakMemory samples the Go runtime's total mapped memory while fn runs.
func peakMemory(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	return peak
}

// BenchmarkAnalyze runs analyze in process on 1.2 M generated lines in
// four files (nginx_range), with a 50,000-recording index, and reports
// MB/s, lines/s and the peak memory of the run.
func BenchmarkAnalyze(b *testing.B) {
	dir := b.TempDir()
	const files, lines = 4, 300_000
	index, logs, total := benchIncident(b, dir, 50_000, files, lines)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.SetBytes(total)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		runtime.GC()
		cmd := &AnalyzeCmd{Index: index, Logs: logs, Out: filepath.Join(b.TempDir(), "out"),
			Format: "nginx_range", ActorKey: "ip", HeaderBytes: 150}
		var err error
		peak = max(peak, peakMemory(func() { err = cmd.Run(logger, &stdio{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}) }))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(files*lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
}
