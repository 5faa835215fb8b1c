package logparse

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// apGenLog returns a deterministic access log of n lines in a layout
// ("common", "combined", "vhost_combined" or "custom", see
// apacheBenchCustom): documentation addresses, audio downloads with range
// requests, directory listings, browser user agents.
func apGenLog(n int, layout string) []byte {
	rng := rand.New(rand.NewPCG(1177, 2019))
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.109 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0.3 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1",
		"Wget/1.19.4 (linux-gnu)",
		"curl/7.58.0",
		"-",
	}
	users := []string{"-", "-", "-", "-", "-", "-", "-", "operator", "backup"}
	t := time.Date(2019, 2, 12, 21, 4, 5, 0, time.FixedZone("+0100", 3600))
	var b bytes.Buffer
	for i := range n {
		t = t.Add(time.Duration(rng.IntN(4000)) * time.Millisecond)
		var host string
		switch rng.IntN(10) {
		case 0:
			host = fmt.Sprintf("2001:db8::%x:%x", rng.IntN(0xffff), rng.IntN(0xffff))
		case 1, 2, 3:
			host = fmt.Sprintf("198.51.100.%d", rng.IntN(255))
		case 4, 5:
			host = fmt.Sprintf("203.0.113.%d", rng.IntN(255))
		default:
			host = fmt.Sprintf("192.0.2.%d", rng.IntN(255))
		}
		day := fmt.Sprintf("%04d/%02d/%02d", 2013+rng.IntN(7), 1+rng.IntN(12), 1+rng.IntN(28))
		file := fmt.Sprintf("/inspelningar/%s/%010d-%06d.mp3", day, rng.Int64N(1e10), i)
		method, status, size := "GET", 200, 100000+rng.Int64N(5000000)
		rangeHdr := "-"
		target := file
		switch k := rng.IntN(20); {
		case k < 6:
			status = 206
			from := rng.Int64N(size)
			rangeHdr = fmt.Sprintf("bytes=%d-", from)
			size -= from
		case k < 8:
			target = "/inspelningar/" + day + "/?C=M;O=D"
			size = 2000 + rng.Int64N(60000)
		case k < 9:
			method, size = "HEAD", 0
		case k < 11:
			status, size = 304, 0
		case k < 12:
			status, size = 404, 209
		case k < 13:
			status, size = 416, 0
		case k < 14:
			target = "/inspelningar/%C3%B6ppen%20mapp/" + fmt.Sprint(i) + ".wav"
		}
		bytesField := fmt.Sprint(size)
		if size == 0 && rng.IntN(2) == 0 {
			bytesField = "-"
		}
		referer := "-"
		if rng.IntN(3) == 0 {
			referer = "http://media.example.org/inspelningar/" + day + "/"
		}
		ua := agents[rng.IntN(len(agents))]
		apTS := t.Format("02/Jan/2006:15:04:05 -0700")
		req := method + " " + target + " HTTP/1.1"
		user := users[rng.IntN(len(users))]
		switch layout {
		case "common":
			fmt.Fprintf(&b, "%s - %s [%s] \"%s\" %d %s\n", host, user, apTS, req, status, bytesField)
		case "combined":
			fmt.Fprintf(&b, "%s - %s [%s] \"%s\" %d %s \"%s\" \"%s\"\n", host, user, apTS, req, status, bytesField, referer, ua)
		case "vhost_combined":
			fmt.Fprintf(&b, "media.example.org:80 %s - %s [%s] \"%s\" %d %s \"%s\" \"%s\"\n", host, user, apTS, req, status, bytesField, referer, ua)
		case "custom":
			us := rng.IntN(2000000)
			fmt.Fprintf(&b, "%s - %s [%s.%03d %s] \"%s\" %d %s %d \"%s\" \"%s\" \"%s\"\n", host, user,
				t.Format("02/Jan/2006:15:04:05"), rng.IntN(1000), t.Format("-0700"), req, status, bytesField, us, referer, ua, rangeHdr)
		default:
			panic("unknown layout " + layout)
		}
	}
	return b.Bytes()
}

// apacheBenchCustom is the LogFormat of the "custom" generated layout: the
// general matcher's path, with a split time and a logged Range header.
const apacheBenchCustom = `apache:%a %l %u [%{%d/%b/%Y:%H:%M:%S}t.%{msec_frac}t %{%z}t] "%r" %>s %b %D "%{Referer}i" "%{User-Agent}i" "%{Range}i"`

func BenchmarkApache(b *testing.B) {
	for _, bc := range []struct{ name, format, layout string }{
		{"common", "common", "common"},
		{"combined", "combined", "combined"},
		{"combined_debian", "combined_debian", "combined"},
		{"vhost_combined", "vhost_combined", "vhost_combined"},
		{"custom", apacheBenchCustom, "custom"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := apGenLog(10000, bc.layout)
			f, err := ParseFormat(bc.format)
			if err != nil {
				b.Fatal(err)
			}
			lines := int64(bytes.Count(data, []byte{'\n'}))
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var br bytes.Reader
			cpu0 := cpuTime()
			cpuOK := cpu0 > 0
			for b.Loop() {
				br.Reset(data)
				r := NewReader(&br, f)
				r.ReuseRecord = true
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				if st := r.Stats(); st.Records != lines {
					b.Fatalf("read %d records, want %d", st.Records, lines)
				}
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			if cpu1 := cpuTime(); cpuOK && cpu1 > cpu0 {
				// On a shared machine wall time counts other processes'
				// turns; CPU time is what this benchmark used.
				b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(cpu1-cpu0).Seconds(), "cpu-MB/s")
			}
		})
	}
}

// BenchmarkApacheParser measures the parser alone, without the Reader.
func BenchmarkApacheParser(b *testing.B) {
	data := apGenLog(10000, "combined")
	f, _ := ParseFormat("combined")
	p := f.NewParser()
	lines := bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'})
	var rec Record
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			rec.reset(true)
			if err := p.Parse(l, &rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkApacheHostileLines measures the matcher on lines built to make
// it backtrack (apHostileLines, 400 KiB each): the budgets keep the time
// linear in the line's length, so MB/s should be of the order of a normal
// log's, not orders of magnitude below. (It was a 3 s wall-clock
// assertion in a test; a time belongs in a benchmark.)
//
//	go test ./pkg/logparse -run '^$' -bench ApacheHostileLines
func BenchmarkApacheHostileLines(b *testing.B) {
	var lines [][]byte
	var size int64
	for _, l := range apHostileLines() {
		lines = append(lines, []byte(l))
		size += int64(len(l))
	}
	for i, spec := range apHostileSpecs {
		b.Run(fmt.Sprint("spec", i), func(b *testing.B) {
			f, err := ParseFormat(spec)
			if err != nil {
				b.Fatal(err)
			}
			p := f.NewParser()
			var rec Record
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					rec.reset(true)
					p.Parse(l, &rec) // errors expected
				}
			}
			b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
