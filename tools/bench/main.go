// Command bench writes a generated incident for benchmarks: an index of
// recordings and an Apache/nginx "combined" access log with the traffic of
// a leak (range requests, full downloads, listings, conditional GETs,
// probes) from documentation addresses, with generated identity numbers.
//
//	go run ./tools/bench -lines 2000000 -out /tmp/bench
//
// tools/bench/compare-goaccess.sh times forensics and GoAccess on it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

func main() {
	lines := flag.Int("lines", 1_000_000, "log lines to write")
	recs := flag.Int("recordings", 50_000, "recordings in the index")
	hot := flag.Int("hot", 5_000, "recordings the traffic touches")
	actors := flag.Int("actors", 60, "client addresses")
	out := flag.String("out", "bench-incident", "output folder")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if err := writeIndex(filepath.Join(*out, "index.csv"), *recs); err != nil {
		log.Fatal(err)
	}
	if err := writeLog(filepath.Join(*out, "access.log"), *lines, min(*hot, *recs), *actors); err != nil {
		log.Fatal(err)
	}
}

func path(i int) string {
	return fmt.Sprintf("/recordings/sthlm/2018/%02d/c%07d_07017406%02d.mp3", i%12+1, i, 5+i%95)
}

// pnr returns a generated, Luhn-valid, fictitious personnummer.
func pnr(year, serial int) string {
	nine := fmt.Sprintf("%02d%02d%02d%03d", year%100, serial%12+1, serial%28+1, serial%1000)
	sum := 0
	for i, c := range nine {
		d := int(c-'0') * (2 - i%2)
		sum += d/10 + d%10
	}
	return fmt.Sprintf("%d%s%d", year/100, nine, (10-sum%10)%10)
}

func writeIndex(name string, n int) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects")
	for i := range n {
		fmt.Fprintf(w, "%s,c%07d,2018-%02d-01T10:00:00+01:00,300,1200000,Stockholm,,caller:%s;patient:%s\n",
			path(i), i, i%12+1, pnr(1950+i%60, i), pnr(2005+i%14, i+7))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func writeLog(name string, lines, hot, actors int) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:60.0) Gecko/20100101 Firefox/60.0"
	for k := range lines {
		ip := fmt.Sprintf("198.51.100.%d", k%actors+1)
		rec := (k * 7919) % hot
		day, hh, mm, ss := 1+k*20/lines, k/3600%24, k/60%60, k%60
		ts := fmt.Sprintf("%02d/Feb/2019:%02d:%02d:%02d +0100", day, hh, mm, ss)
		var target string
		var status, bytes int
		switch k % 10 {
		case 0, 1, 2, 3:
			target, status, bytes = path(rec), 206, 300000
		case 4, 5:
			target, status, bytes = path(rec), 200, 1200000
		case 6:
			target, status, bytes = fmt.Sprintf("/recordings/sthlm/2018/%02d/", rec%12+1), 200, 48000
		case 7:
			target, status, bytes = "/wp-login.php", 404, 153
		default:
			target, status, bytes = path(rec), 304, 0
		}
		fmt.Fprintf(w, "%s - - [%s] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"\n", ip, ts, target, status, bytes, ua)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
