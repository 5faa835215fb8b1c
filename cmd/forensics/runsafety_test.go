package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	"github.com/forensiclog/forensics/internal/outdir"
)

// The run-safety suite (issue 10): an output directory holds one run, an
// input that is mostly rejected or a run that matches no recording fails
// with a reason, and hostile inputs found in a folder walk are reported.
// Each case states its expected exit status and outputs.

// checkLeftoversRemoved runs analyze again into out, where a killed run
// left its staging directory or temporary files: the new run removes them
// and leaves one complete run.
func checkLeftoversRemoved(t *testing.T, bin, out, what string) {
	t.Helper()
	demo := demoDir(t)
	r := runForensics(t, bin, filepath.Dir(out), "analyze", "-q", "--index", filepath.Join(demo, "index.csv"),
		"--out", out, "--workers", "2", filepath.Join(demo, "logs", "nginx"))
	if r.exit != exitOK {
		t.Fatalf("after a run killed at %s: exit %d\n%s", what, r.exit, tail(r.stderr, 2000))
	}
	checkOneCompleteRun(t, out)
}

// checkOneCompleteRun checks that out holds one complete run: the
// manifest, no marker of an incomplete one, no staging directory or
// temporary file, and exactly the outputs the manifest lists, with their
// digests.
func checkOneCompleteRun(t *testing.T, out string) {
	t.Helper()
	checkRunFiles(t, out, false)
}

// checkRunFiles is checkOneCompleteRun; with leftovers, a killed run's
// staging directory is allowed (the next run removes it).
func checkRunFiles(t *testing.T, out string, leftovers bool) {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Outputs map[string]string `json:"outputs"`
	}
	readJSONFile(t, filepath.Join(out, "manifest.json"), &m)
	if len(m.Outputs) == 0 {
		t.Fatalf("%s: the manifest lists no outputs", out)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == outdir.LockName:
		case name == "manifest.json":
		case name == outdir.Incomplete:
			t.Errorf("%s: the marker %s is left: the run is not complete", out, name)
		case leftovers && strings.HasPrefix(name, outdir.StagingPrefix):
		case strings.HasPrefix(name, outdir.StagingPrefix), strings.Contains(name, ".tmp-"):
			t.Errorf("%s: %s left behind", out, name)
		default:
			digest := fileSHA256
			if e.IsDir() {
				// A folder of outputs (the lists, the letters) is listed
				// with a trailing slash and a digest over its files.
				name += "/"
				digest = dirSHA256
			}
			want, ok := m.Outputs[name]
			if !ok {
				t.Errorf("%s: %s is not an output of the run in the manifest (a file of an earlier run?)", out, name)
				continue
			}
			seen[name] = true
			if got, _ := digest(filepath.Join(out, strings.TrimSuffix(name, "/"))); got != want {
				t.Errorf("%s: %s does not have the digest the manifest gives: it is not of the same run", out, name)
			}
		}
	}
	for name := range m.Outputs {
		if !seen[name] {
			t.Errorf("%s: %s listed in the manifest is missing", out, name)
		}
	}
}

// readJSONFile decodes the JSON file at path into v.
func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
}

// testRunSafety runs the output-directory cases on the built binary.
func testRunSafety(t *testing.T, bin string) {
	t.Run("concurrent_runs", func(t *testing.T) { testConcurrentRuns(t, bin) })
	t.Run("concurrent_starts", func(t *testing.T) { testConcurrentStarts(t, bin) })
	t.Run("rerun_replaces", func(t *testing.T) { testRerunReplaces(t, bin) })
	t.Run("interrupt", func(t *testing.T) { testInterrupt(t, bin) })
	t.Run("read_only_out", func(t *testing.T) { testReadOnlyOut(t, bin) })
	t.Run("unreadable_in_folder", func(t *testing.T) { testUnreadableInFolder(t, bin) })
}

// A file and a subfolder without read permission in a log folder: each is
// that input's error (exit 2), the rest is analysed.
func testUnreadableInFolder(t *testing.T, bin string) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads files of mode 0000")
	}
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(filepath.Join(logs, "sub"), 0o755)
	writeFile(t, filepath.Join(logs, "access.log"), joinLines(genCombined(demoRecordings(t, 5), 90, 0), "\n"))
	writeFile(t, filepath.Join(logs, "secret.log"), joinLines(genCombined(demoRecordings(t, 5), 9, 0), "\n"))
	if err := os.Chmod(filepath.Join(logs, "secret.log"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(logs, "sub"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(logs, "sub"), 0o755) })
	r := runForensics(t, bin, dir, "analyze", "--index", filepath.Join(demoDir(t), "index.csv"), "--out", "out", "logs")
	if r.exit != exitBadInput {
		t.Errorf("exit %d, want %d\n%s", r.exit, exitBadInput, tail(r.stderr, 2000))
	}
	m := readManifest(t, filepath.Join(dir, "out"))
	for _, name := range []string{"secret.log", "sub"} {
		if in := m.input(t, name); in.Error == "" {
			t.Errorf("%s: no error in the manifest", name)
		}
	}
	if in := m.input(t, "access.log"); in.Records != 90 {
		t.Errorf("access.log: %d records, want 90 (the rest analysed)", in.Records)
	}
}

// startAnalyze starts analyze in dir with a pipe on standard input (the
// log "-"): it holds the output directory until the pipe is closed. It
// returns once the run has locked out and made its staging directory.
func startAnalyze(t *testing.T, bin, dir, out string, extra ...string) (cmd *exec.Cmd, stdin io.WriteCloser, stderr *bytes.Buffer) {
	t.Helper()
	demo := demoDir(t)
	args := append([]string{"analyze", "-q", "--index", filepath.Join(demo, "index.csv"), "--out", out, "--workers", "2"}, extra...)
	cmd = forensicsCommand(bin, dir, append(args, "-")...)
	stderr = new(bytes.Buffer)
	cmd.Stderr = stderr
	var err error
	if stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for {
		if stagingDirs(t, filepath.Join(dir, out)) > 0 {
			return cmd, stdin, stderr
		}
		if cmd.ProcessState != nil {
			t.Fatalf("analyze ended before it held %s: %s", out, stderr)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stagingDirs counts the staging directories in out.
func stagingDirs(t *testing.T, out string) int {
	entries, _ := os.ReadDir(out)
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), outdir.StagingPrefix) {
			n++
		}
	}
	return n
}

// checkSummaryAgrees checks that summary.json and persons.parquet in out
// come from one run: the same number of persons, at each level.
func checkSummaryAgrees(t *testing.T, out string) {
	t.Helper()
	var s struct {
		PersonsTotal   int64            `json:"persons_total"`
		PersonsByLevel map[string]int64 `json:"persons_by_level"`
	}
	readJSONFile(t, filepath.Join(out, "summary.json"), &s)
	type personLevel struct {
		SubjectID string `parquet:"subject_id"`
		Level     string `parquet:"level"`
	}
	rows, err := parquet.ReadFile[personLevel](filepath.Join(out, "persons.parquet"))
	if err != nil {
		t.Fatalf("persons.parquet: %v", err)
	}
	levels := map[string]int64{}
	for _, r := range rows {
		levels[r.Level]++
	}
	if int64(len(rows)) != s.PersonsTotal {
		t.Errorf("persons.parquet holds %d persons, summary.json says %d: two runs mixed", len(rows), s.PersonsTotal)
	}
	for l, n := range s.PersonsByLevel {
		if levels[l] != n {
			t.Errorf("level %s: persons.parquet %d, summary.json %d: two runs mixed", l, levels[l], n)
		}
	}
}

// One run holds --out: a second fails at once (exit 1, naming the
// reason), without touching the first's staging; the first completes.
func testConcurrentRuns(t *testing.T, bin string) {
	dir := t.TempDir()
	first, stdin, stderr := startAnalyze(t, bin, dir, "out")
	nginx := filepath.Join(demoDir(t), "logs", "nginx")
	r := runForensics(t, bin, dir, "analyze", "-q", "--index", filepath.Join(demoDir(t), "index.csv"), "--out", "out", nginx)
	if r.exit != exitFailure || !strings.Contains(r.stderr, "another run is writing to this output directory") {
		t.Errorf("second run: exit %d, want %d saying another run holds the directory; stderr:\n%s", r.exit, exitFailure, r.stderr)
	}
	if n := stagingDirs(t, filepath.Join(dir, "out")); n != 1 {
		t.Errorf("%d staging directories after the second run, want the first run's", n)
	}
	b, err := os.ReadFile(filepath.Join(nginx, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	stdin.Write(b)
	stdin.Close()
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, stderr)
	}
	checkOneCompleteRun(t, filepath.Join(dir, "out"))
	checkSummaryAgrees(t, filepath.Join(dir, "out"))
}

// Runs started together on different logs: whatever the order, each
// fails fast or completes, and the directory holds one run.
func testConcurrentStarts(t *testing.T, bin string) {
	demo := demoDir(t)
	dir := t.TempDir()
	for i := range 4 {
		var cmds []*exec.Cmd
		var errs []*bytes.Buffer
		for _, logs := range []string{"nginx", "apache"} {
			cmd := forensicsCommand(bin, dir, "analyze", "-q", "--index", filepath.Join(demo, "index.csv"), "--out", "out",
				"--workers", "1", filepath.Join(demo, "logs", logs))
			var e bytes.Buffer
			cmd.Stderr = &e
			cmds, errs = append(cmds, cmd), append(errs, &e)
		}
		for _, c := range cmds {
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
		}
		ok := 0
		for j, c := range cmds {
			c.Wait()
			switch code := c.ProcessState.ExitCode(); {
			case code == exitOK:
				ok++
			case code == exitFailure && strings.Contains(errs[j].String(), "another run"):
			default:
				t.Errorf("try %d: run %d: exit %d\n%s", i, j, code, errs[j])
			}
		}
		if ok == 0 {
			t.Errorf("try %d: no run completed", i)
		}
		checkOneCompleteRun(t, filepath.Join(dir, "out"))
		checkSummaryAgrees(t, filepath.Join(dir, "out"))
	}
}

// A rerun replaces the earlier run whole: files of the earlier run that
// the new one does not write are removed.
func testRerunReplaces(t *testing.T, bin string) {
	demo := demoDir(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	args := []string{"analyze", "-q", "--index", filepath.Join(demo, "index.csv"), "--out", "out"}
	if r := runForensics(t, bin, dir, append(args, filepath.Join(demo, "logs", "nginx"))...); r.exit != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.exit, r.stderr)
	}
	// An earlier run that wrote more: a file its manifest lists, and one
	// of the names analyze may write.
	var m map[string]any
	readJSONFile(t, filepath.Join(out, "manifest.json"), &m)
	m["outputs"].(map[string]any)["older.parquet"] = "x"
	b, _ := json.Marshal(m)
	writeFile(t, filepath.Join(out, "manifest.json"), b)
	writeFile(t, filepath.Join(out, "older.parquet"), []byte("x"))
	if !slices.Contains(outputNames, "listings.parquet") {
		t.Fatal("listings.parquet is not an output name")
	}
	writeFile(t, filepath.Join(out, "listings.parquet"), []byte("x"))
	if r := runForensics(t, bin, dir, append(args, filepath.Join(demo, "logs", "apache"))...); r.exit != exitOK {
		t.Fatalf("second run: exit %d\n%s", r.exit, r.stderr)
	}
	checkOneCompleteRun(t, out)
	checkSummaryAgrees(t, out)
}

// SIGINT and SIGTERM while a run reads: exit 1 with the reason, no
// staging left, and the directory as it was (an earlier run whole; a
// directory the run made, gone).
func testInterrupt(t *testing.T, bin string) {
	demo := demoDir(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if r := runForensics(t, bin, dir, "analyze", "-q", "--index", filepath.Join(demo, "index.csv"), "--out", "out",
		filepath.Join(demo, "logs", "nginx")); r.exit != exitOK {
		t.Fatalf("first run: exit %d\n%s", r.exit, r.stderr)
	}
	before := dirDigests(t, out)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		cmd, stdin, stderr := startAnalyze(t, bin, dir, "out")
		// Some records first, so that the run is under way.
		b, _ := os.ReadFile(filepath.Join(demo, "logs", "nginx", "access.log"))
		stdin.Write(b[:len(b)/2])
		cmd.Process.Signal(sig)
		cmd.Wait()
		stdin.Close()
		if code := cmd.ProcessState.ExitCode(); code != exitFailure || !strings.Contains(stderr.String(), "interrupted") {
			t.Errorf("%v: exit %d, want %d saying it was interrupted; stderr:\n%s", sig, code, exitFailure, stderr)
		}
		if diff := cmp.Diff(before, dirDigests(t, out)); diff != "" {
			t.Errorf("%v: the directory changed (-before +after):\n%s", sig, diff)
		}
	}
	// Into a new directory: nothing is left.
	cmd, stdin, _ := startAnalyze(t, bin, dir, "new")
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	stdin.Close()
	if _, err := os.Stat(filepath.Join(dir, "new")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an interrupted run into a new directory left it: %v", err)
	}
}

// dirDigests maps each name in dir to its SHA-256 ("dir" for a directory).
func dirDigests(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			m[e.Name()] = "dir"
			continue
		}
		m[e.Name()], _ = fileSHA256(filepath.Join(dir, e.Name()))
	}
	return m
}

// An --out that cannot be written fails (exit 1) before the index is
// loaded or any log read.
func testReadOnlyOut(t *testing.T, bin string) {
	demo := demoDir(t)
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// Root writes into a mode 0500 directory: use one no one can
		// write, if there is one.
		ro = "/sys/kernel"
		if err := os.Mkdir(filepath.Join(ro, "forensics-probe"), 0o700); err == nil {
			os.Remove(filepath.Join(ro, "forensics-probe"))
			t.Skip("running as root with a writable /sys/kernel: no read-only directory to try")
		}
	}
	for _, out := range []string{ro, filepath.Join(ro, "out")} {
		r := runForensics(t, bin, dir, "analyze", "--index", filepath.Join(demo, "index.csv"), "--out", out,
			filepath.Join(demo, "logs", "nginx"))
		if r.exit != exitFailure || !strings.Contains(r.stderr, "forensics: --out") {
			t.Errorf("--out %s: exit %d, want %d with the reason; stderr:\n%s", out, r.exit, exitFailure, r.stderr)
		}
		if strings.Contains(r.stderr, "name=index") || strings.Contains(r.stderr, "input read") {
			t.Errorf("--out %s: the run loaded the index or read logs before it found --out unwritable:\n%s", out, r.stderr)
		}
	}
}

// runSafetyCases are the hostile inputs of issue 10, run by the
// hostile-input suite (testHostileInputs) and scanned by the privacy test.
func runSafetyCases() []hostileCase {
	nginxDir := func(t *testing.T) string { return filepath.Join(demoDir(t), "logs", "nginx") }
	return append(inputCases(), []hostileCase{
		{
			// A format that fits no line of the input: exit 2 naming the
			// input and the format the lines look like, also with -q.
			name: "format w3c given for nginx logs",
			prepare: func(t *testing.T, dir string) []string {
				return []string{"-q", "--format", "w3c", filepath.Join(nginxDir(t), "access.log")}
			},
			exit: exitBadInput,
			stderr: []string{
				`forensics: input \S*access\.log: (\d+) of \d+ lines rejected: wrong format: given with --format as w3c, but the lines look like nginx\w*; give --format nginx\w* or leave --format out`,
			},
			check: checkProblem("access.log", "wrong format"),
		},
		{
			name: "UTF-16 log with a format",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "utf16.log"), utf16LE(joinLines(genCombined(demoRecordings(t, 5), 60, 0), "\r\n")))
				return []string{"--format", "combined", "utf16.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input utf16\.log: \d+ of \d+ lines rejected: the input looks UTF-16 encoded`},
			check:  checkProblem("utf16.log", "UTF-16"),
		},
		{
			name: "UTF-16 log detected",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "utf16.log"), utf16LE(joinLines(genCombined(demoRecordings(t, 5), 60, 0), "\n")))
				return []string{"-q", "utf16.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input utf16\.log: format not detected: the input looks UTF-16 encoded`},
			check:  checkProblem("utf16.log", "UTF-16"),
		},
		{
			// Standard input cannot be read twice: its first bytes are
			// kept for the cause.
			name:  "UTF-16 log on standard input with a format",
			stdin: "utf16.log",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "utf16.log"), utf16LE(joinLines(genCombined(demoRecordings(t, 5), 60, 0), "\n")))
				return []string{"--format", "combined", "-"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input <stdin>: \d+ of \d+ lines rejected: the input looks UTF-16 encoded`},
		},
		{
			name: "CR-only line ends with a format",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "cr.log"), joinLines(genCombined(demoRecordings(t, 5), 60, 0), "\r"))
				return []string{"--format", "combined", "cr.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input cr\.log: 1 of 1 lines rejected: its lines end in CR only`},
			check:  checkProblem("cr.log", "CR only"),
		},
		{
			// A format that keeps trailing fields accepts the first
			// request of the one long line: no line is rejected, yet the
			// line ends are wrong.
			name:  "CR-only nginx log on standard input, accepted with trailing fields",
			stdin: "cr.log",
			prepare: func(t *testing.T, dir string) []string {
				b, err := os.ReadFile(filepath.Join(nginxDir(t), "access.log"))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, "cr.log"), bytes.ReplaceAll(b, []byte("\n"), []byte("\r")))
				return []string{"--format", "combined", "-"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input <stdin>: 1 lines in \d+ bytes: its lines end in CR only`},
		},
		{
			name: "CR-only line ends detected",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "cr.log"), joinLines(genCombined(demoRecordings(t, 5), 60, 0), "\r"))
				return []string{"cr.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input cr\.log: format not detected: its lines end in CR only`},
		},
		{
			// A format detected from the first lines, then another: the
			// rest rejected.
			name: "format changes after the first lines",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 5), 300, 0)
				for i := 80; i < len(lines); i++ {
					lines[i] = strings.Replace(lines[i], " - - [", " [", 1)
				}
				writeFile(t, filepath.Join(dir, "mixed.log"), joinLines(lines, "\n"))
				return []string{"mixed.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input mixed\.log: 220 of 300 lines rejected: wrong format: detected as \w+ from its first lines, but most lines do not fit`},
		},
		{
			// Fewer lines rejected than read: a warning, not a failure.
			name: "some lines rejected",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 5), 300, 0)
				for i := 0; i < 140; i++ {
					lines[i] = strings.Replace(lines[i], " - - [", " [", 1)
				}
				writeFile(t, filepath.Join(dir, "some.log"), joinLines(lines, "\n"))
				return []string{"--format", "combined", "some.log"}
			},
			exit: exitOK,
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if in := m.input(t, "some.log"); in.Rejected != 140 || in.Records != 160 {
					t.Errorf("some.log: rejected %d records %d, want 140 and 160", in.Rejected, in.Records)
				}
			},
		},
		{
			// Index paths under /data, requests without it: nothing
			// matches; exit 2 with the prefix to add.
			name: "wrong URL prefix",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "index.csv"), prefixedIndex(t, "/data"))
				writeFile(t, filepath.Join(dir, "access.log"), joinLines(genCombined(demoRecordings(t, 10), 300, 0), "\n"))
				return []string{"-q", "--index", "index.csv", "access.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: no request matched a recording of the index, though 100 requests name files ending in \.mp3.*; try --add-prefix /data \(the leading folders that differ in 100 of 100 sampled requests\)`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				checkProblem("", "no request matched")(t, h, dir, r, m)
				// The suggestion works.
				r2 := runForensics(t, h.bin, dir, "analyze", "-q", "--index", "index.csv", "--out", "out2", "--add-prefix", "/data", "access.log")
				if r2.exit != exitOK {
					t.Errorf("with the suggested --add-prefix: exit %d\n%s", r2.exit, r2.stderr)
				}
			},
		},
		{
			// Index paths without extensions: requests that share a file
			// name (and the folders above it) with the index count.
			name: "wrong URL prefix, no extensions",
			prepare: func(t *testing.T, dir string) []string {
				noExt := strings.NewReplacer(".mp3,", ",", ".wav,", ",", ".mp3 HTTP", " HTTP", ".wav HTTP", " HTTP")
				writeFile(t, filepath.Join(dir, "index.csv"), []byte(noExt.Replace(string(prefixedIndex(t, "/data")))))
				writeFile(t, filepath.Join(dir, "access.log"), []byte(noExt.Replace(string(joinLines(genCombined(demoRecordings(t, 10), 300, 0), "\n")))))
				return []string{"-q", "--index", "index.csv", "access.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: no request matched a recording of the index, though sampled requests name files of the index: .*; try --add-prefix /data \(`},
		},
		{
			// A server on a case-insensitive file system: the request
			// spells the file names in another case.
			name: "file names in another case",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 10), 300, 0)
				for i := range lines {
					lines[i] = strings.NewReplacer(".mp3 HTTP", ".MP3 HTTP", ".wav HTTP", ".WAV HTTP").Replace(lines[i])
				}
				writeFile(t, filepath.Join(dir, "access.log"), joinLines(lines, "\n"))
				return []string{"access.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`no request matched a recording of the index, though 100 requests name files ending in .*; try --fold-case`},
		},
		{
			// Requests under a published prefix the index does not have.
			name: "URL prefix to strip",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 10), 300, 0)
				for i := range lines {
					lines[i] = strings.Replace(lines[i], "GET /recordings/", "GET /public/nas/recordings/", 1)
				}
				writeFile(t, filepath.Join(dir, "access.log"), joinLines(lines, "\n"))
				return []string{"access.log"}
			},
			exit:   exitBadInput,
			stderr: []string{`try --strip-prefix /public/nas \(`},
		},
	}...)
}

// checkProblem checks that the manifest names the problem: on the input
// whose name ends in input, or among the run's problems.
func checkProblem(input, want string) func(*testing.T, *hostileEnv, string, forensicsRun, *hostileManifest) {
	return func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
		t.Helper()
		var mf struct {
			Problems []string `json:"problems"`
			Inputs   []struct {
				Name    string `json:"name"`
				Problem string `json:"problem"`
			} `json:"inputs"`
		}
		readJSONFile(t, filepath.Join(dir, "out", "manifest.json"), &mf)
		checkReportProblems(t, filepath.Join(dir, "out"), want)
		found := false
		for _, p := range mf.Problems {
			found = found || strings.Contains(p, want)
		}
		if !found {
			t.Errorf("manifest: no problem saying %q: %q", want, mf.Problems)
		}
		if input == "" {
			return
		}
		for _, in := range mf.Inputs {
			if strings.HasSuffix(in.Name, input) && !strings.Contains(in.Problem, want) {
				t.Errorf("manifest: input %s: problem %q, want %q", input, in.Problem, want)
			}
		}
	}
}

// utf16LE encodes UTF-8 text as UTF-16 little-endian with a byte-order
// mark, as Windows tools write it.
func utf16LE(b []byte) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// prefixedIndex returns the demo index with prefix before every path.
func prefixedIndex(t *testing.T, prefix string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(demoDir(t), "index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "/") {
			lines[i] = prefix + lines[i]
		}
	}
	return []byte(strings.Join(lines, ""))
}

// inputCases are the hostile inputs of issue 10 item 5: what a folder of
// logs can hold besides logs.
func inputCases() []hostileCase {
	return []hostileCase{
		{
			// A dangling symbolic link in a log folder: that input's
			// error (exit 2), the other files analysed.
			name: "dangling symlink in a folder",
			prepare: func(t *testing.T, dir string) []string {
				os.Mkdir(filepath.Join(dir, "logs"), 0o755)
				writeFile(t, filepath.Join(dir, "logs", "access.log"), joinLines(genCombined(demoRecordings(t, 5), 90, 0), "\n"))
				if err := os.Symlink(filepath.Join(dir, "gone.log"), filepath.Join(dir, "logs", "old.log")); err != nil {
					t.Fatal(err)
				}
				return []string{"logs"}
			},
			exit:   exitBadInput,
			stderr: []string{`level=ERROR msg="cannot read the input" input=logs/old\.log error=".*dangling symbolic link`, `could not be read in full`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if in := m.input(t, "old.log"); in.Error == "" {
					t.Error("old.log: no error in the manifest")
				}
				if in := m.input(t, "access.log"); in.Records != 90 || in.Error != "" {
					t.Errorf("access.log: %d records, error %q; want 90 and none (the rest analysed)", in.Records, in.Error)
				}
			},
		},
		{
			// A named pipe in a log folder would block the run: skipped,
			// listed in the manifest.
			name: "FIFO in a folder",
			prepare: func(t *testing.T, dir string) []string {
				os.Mkdir(filepath.Join(dir, "logs"), 0o755)
				writeFile(t, filepath.Join(dir, "logs", "access.log"), joinLines(genCombined(demoRecordings(t, 5), 90, 0), "\n"))
				if err := syscall.Mkfifo(filepath.Join(dir, "logs", "pipe.log"), 0o600); err != nil {
					t.Fatal(err)
				}
				return []string{"logs"}
			},
			exit:   exitOK,
			stderr: []string{`file in a log folder skipped: not a regular file" input=logs/pipe\.log kind="named pipe"`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				var mf struct {
					Skipped []struct{ Name, Kind string } `json:"skipped_inputs"`
				}
				readJSONFile(t, filepath.Join(dir, "out", "manifest.json"), &mf)
				if len(mf.Skipped) != 1 || mf.Skipped[0].Name != "logs/pipe.log" || mf.Skipped[0].Kind != "named pipe" {
					t.Errorf("manifest: skipped_inputs %+v, want logs/pipe.log, named pipe", mf.Skipped)
				}
				if len(m.Inputs) != 1 {
					t.Errorf("manifest: %d inputs, want 1 (the pipe is not an input)", len(m.Inputs))
				}
			},
		},
		{
			// An endless input without newlines, with a format: one line
			// rejected as too long, then the input ends at the bound
			// (logparse.DefaultMaxDiscard, 1 GiB) with an error.
			name: "dev zero with a format",
			prepare: func(t *testing.T, dir string) []string {
				return []string{"--format", "combined", "/dev/zero"}
			},
			exit:   exitBadInput,
			stderr: []string{`input=/dev/zero error=".*no line end within the bound`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if in := m.input(t, "/dev/zero"); in.Lines != 1 || in.Rejected != 1 || !strings.Contains(in.Error, "no line end") {
					t.Errorf("/dev/zero: lines %d rejected %d error %q", in.Lines, in.Rejected, in.Error)
				}
			},
		},
		{
			name: "dev zero detected",
			prepare: func(t *testing.T, dir string) []string {
				return []string{"/dev/zero"}
			},
			exit:   exitBadInput,
			stderr: []string{`forensics: input /dev/zero: format not detected: the input is not text`},
		},
		{
			// The same log as a plain file and gzip-compressed, in two
			// folders: read once, the later reported as duplicate_of the
			// earlier, by content.
			name: "plain and gzip duplicate",
			prepare: func(t *testing.T, dir string) []string {
				b := joinLines(genCombined(demoRecordings(t, 10), 300, 0), "\n")
				os.Mkdir(filepath.Join(dir, "a"), 0o755)
				os.Mkdir(filepath.Join(dir, "b"), 0o755)
				writeFile(t, filepath.Join(dir, "a", "access.log"), b)
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(b)
				zw.Close()
				writeFile(t, filepath.Join(dir, "b", "access.log.gz"), z.Bytes())
				return []string{"a", "b"}
			},
			exit:   exitOK,
			stderr: []string{`input skipped: the same log as an earlier input, compressed otherwise.* input=b/access\.log\.gz same_as=a/access\.log`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if !m.hasField("b/access.log.gz", "duplicate_by") {
					t.Fatal("manifest: b/access.log.gz has no duplicate_by")
				}
				if in := m.input(t, "b/access.log.gz"); in.DuplicateOf != "a/access.log" || in.Lines != 0 {
					t.Errorf("b/access.log.gz: duplicate_of %q, lines %d; want a/access.log, 0", in.DuplicateOf, in.Lines)
				}
				if m.Totals["duplicate_inputs"] != 1 || m.Totals["records"] != 300 {
					t.Errorf("totals: duplicate_inputs %d records %d; want 1, 300", m.Totals["duplicate_inputs"], m.Totals["records"])
				}
				_, ref := h.rerun(t, func(dir string) []string {
					writeFile(t, filepath.Join(dir, "access.log"), joinLines(genCombined(h.recs, 300, 0), "\n"))
					return []string{"access.log"}
				})
				if diff := cmp.Diff(exposureRequests(t, ref), exposureRequests(t, filepath.Join(dir, "out"))); diff != "" {
					t.Errorf("exposures differ from one copy's (-once +twice):\n%s", diff)
				}
			},
		},
		{
			// A file name that is not UTF-8 (Latin-1 "café"): escaped in
			// "name", exact in "name_b64".
			name: "non-UTF-8 file name",
			prepare: func(t *testing.T, dir string) []string {
				os.Mkdir(filepath.Join(dir, "logs"), 0o755)
				writeFile(t, filepath.Join(dir, "logs", "caf\xe9.log"), joinLines(genCombined(demoRecordings(t, 5), 30, 0), "\n"))
				return []string{"logs"}
			},
			exit: exitOK,
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				var mf struct {
					Inputs []struct {
						Name    string `json:"name"`
						NameB64 string `json:"name_b64"`
					} `json:"inputs"`
				}
				readJSONFile(t, filepath.Join(dir, "out", "manifest.json"), &mf)
				if len(mf.Inputs) != 1 {
					t.Fatalf("manifest: %d inputs, want 1", len(mf.Inputs))
				}
				raw, err := base64.StdEncoding.DecodeString(mf.Inputs[0].NameB64)
				if err != nil || string(raw) != "logs/caf\xe9.log" {
					t.Errorf("manifest: name_b64 %q decodes to %q, %v; want the exact name", mf.Inputs[0].NameB64, raw, err)
				}
				if !utf8.ValidString(mf.Inputs[0].Name) || !strings.HasPrefix(mf.Inputs[0].Name, "logs/caf") {
					t.Errorf("manifest: name %q, want the name escaped as UTF-8", mf.Inputs[0].Name)
				}
			},
		},
	}
}

// checkReportProblems checks that report.html and report.md in out show
// the run's problem want before their summary.
func checkReportProblems(t *testing.T, out, want string) {
	t.Helper()
	for _, f := range []struct{ name, mark, summary string }{
		{"report.html", `id="problems"`, "<h2>1. "},
		{"report.md", "> **", "## 1. "},
	} {
		b, err := os.ReadFile(filepath.Join(out, f.name))
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(b, []byte(f.mark))
		if i < 0 || bytes.Index(b, []byte(f.summary)) < i || !bytes.Contains(b[i:], []byte(want)) {
			t.Errorf("%s does not show the problem %q before its summary", f.name, want)
		}
	}
}
