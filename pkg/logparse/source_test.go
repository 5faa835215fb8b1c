package logparse

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readSources reads inputs with a ParallelReader that detects formats,
// and returns the results by base name.
func readSources(t *testing.T, args ...string) map[string]InputResult {
	t.Helper()
	ins, err := ExpandInputs(args)
	if err != nil {
		t.Fatal(err)
	}
	p := &ParallelReader{Workers: 2}
	res, err := p.Read(context.Background(), ins, func(int, *Record) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]InputResult)
	for _, r := range res {
		out[filepath.Base(r.Input.Name)] = r
	}
	return out
}

func TestDetectSourceDemoPair(t *testing.T) {
	// The demo's two Debian Apache files are one source and one format.
	res := readSources(t, filepath.Join("..", "..", "fixtures", "demo", "logs", "apache"))
	a, b := res["nas_access.log.1"], res["nas_access.log"]
	if a.Format != "combined_debian" || b.Format != "combined_debian" {
		t.Errorf("formats %q and %q, want combined_debian for both", a.Format, b.Format)
	}
	if a.Detection == nil || a.Detection != b.Detection {
		t.Fatalf("the two files do not share their source's detection")
	}
	if d := a.Detection; !strings.HasSuffix(d.Source, "nas_access.log") || len(d.Inputs) != 2 {
		t.Errorf("detection source %q with %d inputs, want nas_access.log with 2", d.Source, len(d.Inputs))
	}
}

// debianLines are Debian Apache combined lines: the 304 with 187 bytes
// shows %O (wire bytes).
const debianEvidence = `192.0.2.1 - - [10/Feb/2019:10:00:00 +0100] "GET /a/ HTTP/1.1" 200 1234 "-" "curl/7.64.0"
192.0.2.1 - - [10/Feb/2019:10:00:01 +0100] "GET /a/x.mp3 HTTP/1.1" 304 187 "-" "curl/7.64.0"
`

// plainLines tell nothing of the bytes field.
const plainLines = `192.0.2.2 - - [11/Feb/2019:10:00:00 +0100] "GET /a/ HTTP/1.1" 200 1234 "-" "curl/7.64.0"
192.0.2.2 - - [11/Feb/2019:10:00:02 +0100] "GET /a/y.mp3 HTTP/1.1" 200 50321 "-" "curl/7.64.0"
`

func TestDetectSourceTogether(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "access.log.1"), []byte(debianEvidence))
	writeFile(t, filepath.Join(dir, "access.log"), []byte(plainLines))
	writeFile(t, filepath.Join(dir, "other.log"), []byte(plainLines))
	ins, err := ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	// On its own, access.log says nothing of its bytes: combined.
	if _, d, err := detect([]byte(plainLines), builtinFormats()); err != nil || d.Format != "combined" {
		t.Fatalf("access.log alone: %q, %v; want combined", d.Format, err)
	}
	f, d, err := DetectSource(ins[:2])
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "combined_debian" {
		t.Errorf("source format %s, want combined_debian (the 304 of access.log.1 decides)", f.Name())
	}
	want := []InputDetection{
		{Name: filepath.Join(dir, "access.log.1"), Format: "combined_debian", Fits: true},
		{Name: filepath.Join(dir, "access.log"), Format: "combined", Fits: true},
	}
	if diff := cmp.Diff(want, d.Inputs); diff != "" {
		t.Errorf("inputs (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(want[1:], d.Disagreements()); diff != "" {
		t.Errorf("disagreements (-want +got)\n%s", diff)
	}
	if !strings.Contains(d.Reason, "chose otherwise") {
		t.Errorf("reason does not report the disagreement: %s", d.Reason)
	}

	res := readSources(t, dir)
	if got := res["access.log"].Format; got != "combined_debian" {
		t.Errorf("access.log read as %s, want combined_debian", got)
	}
	// Another source is detected on its own evidence.
	if got := res["other.log"].Format; got != "combined" {
		t.Errorf("other.log read as %s, want combined", got)
	}
}

func TestDetectSourceMixed(t *testing.T) {
	dir := t.TempDir()
	w3c := "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n" +
		"2019-02-10 10:00:00 198.51.100.1 GET /a/x.mp3 - 80 - 192.0.2.9 curl/7.64.0 - 200 0 0 15\n"
	writeFile(t, filepath.Join(dir, "access.log.2"), []byte(w3c+w3c))
	writeFile(t, filepath.Join(dir, "access.log.1"), []byte(debianEvidence+plainLines+plainLines))
	writeFile(t, filepath.Join(dir, "access.log"), []byte(plainLines))
	ins, err := ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := DetectSource(ins)
	if !errors.Is(err, ErrSourceMixed) {
		t.Fatalf("error %v, want ErrSourceMixed", err)
	}
	if !strings.Contains(err.Error(), "access.log.2") {
		t.Errorf("error does not name the file that does not fit: %v", err)
	}
	if d.Format != "combined_debian" {
		t.Errorf("source format %s, want combined_debian", d.Format)
	}
	res := readSources(t, dir)
	for name, want := range map[string]string{"access.log.2": "w3c", "access.log.1": "combined_debian", "access.log": "combined_debian"} {
		r := res[name]
		if r.Format != want || r.Err != nil {
			t.Errorf("%s read as %q (error %v), want %s", name, r.Format, r.Err, want)
		}
		if r.Stats.Rejected != 0 {
			t.Errorf("%s: %d lines rejected", name, r.Stats.Rejected)
		}
	}
	if r := res["access.log.2"].Detection; r == nil || !strings.Contains(r.Reason, "does not fit the format of its source") {
		t.Errorf("access.log.2's detection does not say why it was read on its own: %+v", r)
	}
}

func TestDetectSourceFieldsMisfit(t *testing.T) {
	// nginx_range fills more fields than combined, which reads its lines
	// too (with trailing data): a file in it does not fit a combined
	// source.
	dir := t.TempDir()
	rng := `192.0.2.3 - - [12/Feb/2019:10:00:00 +0100] "GET /a/y.mp3 HTTP/1.1" 206 1000 "-" "curl/7.64.0" "bytes=0-999" 0.010 OK 1290` + "\n"
	writeFile(t, filepath.Join(dir, "access.log"), []byte(rng+rng))
	writeFile(t, filepath.Join(dir, "access.log.1"), []byte(plainLines+plainLines+plainLines))
	res := readSources(t, dir)
	if got := res["access.log"].Format; got != "nginx_range" {
		t.Errorf("access.log read as %s, want nginx_range", got)
	}
	if got := res["access.log.1"].Format; got == "nginx_range" || got == "" {
		t.Errorf("access.log.1 read as %q", got)
	}
}
