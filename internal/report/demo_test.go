package report

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// demo is the demo incident analysed once per test binary by the real
// command ("forensics analyze" with no arguments, testutil.Forensics), so
// that the reports are tested on the files a user has: the CLI's own
// output, read through the CLI's one pipeline (internal/ingest).
var demo struct {
	once sync.Once
	dir  string // the analysis's output directory
	root string
	err  error
}

// demoFiles are the analysis outputs a report is made from.
var demoFiles = []string{"persons.parquet", "exposures.parquet", "recordings.parquet", "actors.parquet", "coverage.parquet", "summary.json", "manifest.json"}

// demoOut returns a fresh directory holding the demo's analysis outputs
// (no reports), for a test to render into.
func demoOut(t testing.TB) string {
	t.Helper()
	demo.once.Do(func() {
		demo.root, demo.err = testutil.RepoRoot()
		if demo.err != nil {
			return
		}
		tmp, err := os.MkdirTemp("", "report-demo-*")
		if err != nil {
			demo.err = err
			return
		}
		demo.dir = filepath.Join(tmp, "out")
		run := exec.Command(testutil.Forensics(t), "-q", "analyze", "--out", demo.dir)
		run.Dir = demo.root
		if out, err := run.CombinedOutput(); err != nil {
			demo.err = &cmdError{"forensics analyze", err, out}
		}
	})
	if demo.err != nil {
		t.Fatalf("analysing the demo: %v", demo.err)
	}
	dir := t.TempDir()
	for _, name := range demoFiles {
		copyFile(t, filepath.Join(demo.dir, name), filepath.Join(dir, name))
	}
	return dir
}

type cmdError struct {
	what string
	err  error
	out  []byte
}

func (e *cmdError) Error() string { return e.what + ": " + e.err.Error() + "\n" + string(e.out) }

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// renderDemo renders the demo's reports with opts into a fresh directory
// and returns it.
func renderDemo(t testing.TB, opts Options) string {
	t.Helper()
	dir := demoOut(t)
	if err := Render(dir, opts); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return dir
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func demoSummary(t testing.TB, dir string) exposure.Summary {
	t.Helper()
	s, err := readSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// personalData returns every identity number (as stored and as written)
// and phone number in the demo's outputs, read from the Parquet files.
func personalData(t testing.TB, dir string) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	p, err := openRows[personIn](dir, "persons.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for r, ok := p.Next(); ok; r, ok = p.Next() {
		add(r.SubjectID)
		add(WrittenID(r.SubjectID))
		for _, ph := range r.Phones {
			add(ph)
		}
	}
	rec, err := openRows[recordingIn](dir, "recordings.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	for r, ok := rec.Next(); ok; r, ok = rec.Next() {
		add(r.CallerPhone)
		if len(r.CallerPhone) > 4 {
			add(r.CallerPhone[3:]) // without +46
		}
	}
	if len(out) < 100 {
		t.Fatalf("the demo should hold hundreds of identity and phone numbers, found %d", len(out))
	}
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.RemoveForensics()
	if demo.dir != "" {
		os.RemoveAll(filepath.Dir(demo.dir))
	}
	os.Exit(code)
}
