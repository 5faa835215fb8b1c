package logparse

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// genSpaceLog returns n lines in spaceFormat with varying lengths, some
// bad lines, comments, CRLF endings and over-long lines (for max 200).
func genSpaceLog(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for i := range n {
		switch rng.IntN(40) {
		case 0:
			b.WriteString("#comment\n")
		case 1:
			b.WriteString("bad line\n")
		case 2:
			fmt.Fprintf(&b, "192.0.2.%d /%s 200 %d\r\n", i%250, strings.Repeat("p", rng.IntN(20)), i)
		case 3:
			fmt.Fprintf(&b, "192.0.2.1 /%s 200 1\n", strings.Repeat("L", 200+rng.IntN(500)))
		case 4:
			b.WriteString("\n")
		default:
			fmt.Fprintf(&b, "198.51.100.%d /f/%d/%s 206 %d\n", i%250, i, strings.Repeat("x", rng.IntN(60)), rng.IntN(1e6))
		}
	}
	return b.String()
}

// result is one thing a reader delivered, for comparing orders-free.
type result struct {
	Source string
	Line   int64
	Offset int64
	Target string
	Err    string
}

func sortResults(rs []result) {
	slices.SortFunc(rs, func(a, b result) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
	})
}

// sequential reads in with a plain Reader.
func sequential(t *testing.T, name, in string, max int) ([]result, Stats) {
	t.Helper()
	r := NewReader(strings.NewReader(in), spaceFormat{})
	r.Name = name
	r.MaxLineLength = max
	var out []result
	for rec, err := range r.All() {
		var perr *ParseError
		switch {
		case errors.As(err, &perr):
			out = append(out, result{Source: perr.Path, Line: perr.Line, Offset: perr.Offset, Err: errorKind(perr.Err).Error()})
		case err != nil:
			t.Fatal(err)
		default:
			out = append(out, result{Source: rec.Source, Line: rec.Line, Offset: rec.Offset, Target: rec.Target})
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out, r.Stats()
}

// collect reads inputs with p and gathers the results.
func collect(t *testing.T, p *ParallelReader, inputs []Input) ([]result, []InputResult, error) {
	t.Helper()
	var mu sync.Mutex
	var out []result
	workerSeen := make(map[int]bool)
	p.OnError = func(w int, perr *ParseError) {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, result{Source: perr.Path, Line: perr.Line, Offset: perr.Offset, Err: errorKind(perr.Err).Error()})
	}
	res, err := p.Read(context.Background(), inputs, func(w int, rec *Record) error {
		mu.Lock()
		defer mu.Unlock()
		workerSeen[w] = true
		if w < 0 || (p.Workers > 0 && w >= p.Workers) {
			t.Errorf("worker number %d out of range", w)
		}
		out = append(out, result{Source: rec.Source, Line: rec.Line, Offset: rec.Offset, Target: strings.Clone(rec.Target)})
		return nil
	})
	sortResults(out)
	return out, res, err
}

func TestParallelSplitMatchesSequential(t *testing.T) {
	dir := t.TempDir()
	text := genSpaceLog(3000, 1)
	path := filepath.Join(dir, "big.log")
	writeFile(t, path, []byte(text))
	want, wantStats := sequential(t, path, text, 200)
	sortResults(want)

	for _, chunkSize := range []int64{13, 100, 4096, 50000, 1 << 30} {
		ins, err := ExpandInputs([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		p := &ParallelReader{Format: spaceFormat{}, Workers: 3, MaxLineLength: 200, SplitSize: 1000, ChunkSize: chunkSize}
		got, res, err := collect(t, p, ins)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("chunk size %d: (-sequential +parallel)\n%s", chunkSize, diff)
		}
		r := res[0]
		if diff := gocmp.Diff(wantStats, r.Stats); diff != "" {
			t.Errorf("chunk size %d: stats (-sequential +parallel)\n%s", chunkSize, diff)
		}
		if chunkSize < 50000 && r.Chunks < 2 {
			t.Errorf("chunk size %d: file read in %d chunks", chunkSize, r.Chunks)
		}
		if !r.DigestOK || r.Digest != Digest(sha256.Sum256([]byte(text))) || r.RawBytes != int64(len(text)) {
			t.Errorf("chunk size %d: digest %v ok=%v raw %d", chunkSize, r.Digest, r.DigestOK, r.RawBytes)
		}
		if r.Err != nil || r.Format != "test-space" || r.Compression != CompressionNone {
			t.Errorf("chunk size %d: result %+v", chunkSize, r)
		}
	}
}

func TestParallelManyInputs(t *testing.T) {
	dir := t.TempDir()
	var want []result
	var paths []string
	for i := range 7 {
		text := genSpaceLog(200+i*50, uint64(i))
		path := filepath.Join(dir, fmt.Sprintf("access.log.%d", i))
		data := []byte(text)
		switch i % 3 {
		case 1:
			data = gzipBytes(t, text)
		case 2:
			data = zstdBytes(t, text)
		}
		writeFile(t, path, data)
		paths = append(paths, path)
		w, _ := sequential(t, path, text, 200)
		want = append(want, w...)
	}
	sortResults(want)
	missing := filepath.Join(dir, "gone.log")
	ins, err := ExpandInputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	ins = append(ins, Input{Name: missing, Path: missing})
	for _, workers := range []int{1, 2, 5} {
		p := &ParallelReader{Format: spaceFormat{}, Workers: workers, MaxLineLength: 200}
		got, res, err := collect(t, p, ins)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("%d workers: (-sequential +parallel)\n%s", workers, diff)
		}
		if len(res) != len(ins) {
			t.Fatalf("%d results for %d inputs", len(res), len(ins))
		}
		for i, r := range res[:len(res)-1] {
			data, _ := os.ReadFile(ins[i].Path)
			if r.Err != nil || !r.DigestOK || r.Digest != Digest(sha256.Sum256(data)) || r.Chunks != 1 {
				t.Errorf("%d workers: input %d: err %v digest ok %v chunks %d", workers, i, r.Err, r.DigestOK, r.Chunks)
			}
			s := r.Stats
			if s.Lines != s.Records+s.Skipped+s.Rejected || s.Lines == 0 {
				t.Errorf("input %d: stats %+v", i, s)
			}
		}
		if last := res[len(res)-1]; !errors.Is(last.Err, os.ErrNotExist) {
			t.Errorf("missing input: err %v, want os.ErrNotExist", last.Err)
		}
	}
}

// notSplittable is spaceFormat under a name that must not be split.
// silentSpace is spaceFormat without a Splittable method.
type silentSpace struct{}

func (silentSpace) Name() string      { return "test-silent" }
func (silentSpace) NewParser() Parser { return spaceParser{} }

type splitFlag struct {
	spaceFormat
	ok bool
}

func (s splitFlag) Splittable() bool { return s.ok }

func TestParallelSplittable(t *testing.T) {
	dir := t.TempDir()
	text := genSpaceLog(500, 3)
	path := filepath.Join(dir, "a.log")
	writeFile(t, path, []byte(text))
	ins, err := ExpandInputs([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	f := func(format Format, wantChunks bool) {
		t.Helper()
		p := &ParallelReader{Format: format, Workers: 2, SplitSize: 100, ChunkSize: 1000, MaxLineLength: 200}
		_, res, err := collect(t, p, ins)
		if err != nil {
			t.Fatal(err)
		}
		if got := res[0].Chunks > 1; got != wantChunks {
			t.Errorf("%s: split %v (%d chunks), want %v", format.Name(), got, res[0].Chunks, wantChunks)
		}
	}
	f(spaceFormat{}, true)
	f(silentSpace{}, false) // a format that does not say is read whole
	f(W3CFormat{}, false)
	f(CloudFrontFormat{}, false)
	f(splitFlag{ok: false}, false)
	f(splitFlag{ok: true}, true)
	// Compressed files are never split.
	gz := filepath.Join(dir, "b.log")
	writeFile(t, gz, gzipBytes(t, text+text+text))
	gins, _ := ExpandInputs([]string{gz})
	p := &ParallelReader{Format: spaceFormat{}, Workers: 2, SplitSize: 10, ChunkSize: 100, MaxLineLength: 200}
	if _, res, err := collect(t, p, gins); err != nil || res[0].Chunks != 1 || res[0].Compression != CompressionGzip {
		t.Errorf("gzip input: %v, %d chunks, %s", err, res[0].Chunks, res[0].Compression)
	}
}

func TestParallelStop(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 6 {
		p := filepath.Join(dir, fmt.Sprint(i, ".log"))
		writeFile(t, p, []byte(genSpaceLog(20000, uint64(i))))
		paths = append(paths, p)
	}
	ins, err := ExpandInputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	var n atomic.Int64
	p := &ParallelReader{Format: spaceFormat{}, Workers: 2}
	_, err = p.Read(context.Background(), ins, func(w int, rec *Record) error {
		if n.Add(1) == 100 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("got %v, want the callback's error", err)
	}
	if got := n.Load(); got > 20000 {
		t.Errorf("%d records read after the callback failed at 100", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Read(ctx, ins, func(int, *Record) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

func TestPlanChunks(t *testing.T) {
	texts := []string{
		"a\nbb\nccc\n\n\ndddd\ne",
		"\n\n\n\n",
		"no newline at all",
		"x\n",
		strings.Repeat("y", 50) + "\n" + "z\n",
	}
	for _, text := range texts {
		for cs := int64(1); cs <= int64(len(text))+1; cs++ {
			for _, workers := range []int{1, 3} {
				chunks, err := planChunks(context.Background(), strings.NewReader(text), int64(len(text)), cs, workers)
				if err != nil {
					t.Fatal(err)
				}
				var pos int64
				for i, c := range chunks {
					if c.start != pos || c.end <= c.start {
						t.Fatalf("%q chunk size %d: chunk %d is [%d,%d), want start %d", text, cs, i, c.start, c.end, pos)
					}
					if c.start > 0 && text[c.start-1] != '\n' {
						t.Fatalf("%q chunk size %d: chunk %d starts inside a line", text, cs, i)
					}
					if want := int64(strings.Count(text[:c.start], "\n")); c.firstLine != want {
						t.Fatalf("%q chunk size %d: chunk %d firstLine %d, want %d", text, cs, i, c.firstLine, want)
					}
					pos = c.end
				}
				if pos != int64(len(text)) {
					t.Fatalf("%q chunk size %d: chunks end at %d", text, cs, pos)
				}
				if cs == 1 && int64(len(chunks)) != int64(strings.Count(strings.TrimRight(text, "\n"), "\n"))+1 && strings.Trim(text, "\n") != "" {
					t.Errorf("%q chunk size 1: %d chunks, want one per line", text, len(chunks))
				}
			}
		}
	}
	if ch, err := planChunks(context.Background(), bytes.NewReader(nil), 0, 10, 2); err != nil || len(ch) != 1 {
		t.Errorf("empty: %v %v", ch, err)
	}
}

func TestParallelDetectPerInput(t *testing.T) {
	dir := t.TempDir()
	clfLines := func(n int, tail string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "192.0.2.%d - - [18/Feb/2019:10:%02d:%02d +0100] \"GET /calls/%d.mp3 HTTP/1.1\" 200 %d%s\n", i%250+1, i/60%60, i%60, i, 1000+i, tail)
		}
		return b.String()
	}
	w3c, err := os.ReadFile("testdata/w3c/iis-restart.log")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"a.log":    []byte(clfLines(200, ` "-" "Mozilla/5.0"`)),
		"b.log":    gzipBytes(t, clfLines(300, "")),
		"c.log":    w3c,
		"d.log":    []byte("not a log\nat all\n"),
		"huge.log": []byte(clfLines(5000, ` "-" "curl/8.0"`)),
	}
	want := map[string]string{"a.log": "combined", "b.log": "common", "c.log": "w3c", "d.log": "", "huge.log": "combined"}
	var paths []string
	for name, data := range files {
		p := filepath.Join(dir, name)
		writeFile(t, p, data)
		paths = append(paths, p)
	}
	ins, err := ExpandInputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	lines := make(map[string][]int64)
	p := &ParallelReader{Workers: 2, SplitSize: 100 << 10, ChunkSize: 32 << 10}
	res, err := p.Read(context.Background(), ins, func(w int, rec *Record) error {
		mu.Lock()
		defer mu.Unlock()
		lines[filepath.Base(rec.Source)] = append(lines[filepath.Base(rec.Source)], rec.Line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		name := filepath.Base(r.Input.Path)
		if r.Format != want[name] {
			t.Errorf("%s: format %q, want %q", name, r.Format, want[name])
		}
		if name == "d.log" {
			if !errors.Is(r.Err, ErrNotDetected) || r.Detection == nil {
				t.Errorf("d.log: err %v, want ErrNotDetected with the detection", r.Err)
			}
			continue
		}
		if r.Err != nil || r.Detection == nil || r.Detection.Format != want[name] {
			t.Errorf("%s: err %v, detection %+v", name, r.Err, r.Detection)
			continue
		}
		// Every record once, line numbers as a sequential read gives them.
		got := lines[name]
		slices.Sort(got)
		f, _ := ParseFormat(want[name])
		sr, err := OpenInput(ReaderInput(name, bytes.NewReader(files[name])), f)
		if err != nil {
			t.Fatal(err)
		}
		var seq []int64
		for rec, err := range sr.All() {
			if err == nil {
				seq = append(seq, rec.Line)
			}
		}
		if err := sr.Err(); err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(seq, got); diff != "" {
			t.Errorf("%s: line numbers (-sequential +parallel)\n%s", name, diff)
		}
		if (name == "huge.log") != (r.Chunks > 1) {
			t.Errorf("%s: %d chunks", name, r.Chunks)
		}
		if !r.DigestOK || r.Digest != Digest(sha256.Sum256(files[name])) {
			t.Errorf("%s: digest ok=%v", name, r.DigestOK)
		}
	}
}

func TestParallelSplitOnlyBigShare(t *testing.T) {
	dir := t.TempDir()
	text := genSpaceLog(400, 9)
	var paths []string
	for _, n := range []string{"a.log", "b.log"} {
		p := filepath.Join(dir, n)
		writeFile(t, p, []byte(text))
		paths = append(paths, p)
	}
	ins, err := ExpandInputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	f := func(workers int, wantSplit bool) {
		t.Helper()
		p := &ParallelReader{Format: spaceFormat{}, Workers: workers, SplitSize: 100, ChunkSize: 1000, MaxLineLength: 200}
		_, res, err := collect(t, p, ins)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if (r.Chunks > 1) != wantSplit {
				t.Errorf("%d workers, two equal files: %d chunks, want split %v", workers, r.Chunks, wantSplit)
			}
		}
	}
	f(2, false) // each file is one worker's share: no need to split
	f(3, true)  // each file is more than a third of the work
}

// TestBuiltinSplittable checks that every built-in format declares
// whether it may be split, and that the formats whose #Fields headers
// govern later lines are read whole.
func TestBuiltinSplittable(t *testing.T) {
	stateful := map[string]bool{"w3c": true, "cloudfront": true}
	for _, name := range FormatNames() {
		if strings.HasSuffix(name, ":") {
			continue
		}
		f, err := ParseFormat(name)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := isSplittable(f), !stateful[name]; got != want {
			t.Errorf("%s: splittable %v, want %v (a stateless format implements Splittable)", name, got, want)
		}
	}
	for _, spec := range []string{`apache:%h %t "%r" %>s`, `nginx:$remote_addr [$time_local] "$request" $status`} {
		f, err := ParseFormat(spec)
		if err != nil {
			t.Fatal(err)
		}
		if !isSplittable(f) {
			t.Errorf("%s: not splittable", spec)
		}
	}
}
