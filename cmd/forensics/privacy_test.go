package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/xuri/excelize/v2"

	"github.com/forensiclog/forensics/internal/outdir"
)

// The privacy tests run every kind of invocation the CLI tests make and
// check that no personal identity number or phone number of the index
// reaches what a terminal, a CI log or a ticket would show: analyze's
// summary on stdout and every command's stderr (parse's stdout is its
// data output and exempt). They also check that outputs are for the
// response team only (mode 0600) and that a killed run leaves no
// half-written file under a final name.

// secretScanner finds the index's identity and phone numbers in text, in
// any written form: 12 or 10 digits, with '-' or '+' (personnummer), and
// 07x, +467x, 00467x, with or without spaces and dashes (phone numbers).
type secretScanner struct {
	pnr10  []string // YYMMDDNNNC: also found inside the 12-digit forms
	phones []string // national significant number, 9 digits: 7xxxxxxxx
	raw    []string // reservnummer and other identifiers, as written
}

// addIndex adds the numbers of an index CSV: subjects, caller phones and
// the phone numbers in the file names.
func (s *secretScanner) addIndex(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	inName := regexp.MustCompile(`_(\d{10})\.\w+$`)
	for _, row := range rows[1:] {
		for _, subj := range strings.Split(row[col["subjects"]], ";") {
			_, num, _ := strings.Cut(subj, ":")
			s.addIdentity(num)
		}
		s.addPhone(row[col["caller_phone"]])
		if m := inName.FindStringSubmatch(row[col["path"]]); m != nil {
			s.addPhone(m[1])
		}
	}
	s.pnr10 = sortedUnique(s.pnr10)
	s.phones = sortedUnique(s.phones)
	s.raw = sortedUnique(s.raw)
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func (s *secretScanner) addIdentity(num string) {
	num = strings.TrimSpace(num)
	d := digitsOf(num)
	switch {
	case num == "":
	case len(d) == 12 && len(num) <= 13:
		s.pnr10 = append(s.pnr10, d[2:])
	case len(d) == 10 && len(num) <= 11:
		s.pnr10 = append(s.pnr10, d)
	default:
		s.raw = append(s.raw, num) // reservnummer: no national form
	}
}

func (s *secretScanner) addPhone(p string) {
	d := digitsOf(p)
	switch {
	case strings.HasPrefix(d, "0046"):
		d = d[4:]
	case strings.HasPrefix(d, "46") && strings.HasPrefix(strings.TrimSpace(p), "+"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = d[1:]
	}
	if len(d) >= 7 {
		s.phones = append(s.phones, d)
	}
}

// collapse removes the separators people write inside numbers (space,
// '-', '+') where they stand between two digits, so that "070-174 06 05"
// and "19800214-1234" read as digit runs.
func collapse(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == ' ' || c == '-' || c == '+' {
			j := i
			for j < len(text) && (text[j] == ' ' || text[j] == '-' || text[j] == '+') && j-i < 3 {
				j++
			}
			prevDigit := b.Len() > 0 && isASCIIDigit(b.String()[b.Len()-1])
			if prevDigit && j < len(text) && isASCIIDigit(text[j]) {
				i = j - 1
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// find returns the kind of the first number of the index found in text,
// or "". It never returns the number.
func (s *secretScanner) find(text string) string {
	c := collapse(text)
	for _, p := range s.pnr10 {
		if strings.Contains(c, p) {
			return "a personal identity number"
		}
	}
	for _, p := range s.phones {
		if strings.Contains(c, "0"+p) || strings.Contains(c, "46"+p) {
			return "a phone number"
		}
	}
	for _, r := range s.raw {
		if strings.Contains(text, r) {
			return "a reserve number"
		}
	}
	return ""
}

func TestSecretScanner(t *testing.T) {
	var s secretScanner
	pnr := luhnPnr("19800214", "123")
	s.addIdentity(pnr)
	s.addIdentity("RESSTO12345")
	s.addPhone("+46 70-174 06 05")
	f := func(text string, want bool) {
		t.Helper()
		if got := s.find(text) != ""; got != want {
			t.Errorf("find(%q) = %v, want %v", text, got, want)
		}
	}
	for _, text := range []string{
		pnr, pnr[:8] + "-" + pnr[8:], pnr[2:], pnr[2:8] + "-" + pnr[8:], pnr[2:8] + "+" + pnr[8:],
		"0701740605", "070-1740605", "070-174 06 05", "+46701740605", "0046701740605", "+46 70-174 06 05",
		"at 46701740605.", "RESSTO12345",
	} {
		f("x "+text+" y", true)
	}
	for _, text := range []string{"lines=3 records=2", "0701740606", pnr[:8], "2019-02-18T13:02:00+01:00", "RESSTO1234"} {
		f(text, false)
	}
}

// privacyRun is one invocation for the privacy test.
type privacyRun struct {
	name       string
	dir        string
	args       []string
	scanStdout bool   // analyze: the summary; parse: data, exempt
	out        string // output directory or file to check for mode 0600, "" none
}

// testPrivacy runs the invocations of the CLI tests and the hostile
// suite and scans what they print; see the file comment.
func testPrivacy(t *testing.T, bin string) {
	demo := demoDir(t)
	root := filepath.Dir(filepath.Dir(demo))
	idx := filepath.Join(demo, "index.csv")

	var secrets secretScanner
	secrets.addIndex(t, idx)
	if len(secrets.pnr10) < 700 || len(secrets.phones) < 90 {
		t.Fatalf("the demo index gave %d identity and %d phone numbers: the scanner reads it wrong", len(secrets.pnr10), len(secrets.phones))
	}

	base := t.TempDir()
	var runs []privacyRun
	add := func(name string, scanStdout bool, out string, args ...string) {
		dir := filepath.Join(base, strings.NewReplacer(" ", "_", "/", "_").Replace(name))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if out != "" {
			out = filepath.Join(dir, out)
		}
		runs = append(runs, privacyRun{name, dir, args, scanStdout, out})
	}

	// The demo with no arguments runs where fixtures/demo is found, and
	// writes forensics-out-<time> there: give it a directory of its own
	// that links to the fixtures.
	add("demo, no arguments", true, "")
	if err := os.Symlink(filepath.Join(root, "fixtures"), filepath.Join(runs[0].dir, "fixtures")); err != nil {
		t.Fatal(err)
	}
	runs = append(runs, privacyRun{"demo, analyze --out", runs[0].dir, []string{"analyze", "--out", "o2"}, true, filepath.Join(runs[0].dir, "o2")})
	add("demo, all arguments", true, "out", "analyze", "--index", idx, "--out", "out",
		"--actors", filepath.Join(demo, "actors.yaml"), "--trusted-proxy", "192.0.2.5",
		"--geoip-city", filepath.Join(demo, "geoip", "city.mmdb"), "--geoip-asn", filepath.Join(demo, "geoip", "asn.mmdb"),
		filepath.Join(demo, "logs"))
	add("demo, actor key ip+ua, one service", true, "out", "analyze", "--index", idx, "--out", "out", "--actor-key", "ip+ua",
		filepath.Join(demo, "logs", "apache"))

	// parse on every demo log, as JSON lines (stdout exempt) and Parquet.
	var logs []string
	filepath.WalkDir(filepath.Join(demo, "logs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			logs = append(logs, p)
		}
		return nil
	})
	if len(logs) < 10 {
		t.Fatalf("found %d demo logs, want 10", len(logs))
	}
	for _, l := range logs {
		name := filepath.Base(l)
		add("parse json "+name, false, "", "parse", l)
		add("parse parquet "+name, false, "x.parquet", "parse", "--out", "x.parquet", l)
	}

	// Broken indexes: no header (the first row is read as the header, so
	// a message naming columns would show a row), rows cut or mangled,
	// garbage, empty, missing.
	b, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	indexLines := strings.SplitAfter(string(b), "\n")
	nginx := filepath.Join(demo, "logs", "nginx")
	brokenIndex := func(name string, content []byte) {
		add("broken index "+name, true, "out", "analyze", "--index", "index.csv", "--out", "out", nginx)
		if content != nil {
			writeFile(t, filepath.Join(runs[len(runs)-1].dir, "index.csv"), content)
		}
	}
	brokenIndex("without header", []byte(strings.Join(indexLines[1:], "")))
	mangled := slices.Clone(indexLines)
	mangled[2] = strings.Replace(mangled[2], "2016-", "20x6-", 1)
	mangled[3] = strings.Replace(mangled[3], ",", ";", 3)
	mangled[4] = strings.Replace(mangled[4], "caller:", "caller=", 1)
	mangled[5] = strings.Replace(mangled[5], ",", `,"`, 1)
	mangled[len(mangled)-2] = mangled[len(mangled)-2][:len(mangled[len(mangled)-2])/2]
	mangled = mangled[:len(mangled)-1]
	brokenIndex("mangled rows", []byte(strings.Join(mangled, "")))
	brokenIndex("random bytes", randomBytes(8<<10))
	brokenIndex("empty", []byte{})
	brokenIndex("missing", nil)
	add("broken index as jsonl", true, "out", "analyze", "--index", "index.csv", "--index-format", "jsonl", "--out", "out", nginx)
	writeFile(t, filepath.Join(runs[len(runs)-1].dir, "index.csv"), b)
	add("duplicate and invalid index", true, "out", "analyze", "--index", "index.csv", "--out", "out", nginx)
	writeFile(t, filepath.Join(runs[len(runs)-1].dir, "index.csv"), []byte(badIndexCSV()))
	secrets.addIndex(t, filepath.Join(runs[len(runs)-1].dir, "index.csv"))

	// A cut gzip, for analyze and parse.
	gz, err := os.ReadFile(filepath.Join(nginx, "access.log.2.gz"))
	if err != nil {
		t.Fatal(err)
	}
	add("cut gzip", true, "out", "analyze", "--index", idx, "--out", "out", "cut.gz")
	writeFile(t, filepath.Join(runs[len(runs)-1].dir, "cut.gz"), gz[:len(gz)/2])
	add("parse cut gzip", false, "", "parse", "cut.gz")
	writeFile(t, filepath.Join(runs[len(runs)-1].dir, "cut.gz"), gz[:len(gz)/2])

	// Unknown and wrong formats, bad flags.
	add("unknown format", true, "", "analyze", "--index", idx, "--out", "out", "--format", "nosuch", nginx)
	add("wrong format", true, "out", "analyze", "--index", idx, "--out", "out", "--format", "w3c", nginx)
	add("bad format string", true, "", "analyze", "--index", idx, "--out", "out", "--format", "apache:%h %Q %>s", nginx)
	add("parse unknown format", false, "", "parse", "--format", "nosuch", filepath.Join(nginx, "access.log"))
	add("parse wrong format", false, "", "parse", "--format", "w3c", filepath.Join(nginx, "access.log"))
	add("bad flag", true, "", "analyze", "--bogus-flag")
	add("bad actor key", true, "", "analyze", "--index", idx, "--actor-key", "nope", nginx)
	add("bad time", true, "", "analyze", "--index", idx, "--exposed-to", "yesterday", nginx)
	add("bad proxy", true, "", "analyze", "--index", idx, "--trusted-proxy", "192.0.2.300", nginx)
	add("no logs", true, "", "analyze", "--index", idx)
	add("logs without index", true, "", "analyze", nginx)
	add("parse bad max errors", false, "", "parse", "--max-errors", "-1", nginx)
	add("parse missing", false, "", "parse", "nosuch.log")

	for _, r := range runs {
		res := runForensics(t, bin, r.dir, r.args...)
		if kind := secrets.find(res.stderr); kind != "" {
			t.Errorf("%s: stderr holds %s from the index (exit %d)", r.name, kind, res.exit)
		}
		if r.scanStdout {
			if kind := secrets.find(res.stdout); kind != "" {
				t.Errorf("%s: the summary on stdout holds %s from the index", r.name, kind)
			}
		}
		if res.exit != 0 && !strings.Contains(res.stderr, "forensics: ") && !strings.Contains(res.stderr, "error") {
			t.Errorf("%s: exit %d without a reason on stderr", r.name, res.exit)
		}
		if r.out != "" && res.exit != exitFailure {
			checkPrivateFiles(t, r.name, r.out)
		}
	}

	// A control: the scanner sees the numbers the demo's exposures.parquet
	// holds (unpseudonymized, for the response team).
	if kind := secrets.find(parquetStrings(t, filepath.Join(runs[2].out, "exposures.parquet"))); kind != "a personal identity number" {
		t.Errorf("the scanner finds %q in the demo's exposures.parquet, want a personal identity number: it is blind", kind)
	}
	t.Run("pseudonymized", func(t *testing.T) { testPseudonymized(t, bin, &secrets) })

	// The hostile-input suite's runs, on inputs that fetch the index's
	// recordings: their paths hold phone numbers.
	h := &hostileEnv{bin: bin, index: idx}
	for _, c := range append(hostileCases(), runSafetyCases()...) {
		dir := filepath.Join(base, "hostile", strings.ReplaceAll(c.name, " ", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		args := c.prepare(t, dir)
		if slices.Contains(args, "--index") {
			args = append([]string{"analyze", "--out", "out"}, args...)
		} else {
			args = h.analyzeArgs("out", args...)
		}
		res := runForensicsStdin(t, bin, dir, c.stdin, args...)
		if kind := secrets.find(res.stderr + res.stdout); kind != "" {
			t.Errorf("hostile input %s: stderr or stdout holds %s from the index", c.name, kind)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err != nil && c.exit == exitFailure {
			continue // a failed run writes no outputs
		}
		checkPrivateFiles(t, "hostile input "+c.name, filepath.Join(dir, "out"))
	}
}

// checkPrivateFiles checks that path, a file or a directory of outputs,
// holds files of mode 0600 only, and no temporary file.
func checkPrivateFiles(t *testing.T, name, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	files := []string{path}
	if st.IsDir() {
		// Folders of outputs (notify/, letters/) are mode 0700, their
		// files 0600 like the others.
		files = files[:0]
		err := filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
			if err != nil || p == path {
				return err
			}
			if e.IsDir() {
				if st, err := os.Stat(p); err == nil && st.Mode().Perm() != 0o700 {
					t.Errorf("%s: folder %s has mode %v, want 0700", name, filepath.Base(p), st.Mode().Perm())
				}
				return nil
			}
			files = append(files, p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("%s: no outputs in %s", name, filepath.Base(path))
		}
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %s has mode %v, want 0600", name, filepath.Base(f), st.Mode().Perm())
		}
		if strings.Contains(filepath.Base(f), ".tmp-") {
			t.Errorf("%s: temporary file %s left behind by a run that finished", name, filepath.Base(f))
		}
	}
}

// testAnalyzeInterrupted kills analyze with SIGKILL while it writes its
// outputs: every file under a final name must be whole (Parquet with its
// footer, JSON that parses); only ".NAME.tmp-*" files may be partial.
func testAnalyzeInterrupted(t *testing.T, bin string) {
	demo := demoDir(t)
	idx := filepath.Join(demo, "index.csv")
	killedWhileWriting := 0
	// Kill when the output directory appears (writing starts) or when a
	// given output is under its final name, after a delay.
	type trigger struct {
		wait  string // "" the directory, else a file in it
		delay time.Duration
	}
	for _, tr := range []trigger{
		{"", 0}, {"", 20 * time.Millisecond},
		{"persons.parquet", 0}, {"coverage.parquet", 0}, {"summary.json", 0},
	} {
		delay := fmt.Sprintf("%s+%v", cmp.Or(tr.wait, "dir"), tr.delay)
		dir := t.TempDir()
		out := filepath.Join(dir, "out")
		cmd := forensicsCommand(bin, dir, "analyze", "-q", "--index", idx, "--out", out, "--workers", "2", filepath.Join(demo, "logs"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var exited bool
	poll:
		for {
			select {
			case <-done:
				exited = true
				break poll
			default:
			}
			if _, err := os.Stat(filepath.Join(out, tr.wait)); err == nil {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		if !exited {
			time.Sleep(tr.delay)
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killedWhileWriting++
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			p := filepath.Join(out, e.Name())
			switch {
			case strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-"):
				// a partial file under a temporary name: allowed
			case strings.HasPrefix(e.Name(), outdir.StagingPrefix) && e.IsDir(), e.Name() == outdir.LockName, e.Name() == outdir.Incomplete:
				// the killed run's staging directory (removed by the
				// next run), the lock file, the marker of a run cut
				// while it moved its outputs into place
			case e.IsDir() && (e.Name() == "notify" || e.Name() == "letters"):
				// the lists and letters: renamed into place whole
			case e.Name() == "report.md":
				// written atomically, as report.html
			case strings.HasSuffix(e.Name(), ".parquet"):
				if err := wholeParquet(p); err != nil {
					t.Errorf("killed at %s: %s is under its final name but not whole: %v", delay, e.Name(), err)
				}
			case strings.HasSuffix(e.Name(), ".html"):
				if b, err := os.ReadFile(p); err != nil || !strings.Contains(string(b), "</html>") {
					t.Errorf("killed at %s: %s is under its final name but not whole", delay, e.Name())
				}
			case strings.HasSuffix(e.Name(), ".json"):
				b, err := os.ReadFile(p)
				if err != nil || !json.Valid(b) {
					t.Errorf("killed at %s: %s is under its final name but not whole JSON", delay, e.Name())
				}
			default:
				t.Errorf("killed at %s: unexpected file %s", delay, e.Name())
			}
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Logf("killed at %s: %v", delay, names)
		// No name a run makes, temporary ones included, holds a digit run
		// that a DLP scanner would read as an identity number.
		filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err == nil && regexp.MustCompile(`\d{6,}`).MatchString(d.Name()) {
				t.Errorf("killed at %s: %s holds a run of digits", delay, d.Name())
			}
			return nil
		})
		if slices.Contains(names, "manifest.json") && !slices.Contains(names, outdir.Incomplete) {
			// The directory says it holds a complete run: it must.
			checkRunFiles(t, out, true)
		}
		checkLeftoversRemoved(t, bin, out, delay)
	}
	if killedWhileWriting == 0 {
		t.Errorf("no run was killed while writing: the test proved nothing")
	}
}

// wholeParquet opens a Parquet file by its footer and reads its row count.
func wholeParquet(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return err
	}
	_ = pf.NumRows()
	return nil
}

// testAnalyzeCannotWrite checks runs that cannot write their outputs:
// exit 1 with the reason, and no file under a final name.
func testAnalyzeCannotWrite(t *testing.T, bin string) {
	demo := demoDir(t)
	idx := filepath.Join(demo, "index.csv")
	nginx := filepath.Join(demo, "logs", "nginx")

	// --out under a regular file.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file"), []byte("x"))
	r := runForensics(t, bin, dir, "analyze", "-q", "--index", idx, "--out", "file/out", nginx)
	if r.exit != exitFailure || !strings.Contains(r.stderr, "forensics: ") {
		t.Errorf("--out under a file: exit %d, want %d with a reason; stderr:\n%s", r.exit, exitFailure, r.stderr)
	}

	// A final name taken by a directory: the rename fails; the files
	// written before it are whole, the temporary file is removed.
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "out", "summary.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	r = runForensics(t, bin, dir, "analyze", "-q", "--index", idx, "--out", "out", nginx)
	if r.exit != exitFailure || !strings.Contains(r.stderr, "summary.json") {
		t.Errorf("summary.json taken by a directory: exit %d, want %d naming the file; stderr:\n%s", r.exit, exitFailure, r.stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("a failed write left %s behind", e.Name())
		}
		if e.Name() == "manifest.json" {
			t.Errorf("manifest.json written though an output failed")
		}
	}

	// A read-only directory: root writes anyway.
	if os.Geteuid() == 0 {
		t.Log("read-only --out not checked: running as root, which writes anyway")
		return
	}
	dir = t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	r = runForensics(t, bin, dir, "analyze", "-q", "--index", idx, "--out", "ro/out", nginx)
	if r.exit != exitFailure {
		t.Errorf("read-only --out: exit %d, want %d", r.exit, exitFailure)
	}
	if entries, _ := os.ReadDir(ro); len(entries) != 0 {
		t.Errorf("read-only --out: %d entries written", len(entries))
	}
}

// testPseudonymized runs the demo with --pseudonymize and scans every
// string of every output for the index's numbers: none may remain, in any
// written form.
func testPseudonymized(t *testing.T, bin string, secrets *secretScanner) {
	dir := t.TempDir()
	key := filepath.Join(dir, "pseudonym.key")
	if err := os.WriteFile(key, []byte(fmt.Sprintf("%x\n", randomBytes(32))), 0o600); err != nil {
		t.Fatal(err)
	}
	demo := demoDir(t)
	r := runForensics(t, bin, dir, "analyze", "--index", filepath.Join(demo, "index.csv"), "--out", "out",
		"--pseudonymize", key, "--actors", filepath.Join(demo, "actors.yaml"), "--trusted-proxy", "192.0.2.5",
		filepath.Join(demo, "logs"))
	if r.exit != 0 {
		t.Fatalf("analyze --pseudonymize: exit %d\n%s", r.exit, tail(r.stderr, 2000))
	}
	if kind := secrets.find(r.stderr + r.stdout); kind != "" {
		t.Errorf("analyze --pseudonymize: stderr or stdout holds %s from the index", kind)
	}
	var outputs []string
	err := filepath.WalkDir(filepath.Join(dir, "out"), func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			outputs = append(outputs, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range outputs {
		e := fileName(p)
		var text string
		switch {
		case strings.HasSuffix(e.Name(), ".parquet"):
			text = parquetStrings(t, p)
		case strings.HasSuffix(e.Name(), ".xlsx"):
			text = xlsxStrings(t, p)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			text = string(b)
		}
		if kind := secrets.find(text); kind != "" {
			t.Errorf("--pseudonymize: %s holds %s from the index", e.Name(), kind)
		}
	}
}

// fileName is a path's base name as a Name method, as fs.DirEntry has.
type fileName string

func (f fileName) Name() string { return filepath.Base(string(f)) }

// xlsxStrings returns every cell of every sheet of an XLSX file, one a
// line.
func xlsxStrings(t *testing.T, path string) string {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var b strings.Builder
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\n"))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// parquetStrings returns every byte-array value of a Parquet file, one a
// line: what a reader of the file can see, decompressed.
func parquetStrings(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	var b strings.Builder
	buf := make([]parquet.Row, 128)
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				for _, v := range row {
					if v.Kind() == parquet.ByteArray {
						b.Write(v.ByteArray())
						b.WriteByte('\n')
					}
				}
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return b.String()
}
