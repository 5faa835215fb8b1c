package logparse_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/forensiclog/forensics/pkg/logparse"
)

const exampleLog = `192.0.2.10 - - [18/Feb/2019:10:00:00 +0100] "GET /calls/ HTTP/1.1" 200 5120 "-" "Mozilla/5.0"
192.0.2.10 - - [18/Feb/2019:10:00:07 +0100] "GET /calls/a.mp3 HTTP/1.1" 206 65536 "-" "Mozilla/5.0"
this line is damaged
198.51.100.7 - - [18/Feb/2019:10:02:30 +0100] "HEAD /calls/a.mp3 HTTP/1.1" 200 - "-" "curl/7.64.0"
`

// Read a log line by line. A damaged line is an error that carries its
// position only; reading goes on.
func ExampleNewReader() {
	f, err := logparse.ParseFormat("combined")
	if err != nil {
		log.Fatal(err)
	}
	r := logparse.NewReader(strings.NewReader(exampleLog), f)
	r.Name = "access.log"
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *logparse.ParseError
		if errors.As(err, &perr) {
			fmt.Println("skipped:", perr)
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.Line, rec.Client, rec.Time.Format("15:04:05 -0700"), rec.Method, rec.Path, rec.Status, rec.BodyBytes)
	}
	s := r.Stats()
	fmt.Printf("lines %d = records %d + skipped %d + rejected %d\n", s.Lines, s.Records, s.Skipped, s.Rejected)
	// Output:
	// 1 192.0.2.10 10:00:00 +0100 GET /calls/ 200 5120
	// 2 192.0.2.10 10:00:07 +0100 GET /calls/a.mp3 206 65536
	// skipped: access.log:3:14: bad timestamp
	// 4 198.51.100.7 10:02:30 +0100 HEAD /calls/a.mp3 200 0
	// lines 4 = records 3 + skipped 0 + rejected 1
}

// A custom format is given as the server's own format string.
func ExampleParseFormat() {
	f, err := logparse.ParseFormat(`apache:%h %l %u %t "%r" %>s %b %D "%{Range}i"`)
	if err != nil {
		log.Fatal(err)
	}
	line := `203.0.113.5 - - [18/Feb/2019:10:00:07 +0100] "GET /calls/a.mp3 HTTP/1.1" 206 65536 1520 "bytes=0-65535"` + "\n"
	r := logparse.NewReader(strings.NewReader(line), f)
	for rec, err := range r.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.Status, rec.BodyBytes, rec.Duration, rec.Range)
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}

	_, err = logparse.ParseFormat("apache:%h %Z")
	fmt.Println(err != nil)
	// Output:
	// 206 65536 1.52ms bytes=0-65535
	// true
}

// Detect chooses a format from an input's first lines and says why.
func ExampleDetect() {
	sample := []byte(`192.0.2.10 - - [18/Feb/2019:10:00:00 +0100] "GET /calls/a.mp3 HTTP/1.1" 200 4410 "-" "Mozilla/5.0"
192.0.2.10 - - [18/Feb/2019:10:05:00 +0100] "GET /calls/a.mp3 HTTP/1.1" 304 182 "-" "Mozilla/5.0"
`)
	f, d, err := logparse.Detect(sample)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Name())
	fmt.Println(d.Reason[strings.Index(d.Reason, "the bytes field"):])

	_, _, err = logparse.Detect([]byte("not a log\nat all\n"))
	fmt.Println(errors.Is(err, logparse.ErrNotDetected))
	// Output:
	// combined_debian
	// the bytes field is %O (with headers): bytes > 0 on 1 response without a body (304 or HEAD), and no 0 or "-" bytes
	// true
}

// ExpandInputs reads a rotated set oldest first.
func ExampleExpandInputs() {
	dir, err := os.MkdirTemp("", "logs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz", "error.log"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	inputs, err := logparse.ExpandInputs([]string{dir})
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range inputs {
		fmt.Println(filepath.Base(in.Path))
	}
	// Output:
	// access.log.10.gz
	// access.log.2.gz
	// access.log.1
	// access.log
	// error.log
}

// The files of a rotated set are one log source, and their format is
// detected from them together: the 304 with a byte count in access.log.1
// shows Debian's %O, which access.log alone cannot tell.
func ExampleDetectSource() {
	dir, err := os.MkdirTemp("", "logs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"access.log.1": `192.0.2.1 - - [10/Feb/2019:10:00:01 +0100] "GET /calls/a.mp3 HTTP/1.1" 304 187 "-" "curl/7.64.0"` + "\n",
		"access.log":   `192.0.2.2 - - [11/Feb/2019:10:00:02 +0100] "GET /calls/b.mp3 HTTP/1.1" 200 50321 "-" "curl/7.64.0"` + "\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	inputs, err := logparse.ExpandInputs([]string{dir})
	if err != nil {
		log.Fatal(err)
	}
	f, d, err := logparse.DetectSource(inputs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(d.Source), f.Name())
	for _, in := range d.Disagreements() {
		fmt.Println("on its own:", filepath.Base(in.Name), in.Format)
	}
	// Output:
	// access.log combined_debian
	// on its own: access.log combined
}

// Open an input: compression is found from its bytes, and the SHA-256 of
// the bytes as stored is known at the end.
func ExampleInput_Open() {
	in := logparse.ReaderInput("access.log", strings.NewReader(exampleLog))
	ir, err := in.Open()
	if err != nil {
		log.Fatal(err)
	}
	defer ir.Close()
	n, err := io.Copy(io.Discard, ir)
	if err != nil {
		log.Fatal(err)
	}
	d, ok := ir.Digest()
	fmt.Println(ir.Compression(), n, ok, d.String()[:16])
	// Output:
	// none 314 true 98a3b5c91fabf12c
}

// Read many inputs on all cores; the callback gets each record while it
// is valid.
func ExampleParallelReader() {
	f, err := logparse.ParseFormat("combined")
	if err != nil {
		log.Fatal(err)
	}
	inputs := []logparse.Input{logparse.ReaderInput("access.log", strings.NewReader(exampleLog))}
	var partial atomic.Int64
	p := &logparse.ParallelReader{Format: f}
	results, err := p.Read(context.Background(), inputs, func(worker int, rec *logparse.Record) error {
		if rec.Status == 206 {
			partial.Add(1)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, res := range results {
		if res.Err != nil {
			log.Fatal(res.Err) // this input ended early
		}
	}
	fmt.Println(partial.Load(), results[0].Stats.Records, results[0].Stats.Rejected)
	// Output:
	// 1 3 1
}

// Range over a Reader's records and line errors; after the loop, Err
// tells whether the input was read to its end.
func ExampleReader_All() {
	f, err := logparse.ParseFormat("combined")
	if err != nil {
		log.Fatal(err)
	}
	r := logparse.NewReader(strings.NewReader(exampleLog), f)
	r.Name = "access.log"
	for rec, err := range r.All() {
		if err != nil {
			fmt.Println("skipped:", err) // a *logparse.ParseError
			continue
		}
		fmt.Println(rec.Line, rec.Status)
	}
	if err := r.Err(); err != nil {
		log.Fatal(err) // the input failed: records are missing
	}
	// Output:
	// 1 200
	// 2 206
	// skipped: access.log:3:14: bad timestamp
	// 4 200
}

// Open reads a compressed file and detects its format.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "logs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(exampleLog))
	zw.Close()
	name := filepath.Join(dir, "access.log.1.gz")
	if err := os.WriteFile(name, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}

	r, err := logparse.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	var records int
	for _, err := range r.All() {
		if err == nil {
			records++
		}
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Format().Name(), r.InputReader().Compression(), records, r.Stats().Rejected)

	// NewReader reads bytes as they are, and says so.
	f, _ := logparse.ParseFormat("combined")
	_, err = logparse.NewReader(bytes.NewReader(gz.Bytes()), f).Read()
	fmt.Println(errors.Is(err, logparse.ErrCompressed))
	// Output:
	// combined gzip 3 1
	// true
}

// AppendForwarded keeps every entry of an X-Forwarded-For chain in its
// place: one that is not an address is the zero Addr, where a walk from
// the nearest proxy must stop.
func ExampleRecord_AppendForwarded() {
	rec := logparse.Record{ForwardedFor: "203.0.113.66, unknown, [2001:db8::7]:443"}
	for _, a := range rec.AppendForwarded(nil) {
		fmt.Println(a.IsValid(), a)
	}
	// Output:
	// true 203.0.113.66
	// false invalid IP
	// true 2001:db8::7
}
