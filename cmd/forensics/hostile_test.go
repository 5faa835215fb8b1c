package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/forensiclog/forensics/pkg/exposure"

	"github.com/forensiclog/forensics/internal/luhn"
)

// The hostile-input suite runs the built command on inputs a real incident
// brings: cut-short compressed files, garbage, a line of 100 MB, NUL bytes,
// invalid UTF-8, CRLF, mixed formats, out-of-order lines, a bad index,
// the same log twice and rotated files that overlap. For each it checks the
// documented exit status, a message on stderr that gives a position but
// never line contents, and a manifest whose line accounting adds up.

// hostileManifest is the part of manifest.json the suite checks.
type hostileManifest struct {
	Index struct {
		UnusableRows int64 `json:"unusable_rows"`
		KeptInPart   int64 `json:"rows_kept_in_part"`
		Recordings   int64 `json:"recordings"`
	} `json:"index"`
	Inputs []hostileInput   `json:"inputs"`
	Totals map[string]int64 `json:"totals"`
	raw    struct {
		Inputs []map[string]json.RawMessage `json:"inputs"`
	}
}

type hostileInput struct {
	Name        string           `json:"name"`
	Format      string           `json:"format"`
	Lines       int64            `json:"lines"`
	Records     int64            `json:"records"`
	Skipped     int64            `json:"skipped"`
	Rejected    int64            `json:"rejected"`
	RejectedBy  map[string]int64 `json:"rejected_by"`
	CRLF        int64            `json:"crlf_lines"`
	InvalidUTF8 int64            `json:"invalid_utf8_lines"`
	NULPrefixed int64            `json:"nul_prefixed_lines"`
	DuplicateOf string           `json:"duplicate_of"`
	Error       string           `json:"error"`
	Overlap     int64            `json:"overlap_lines"`
	OverlapWith string           `json:"overlap_with"`
}

// input returns the manifest's input whose name ends in name.
func (m *hostileManifest) input(t *testing.T, name string) hostileInput {
	t.Helper()
	for _, in := range m.Inputs {
		if in.Name == name || strings.HasSuffix(in.Name, string(filepath.Separator)+name) {
			return in
		}
	}
	t.Fatalf("manifest: no input %s", name)
	return hostileInput{}
}

// hasField reports whether the manifest's input name has the JSON field.
func (m *hostileManifest) hasField(name, field string) bool {
	for i, in := range m.Inputs {
		if in.Name == name || strings.HasSuffix(in.Name, string(filepath.Separator)+name) {
			_, ok := m.raw.Inputs[i][field]
			return ok
		}
	}
	return false
}

// readManifest reads out/manifest.json and checks that its line accounting
// adds up: for every input lines == records + skipped + rejected, the
// rejected_by counts sum to rejected, and the totals are the sums.
func readManifest(t *testing.T, out string) *hostileManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	m := new(hostileManifest)
	if err := json.Unmarshal(b, m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if err := json.Unmarshal(b, &m.raw); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var sum struct{ lines, records, skipped, rejected int64 }
	for _, in := range m.Inputs {
		if in.Lines != in.Records+in.Skipped+in.Rejected {
			t.Errorf("manifest: %s: lines %d != records %d + skipped %d + rejected %d",
				filepath.Base(in.Name), in.Lines, in.Records, in.Skipped, in.Rejected)
		}
		var by int64
		for _, n := range in.RejectedBy {
			by += n
		}
		if by != in.Rejected {
			t.Errorf("manifest: %s: rejected_by sums to %d, rejected is %d", filepath.Base(in.Name), by, in.Rejected)
		}
		sum.lines += in.Lines
		sum.records += in.Records
		sum.skipped += in.Skipped
		sum.rejected += in.Rejected
	}
	for k, v := range map[string]int64{"lines": sum.lines, "records": sum.records, "skipped": sum.skipped, "rejected": sum.rejected} {
		if m.Totals[k] != v {
			t.Errorf("manifest: totals.%s = %d, the inputs sum to %d", k, m.Totals[k], v)
		}
	}
	return m
}

// demoRecording is a recording of the demo index that a generated log
// fetches: its path holds a (fictitious) phone number, so that a message
// echoing a line would show in the privacy test.
type demoRecording struct {
	path string
	size int64
}

// demoRecordings returns the first n recordings of the demo index that
// ended before 2019-02-01, the logs below being from 2019-02-17.
func demoRecordings(t *testing.T, n int) []demoRecording {
	t.Helper()
	f, err := os.Open(filepath.Join(demoDir(t), "index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []demoRecording
	for _, row := range rows[1:] {
		started, err := time.Parse(time.RFC3339, row[2])
		if err != nil || started.After(time.Date(2019, 1, 31, 0, 0, 0, 0, time.UTC)) {
			continue
		}
		size, err := strconv.ParseInt(row[4], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, demoRecording{row[0], size})
		if len(out) == n {
			break
		}
	}
	return out
}

// hostileUA is in every generated line: stderr must never show it.
const hostileUA = "HostileCanary/1.0 (line-contents-marker)"

// logStart is when generated logs begin.
var logStart = time.Date(2019, 2, 17, 10, 0, 0, 0, time.FixedZone("", 3600))

// combinedLine writes one Apache combined log line: a full download of
// rec at time at by the i-th client, or a health check when rec is nil.
func combinedLine(i int, at time.Time, rec *demoRecording) string {
	path, status, size := "/healthz", 200, int64(2)
	if rec != nil {
		path, size = rec.path, rec.size
	}
	return fmt.Sprintf("203.0.113.%d - - [%s] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"",
		10+i%5, at.Format("02/Jan/2006:15:04:05 -0700"), path, status, size, hostileUA)
}

// genCombined returns n Apache combined lines, one every 30 seconds from
// logStart+offset: every third a full download of a recording, the rest
// health checks.
func genCombined(recs []demoRecording, n int, offset time.Duration) []string {
	lines := make([]string, n)
	for i := range lines {
		at := logStart.Add(offset + time.Duration(i)*30*time.Second)
		var rec *demoRecording
		if i%3 == 0 {
			rec = &recs[(i/3)%len(recs)]
		}
		lines[i] = combinedLine(i, at, rec)
	}
	return lines
}

func joinLines(lines []string, eol string) []byte {
	return []byte(strings.Join(lines, eol) + eol)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// exposureKey identifies an exposure row for comparisons across runs.
type exposureKey struct{ Subject, Path, Actor, Level string }

// exposureRequests reads out/exposures.parquet: requests and bytes per
// subject, recording, actor and level.
func exposureRequests(t *testing.T, out string) map[exposureKey][2]int64 {
	t.Helper()
	rows, err := parquet.ReadFile[exposure.ExposureRow](filepath.Join(out, "exposures.parquet"))
	if err != nil {
		t.Fatalf("exposures.parquet: %v", err)
	}
	m := map[exposureKey][2]int64{}
	for _, r := range rows {
		k := exposureKey{r.SubjectID.Reveal(), r.Path, r.ActorIP, r.Level}
		v := m[k]
		m[k] = [2]int64{v[0] + r.Requests, v[1] + r.BytesDelivered}
	}
	return m
}

// recordingLevels reads out/recordings.parquet: level and coverage per path.
func recordingLevels(t *testing.T, out string) map[string]string {
	t.Helper()
	rows, err := parquet.ReadFile[exposure.RecordingRow](filepath.Join(out, "recordings.parquet"))
	if err != nil {
		t.Fatalf("recordings.parquet: %v", err)
	}
	m := map[string]string{}
	for _, r := range rows {
		m[r.Path] = fmt.Sprintf("%s %.4f", r.Level, r.MaxCoverage)
	}
	return m
}

// hostileCase is one hostile input: prepare writes it into dir and returns
// the arguments of the run (after "analyze"); the run must exit with exit,
// its stderr must match every pattern in stderr, and check looks at the
// outputs in dir/out.
type hostileCase struct {
	name    string
	stdin   string // a file prepare writes, given on standard input
	prepare func(t *testing.T, dir string) []string
	exit    int
	stderr  []string
	check   func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest)
}

// hostileEnv is shared by the cases of one test.
type hostileEnv struct {
	bin, index string
	recs       []demoRecording
}

// analyzeArgs returns the analyze arguments for the demo index, out and logs.
func (h *hostileEnv) analyzeArgs(out string, logs ...string) []string {
	return append([]string{"analyze", "--index", h.index, "--out", out, "--workers", "2"}, logs...)
}

// rerun runs analyze on other inputs in a fresh directory and returns the
// run and its output directory.
func (h *hostileEnv) rerun(t *testing.T, write func(dir string) []string) (forensicsRun, string) {
	t.Helper()
	dir := t.TempDir()
	logs := write(dir)
	r := runForensics(t, h.bin, dir, h.analyzeArgs("out", logs...)...)
	if r.exit != 0 {
		t.Fatalf("reference run: exit %d\n%s", r.exit, r.stderr)
	}
	return r, filepath.Join(dir, "out")
}

func hostileCases() []hostileCase {
	return []hostileCase{
		{
			name: "truncated gzip",
			prepare: func(t *testing.T, dir string) []string {
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(joinLines(genCombined(demoRecordings(t, 20), 3000, 0), "\n"))
				zw.Close()
				writeFile(t, filepath.Join(dir, "cut.log.gz"), z.Bytes()[:z.Len()/2])
				return []string{"cut.log.gz"}
			},
			exit:   exitBadInput,
			stderr: []string{`level=ERROR .*input=cut\.log\.gz error=".*read error after line \d+ \(byte \d+\)`, `could not be read in full`},
			check:  checkCutShort("cut.log.gz", 3000),
		},
		{
			name: "truncated zstd",
			prepare: func(t *testing.T, dir string) []string {
				var z bytes.Buffer
				zw, err := zstd.NewWriter(&z)
				if err != nil {
					t.Fatal(err)
				}
				zw.Write(joinLines(genCombined(demoRecordings(t, 20), 3000, 0), "\n"))
				zw.Close()
				writeFile(t, filepath.Join(dir, "cut.log.zst"), z.Bytes()[:z.Len()/2])
				return []string{"cut.log.zst"}
			},
			exit:   exitBadInput,
			stderr: []string{`level=ERROR .*input=cut\.log\.zst error=".*read error after line \d+ \(byte \d+\)`, `could not be read in full`},
			check:  checkCutShort("cut.log.zst", 3000),
		},
		{
			// A cut gzip on standard input ("zcat" is not needed: the
			// magic bytes say gzip): the same outcome as a file.
			name:  "truncated gzip on standard input",
			stdin: "cut.gz",
			prepare: func(t *testing.T, dir string) []string {
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(joinLines(genCombined(demoRecordings(t, 20), 3000, 0), "\n"))
				zw.Close()
				writeFile(t, filepath.Join(dir, "cut.gz"), z.Bytes()[:z.Len()/2])
				return []string{"-"}
			},
			exit:   exitBadInput,
			stderr: []string{`level=ERROR .*input=<stdin> error=".*read error after line \d+ \(byte \d+\)`, `could not be read in full`},
			check:  checkCutShort("<stdin>", 3000),
		},
		{
			// A gzip file without its 8-byte trailer (CRC and size): every
			// line decompresses, but the file is not whole.
			name: "gzip without its trailer",
			prepare: func(t *testing.T, dir string) []string {
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(joinLines(genCombined(demoRecordings(t, 5), 100, 0), "\n"))
				zw.Close()
				writeFile(t, filepath.Join(dir, "notrailer.log.gz"), z.Bytes()[:z.Len()-4])
				return []string{"notrailer.log.gz"}
			},
			exit:   exitBadInput,
			stderr: []string{`level=ERROR .*input=notrailer\.log\.gz error=".*read error after line \d+ \(byte \d+\)`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if in := m.input(t, "notrailer.log.gz"); in.Error == "" || in.Records != 100 {
					t.Errorf("notrailer.log.gz: error %q, records %d; want an error and the 100 records", in.Error, in.Records)
				}
			},
		},
		{
			// An empty log (rotated, no request since) is read in full:
			// it holds no line, which is no failure. And with no log line
			// at all, no time is covered: every recording existed while no
			// log covered, so none can be "none".
			name: "empty file",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "empty.log"), nil)
				return []string{"empty.log"}
			},
			exit: exitOK,
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if in := m.input(t, "empty.log"); in.Error != "" || in.Lines != 0 {
					t.Errorf("empty.log: error %q, lines %d; want no error: an empty file is read in full", in.Error, in.Lines)
				}
				levels := map[string]int{}
				for _, v := range recordingLevels(t, filepath.Join(dir, "out")) {
					levels[strings.Fields(v)[0]]++
				}
				if levels["none"] > 0 {
					t.Errorf("no log line at all, yet %d recordings are level none (want undeterminable: they existed while no log covered); levels %v", levels["none"], levels)
				}
			},
		},
		{
			// An IIS log holding only the header IIS writes when it starts
			// (no request yet): four directives, read in full.
			name: "W3C header only",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "u_ex1902.log"), joinLines([]string{
					"#Software: Microsoft Internet Information Services 10.0",
					"#Version: 1.0",
					"#Date: 2019-02-17 09:30:00",
					"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken",
				}, "\r\n"))
				return []string{"u_ex1902.log"}
			},
			exit: exitOK,
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if in := m.input(t, "u_ex1902.log"); in.Error != "" || in.Lines != 4 || in.Skipped != 4 {
					t.Errorf("u_ex1902.log: error %q, lines %d, skipped %d; want no error, 4 lines skipped (directives)", in.Error, in.Lines, in.Skipped)
				}
			},
		},
		{
			// A byte-order mark (a log saved by an editor) and no newline
			// after the last line: every line is read.
			name: "BOM and no final newline",
			prepare: func(t *testing.T, dir string) []string {
				b := joinLines(genCombined(demoRecordings(t, 5), 30, 0), "\n")
				writeFile(t, filepath.Join(dir, "bom.log"), append([]byte("\xef\xbb\xbf"), b[:len(b)-1]...))
				return []string{"bom.log"}
			},
			exit:   exitOK,
			stderr: []string{`input read.*input=bom\.log.*lines=30 records=30`},
		},
		{
			// Garbage cannot be recognised: the input is not read, which is
			// an input not read in full (exit 2), said by name.
			name: "random bytes",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "random.bin"), randomBytes(256<<10))
				return []string{"random.bin"}
			},
			exit:   exitBadInput,
			stderr: []string{`level=ERROR .*input=random\.bin error=".*format not detected`, `could not be read in full`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				in := m.input(t, "random.bin")
				if in.Error == "" || in.Records != 0 {
					t.Errorf("random.bin: error %q, records %d: want an error and no records", in.Error, in.Records)
				}
			},
		},
		{
			// Given a format, garbage is read to the end: every line is
			// rejected and counted, and a run on an input whose lines
			// are mostly rejected fails (exit 2), saying why.
			name: "random bytes with a format",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "random.bin"), randomBytes(256<<10))
				return []string{"--format", "combined", "random.bin"}
			},
			exit:   exitBadInput,
			stderr: []string{`line rejected" at="?random\.bin:\d+`, `forensics: input random\.bin: \d+ of \d+ lines rejected: the input is not text`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				in := m.input(t, "random.bin")
				want := int64(bytes.Count(randomBytes(256<<10), []byte("\n")) + 1)
				if in.Lines != want || in.Records != 0 || in.Rejected+in.Skipped != want || in.Error != "" {
					t.Errorf("random.bin: lines %d records %d rejected %d skipped %d error %q; want %d lines, all rejected or skipped",
						in.Lines, in.Records, in.Rejected, in.Skipped, in.Error, want)
				}
			},
		},
		{
			// One line of 100 MB between two good ones: rejected as too
			// long, the next line is read, memory stays bounded.
			name: "100 MB line",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 3), 2, 0)
				f, err := os.Create(filepath.Join(dir, "long.log"))
				if err != nil {
					t.Fatal(err)
				}
				w := bufio.NewWriterSize(f, 1<<20)
				w.WriteString(lines[0] + "\n")
				w.WriteString(`198.51.100.7 - - [17/Feb/2019:10:00:10 +0100] "GET /`)
				chunk := bytes.Repeat([]byte("a"), 1<<20)
				for range 100 {
					w.Write(chunk)
				}
				w.WriteString(` HTTP/1.1" 200 2 "-" "` + hostileUA + "\"\n")
				w.WriteString(lines[1] + "\n")
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				return []string{"long.log"}
			},
			exit:   exitOK,
			stderr: []string{`line rejected" at="?long\.log:2:\d*:? ?line too long`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				in := m.input(t, "long.log")
				if in.Lines != 3 || in.Records != 2 || in.Rejected != 1 {
					t.Errorf("long.log: lines %d records %d rejected %d, want 3, 2, 1", in.Lines, in.Records, in.Rejected)
				}
				// Against a run on the two good lines alone: the line must
				// not be held (the reader keeps at most 1 MiB of a line).
				base, _ := h.rerun(t, func(dir string) []string {
					writeFile(t, filepath.Join(dir, "long.log"), joinLines(genCombined(h.recs[:3], 2, 0), "\n"))
					return []string{"long.log"}
				})
				const slack = 40 << 20
				if r.maxRSS == 0 || r.maxRSS > base.maxRSS+slack {
					t.Errorf("a 100 MB line: max RSS %d MiB, without it %d MiB: want at most %d MiB more",
						r.maxRSS>>20, base.maxRSS>>20, slack>>20)
				}
				t.Logf("100 MB line: max RSS %d MiB, without it %d MiB", r.maxRSS>>20, base.maxRSS>>20)
			},
		},
		{
			// A run of NULs before a line (a crash while writing: the file
			// was extended, the data never came) is skipped and the line
			// parsed; NULs inside a line reject that line only.
			name: "NUL bytes",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 5), 30, 0)
				lines[10] = strings.Repeat("\x00", 4096) + lines[10]
				lines[20] = lines[20][:30] + "\x00\x00\x00\x00" + lines[20][30:]
				writeFile(t, filepath.Join(dir, "nul.log"), joinLines(lines, "\n"))
				return []string{"nul.log"}
			},
			exit:   exitOK,
			stderr: []string{`line rejected" at="?nul\.log:21:`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				in := m.input(t, "nul.log")
				if in.Lines != 30 || in.Records != 29 || in.Rejected != 1 || in.NULPrefixed != 1 {
					t.Errorf("nul.log: lines %d records %d rejected %d nul_prefixed %d, want 30, 29, 1, 1",
						in.Lines, in.Records, in.Rejected, in.NULPrefixed)
				}
			},
		},
		{
			// Invalid UTF-8 in the request and the user agent: the lines
			// are parsed (a server logs what it got), and counted.
			name: "invalid UTF-8",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 5), 30, 0)
				lines[4] = strings.Replace(lines[4], "/healthz", "/health\xff\xfez", 1)
				lines[5] = strings.Replace(lines[5], "HostileCanary", "Hostile\xc3\x28Canary", 1)
				writeFile(t, filepath.Join(dir, "utf8.log"), joinLines(lines, "\n"))
				return []string{"utf8.log"}
			},
			exit:   exitOK,
			stderr: []string{`input read.*input=utf8\.log.*lines=30 records=30`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				in := m.input(t, "utf8.log")
				if in.Records != 30 || in.InvalidUTF8 != 2 {
					t.Errorf("utf8.log: records %d invalid_utf8_lines %d, want 30, 2", in.Records, in.InvalidUTF8)
				}
			},
		},
		{
			// CRLF line endings (a log copied through Windows): every line
			// parsed, counted, and the verdicts are those of the LF file.
			name: "CRLF",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "crlf.log"), joinLines(genCombined(demoRecordings(t, 10), 300, 0), "\r\n"))
				return []string{"crlf.log"}
			},
			exit:   exitOK,
			stderr: []string{`input read.*input=crlf\.log.*lines=300 records=300`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				in := m.input(t, "crlf.log")
				if in.Records != 300 || in.CRLF != 300 {
					t.Errorf("crlf.log: records %d crlf_lines %d, want 300, 300", in.Records, in.CRLF)
				}
				_, lf := h.rerun(t, func(dir string) []string {
					writeFile(t, filepath.Join(dir, "crlf.log"), joinLines(genCombined(h.recs, 300, 0), "\n"))
					return []string{"crlf.log"}
				})
				compareVerdicts(t, lf, filepath.Join(dir, "out"))
			},
		},
		{
			// nginx combined lines and IIS W3C lines in one file (two
			// servers' logs concatenated): the detected format reads its
			// lines, the others are rejected by position, none is lost.
			name: "mixed formats",
			prepare: func(t *testing.T, dir string) []string {
				lines := genCombined(demoRecordings(t, 5), 40, 0)
				w3c := []string{
					"#Software: Microsoft Internet Information Services 10.0",
					"#Version: 1.0",
					"#Date: 2019-02-17 09:30:00",
					"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken",
				}
				for i := range 10 {
					w3c = append(w3c, fmt.Sprintf("2019-02-17 09:3%d:00 192.0.2.80 GET /healthz - 443 - 203.0.113.9 %s - 200 0 0 250 15", i, "HostileCanary/1.0"))
				}
				all := slices.Concat(lines[:30], w3c, lines[30:])
				writeFile(t, filepath.Join(dir, "mixed.log"), joinLines(all, "\n"))
				return []string{"mixed.log"}
			},
			exit:   exitOK,
			stderr: []string{`line rejected" at="?mixed\.log:3[1-9]:`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				in := m.input(t, "mixed.log")
				if in.Lines != 54 || in.Records != 40 || in.Rejected+in.Skipped != 14 {
					t.Errorf("mixed.log (%s): lines %d records %d rejected %d skipped %d, want 54, 40, 14 rejected or skipped",
						in.Format, in.Lines, in.Records, in.Rejected, in.Skipped)
				}
			},
		},
		{
			// Apache writes a line when the response ends but stamps it
			// with the time the request arrived: long downloads come late
			// and out of order. The demo's Apache log is in time order
			// (its downloads are short), so the lines are reordered here
			// as Apache would have written them for clients at 4 kB/s; the
			// verdicts must be those of the log in time order, and no line
			// may be dropped either way.
			name: "out-of-order timestamps",
			prepare: func(t *testing.T, dir string) []string {
				b, err := os.ReadFile(filepath.Join(demoDir(t), "logs", "apache", "nas_access.log"))
				if err != nil {
					t.Fatal(err)
				}
				lines := splitKeepEOL(string(b))
				late := apacheWriteOrder(lines, 4000)
				if !outOfOrder(late) {
					t.Fatal("no line out of time order: the test no longer tests anything")
				}
				writeFile(t, filepath.Join(dir, "nas_access.log"), []byte(strings.Join(late, "")))
				return []string{"nas_access.log"}
			},
			exit:   exitOK,
			stderr: []string{`input read.*input=nas_access\.log`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				b, err := os.ReadFile(filepath.Join(demoDir(t), "logs", "apache", "nas_access.log"))
				if err != nil {
					t.Fatal(err)
				}
				lines := splitKeepEOL(string(b))
				in := m.input(t, "nas_access.log")
				_, ref := h.rerun(t, func(dir string) []string {
					writeFile(t, filepath.Join(dir, "nas_access.log"), b)
					return []string{"nas_access.log"}
				})
				m2 := readManifest(t, ref)
				in2 := m2.input(t, "nas_access.log")
				if in.Lines != int64(len(lines)) || in.Records != in2.Records || in.Rejected != in2.Rejected {
					t.Errorf("out of order: lines %d records %d rejected %d; sorted: lines %d records %d rejected %d; the file has %d lines",
						in.Lines, in.Records, in.Rejected, in2.Lines, in2.Records, in2.Rejected, len(lines))
				}
				compareVerdicts(t, ref, filepath.Join(dir, "out"))
			},
		},
		{
			// An index with a duplicate path and an invalid personnummer:
			// the duplicate is reported by row number (first row kept), the
			// invalid number is kept as given and flagged.
			name: "index with duplicates and an invalid number",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "index.csv"), []byte(badIndexCSV()))
				lines := []string{
					combinedLine(0, logStart, &demoRecording{"/recordings/Stockholm/2019/01/10/STO900001_0701740651.mp3", 400100}),
					combinedLine(1, logStart.Add(time.Minute), &demoRecording{"/recordings/Stockholm/2019/01/11/STO900002_0701740652.mp3", 400200}),
					combinedLine(2, logStart.Add(2*time.Minute), nil),
				}
				writeFile(t, filepath.Join(dir, "access.log"), joinLines(lines, "\n"))
				return []string{"--index", "index.csv", "access.log"}
			},
			exit:   exitOK,
			stderr: []string{`index row 4: path: duplicate path`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				// The duplicate is kept (merged): not an unusable row.
				if m.Index.Recordings != 3 || m.Index.UnusableRows != 0 || m.Index.KeptInPart != 1 {
					t.Errorf("index: %d recordings, %d unusable rows, %d kept in part; want 3, 0, 1",
						m.Index.Recordings, m.Index.UnusableRows, m.Index.KeptInPart)
				}
				rows, err := parquet.ReadFile[exposure.PersonRow](filepath.Join(dir, "out", "persons.parquet"))
				if err != nil {
					t.Fatal(err)
				}
				kinds := map[string]string{}
				for _, p := range rows {
					kinds[p.SubjectID.Reveal()] = p.SubjectKind
				}
				for id, want := range badIndexSubjects() {
					if got, ok := kinds[id]; !ok {
						t.Errorf("persons.parquet: a %s subject of the index is missing (or not kept as given)", want)
					} else if got != want {
						t.Errorf("persons.parquet: a subject is kind %q, want %q", got, want)
					}
				}
			},
		},
		{
			// An index none of whose rows can be used (a CSV read as JSON
			// lines): that is an unreadable index, a failure (exit 1), not
			// a run that finds nobody to notify.
			name: "index without a usable row",
			prepare: func(t *testing.T, dir string) []string {
				writeFile(t, filepath.Join(dir, "access.log"), joinLines(genCombined(demoRecordings(t, 5), 30, 0), "\n"))
				return []string{"--index", filepath.Join(demoDir(t), "index.csv"), "--index-format", "jsonl", "access.log"}
			},
			exit:   exitFailure,
			stderr: []string{`index row 1: syntax error`},
		},
		{
			// The same bytes under two names (a copy in a second folder):
			// read once, the second reported as duplicate_of the first.
			name: "same log twice",
			prepare: func(t *testing.T, dir string) []string {
				b := joinLines(genCombined(demoRecordings(t, 10), 300, 0), "\n")
				writeFile(t, filepath.Join(dir, "access.log"), b)
				os.Mkdir(filepath.Join(dir, "copy"), 0o755)
				writeFile(t, filepath.Join(dir, "copy", "access.log"), b)
				return []string{"access.log", "copy/access.log", "access.log"}
			},
			exit:   exitOK,
			stderr: []string{`identical bytes to an earlier input`},
			check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
				if len(m.Inputs) != 2 {
					t.Errorf("manifest: %d inputs, want 2 (the same path given twice is one input)", len(m.Inputs))
				}
				first, dup := m.input(t, "access.log"), m.input(t, "copy/access.log")
				if first.Records != 300 || dup.DuplicateOf == "" || filepath.Base(dup.DuplicateOf) != "access.log" || dup.Lines != 0 {
					t.Errorf("manifest: first read %d records; the copy: duplicate_of %q, lines %d; want 300, access.log, 0",
						first.Records, dup.DuplicateOf, dup.Lines)
				}
				if m.Totals["duplicate_inputs"] != 1 {
					t.Errorf("manifest: totals.duplicate_inputs = %d, want 1", m.Totals["duplicate_inputs"])
				}
				_, ref := h.rerun(t, func(dir string) []string {
					writeFile(t, filepath.Join(dir, "access.log"), joinLines(genCombined(h.recs, 300, 0), "\n"))
					return []string{"access.log"}
				})
				if diff := cmp.Diff(exposureRequests(t, ref), exposureRequests(t, filepath.Join(dir, "out"))); diff != "" {
					t.Errorf("exposures (requests, bytes) differ from one copy's (-once +twice):\n%s", diff)
				}
			},
		},
		// copytruncate leftovers: the last lines of the older file are
		// repeated at the start of the newer one. The overlap is counted
		// once and reported on the later input.
		overlapCase("rotated files that overlap", "access.log.1", "access.log", 600, 300, 300-overlapLines),
		overlapCase("rotated files that overlap, older compressed", "access.log.1.gz", "access.log", 600, 300, 300-overlapLines),
		// Dated rotation (logrotate dateext with dateformat -%Y-%m-%d):
		// the two files are one source by logparse's naming rules.
		overlapCase("dated rotated files that overlap", "access.log-2019-02-11", "access.log-2019-02-12", 600, 300, 300-overlapLines),
		overlapCase("dated rotated files that overlap, zstd name", "access.log-20190211.zst", "access.log-20190212", 600, 300, 300-overlapLines),
		// Rotated again before anything new was logged: the newer file
		// is all overlap.
		overlapCase("rotated file that is all overlap", "access.log.1", "access.log", 300, 300, 300-overlapLines),
	}
}

// overlapCase makes a rotated pair from total generated lines: older holds
// lines [0, split), newer lines [from, total). from < split makes the
// overlap. An older name ending in .zst is written plain: the name alone
// must not split the source.
func overlapCase(name, older, newer string, total, split, from int) hostileCase {
	write := func(t *testing.T, dir string, lines []string, from int) []string {
		b := joinLines(lines[:split], "\n")
		if strings.HasSuffix(older, ".gz") {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(b)
			zw.Close()
			b = z.Bytes()
		}
		writeFile(t, filepath.Join(dir, older), b)
		if from == len(lines) {
			return []string{older} // an empty access.log: see "empty file"
		}
		writeFile(t, filepath.Join(dir, newer), joinLines(lines[from:], "\n"))
		return []string{newer, older}
	}
	want := int64(split - from)
	return hostileCase{
		name: name,
		prepare: func(t *testing.T, dir string) []string {
			return write(t, dir, genCombined(demoRecordings(t, 10), total, 0), from)
		},
		exit:   exitOK,
		stderr: []string{`rotated files overlap.* input=` + regexp.QuoteMeta(newer) + ` `},
		check: func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
			if !m.hasField(newer, "overlap_lines") {
				t.Fatalf("manifest: %s has no overlap_lines: the overlap of %d lines went unnoticed", newer, want)
			}
			in := m.input(t, newer)
			if in.Overlap != want || filepath.Base(in.OverlapWith) != older {
				t.Errorf("manifest: %s overlap_lines = %d with %q, want %d with %s", newer, in.Overlap, in.OverlapWith, want, older)
			}
			if got := m.input(t, older).Overlap; got != 0 {
				t.Errorf("manifest: %s overlap_lines = %d, want 0 (the overlap is reported on the later input)", older, got)
			}
			if m.Totals["overlap_lines"] != want {
				t.Errorf("manifest: totals.overlap_lines = %d, want %d", m.Totals["overlap_lines"], want)
			}
			_, ref := h.rerun(t, func(dir string) []string {
				return write(t, dir, genCombined(h.recs, total, 0), split)
			})
			if diff := cmp.Diff(exposureRequests(t, ref), exposureRequests(t, filepath.Join(dir, "out"))); diff != "" {
				t.Errorf("exposures (requests, bytes) differ from the set without overlap (-want +got):\n%s", diff)
			}
		},
	}
}

// overlapLines is how many lines of access.log.1 access.log repeats.
const overlapLines = 40

// checkCutShort checks a cut-short compressed input of a log of total
// lines: an error is recorded, what came before the cut is kept.
func checkCutShort(name string, total int64) func(*testing.T, *hostileEnv, string, forensicsRun, *hostileManifest) {
	return func(t *testing.T, h *hostileEnv, dir string, r forensicsRun, m *hostileManifest) {
		in := m.input(t, name)
		if in.Error == "" {
			t.Errorf("%s: no error in the manifest", name)
		}
		if in.Records == 0 || in.Lines >= total {
			t.Errorf("%s: %d lines, %d records: want the lines before the cut (some, fewer than %d)", name, in.Lines, in.Records, total)
		}
		if m.Totals["failed_inputs"] != 1 {
			t.Errorf("manifest: totals.failed_inputs = %d, want 1", m.Totals["failed_inputs"])
		}
		if _, err := os.Stat(filepath.Join(dir, "out", "summary.json")); err != nil {
			t.Errorf("a partial run writes its outputs: %v", err)
		}
	}
}

// randomBytes returns n bytes from a fixed seed.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{'h', 'o', 's', 't', 'i', 'l', 'e'})
	r.Read(b)
	return b
}

// apacheTime finds the time stamp of a common-log line.
var apacheTime = regexp.MustCompile(`\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [-+]\d{4})\]`)

func lineTime(line string) (time.Time, bool) {
	m := apacheTime.FindStringSubmatch(line)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[1])
	return t, err == nil
}

// outOfOrder reports whether some line is stamped earlier than a line
// before it.
func outOfOrder(lines []string) bool {
	var last time.Time
	for _, l := range lines {
		if t, ok := lineTime(l); ok {
			if t.Before(last) {
				return true
			}
			last = t
		}
	}
	return false
}

// splitKeepEOL splits s into lines that keep their newline.
func splitKeepEOL(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// apacheStatus finds the status and byte count of a common-log line.
var apacheStatus = regexp.MustCompile(`" (\d{3}) (\d+) "`)

// apacheWriteOrder returns the lines in the order Apache writes them: when
// the response ends, the arrival time stamp plus bytes/rate seconds. A line
// without a time stamp keeps the time of the line before it.
func apacheWriteOrder(lines []string, rate int64) []string {
	type tl struct {
		t    time.Time
		line string
	}
	var all []tl
	var last time.Time
	for _, l := range lines {
		at := last
		if t, ok := lineTime(l); ok {
			last, at = t, t
			if m := apacheStatus.FindStringSubmatch(l); m != nil {
				n, _ := strconv.ParseInt(m[2], 10, 64)
				at = t.Add(time.Duration(n/rate) * time.Second)
			}
		}
		all = append(all, tl{at, l})
	}
	slices.SortStableFunc(all, func(a, b tl) int { return a.t.Compare(b.t) })
	out := make([]string, len(all))
	for i, x := range all {
		out[i] = x.line
	}
	return out
}

// compareVerdicts compares two runs' verdicts: every recording's level and
// coverage, the exposures' requests and bytes, and summary.json.
func compareVerdicts(t *testing.T, want, got string) {
	t.Helper()
	if diff := cmp.Diff(recordingLevels(t, want), recordingLevels(t, got)); diff != "" {
		t.Errorf("recording verdicts differ (-reference +got):\n%s", diff)
	}
	if diff := cmp.Diff(exposureRequests(t, want), exposureRequests(t, got)); diff != "" {
		t.Errorf("exposures (requests, bytes) differ (-reference +got):\n%s", diff)
	}
	a, _ := os.ReadFile(filepath.Join(want, "summary.json"))
	b, _ := os.ReadFile(filepath.Join(got, "summary.json"))
	if diff := cmp.Diff(string(a), string(b)); diff != "" {
		t.Errorf("summary.json differs (-reference +got):\n%s", diff)
	}
}

// badIndexSubjects returns the subjects of badIndexCSV as the persons
// output should name them, with their kind: generated, fictitious numbers,
// Luhn-valid but for one with a wrong check digit (written YYMMDD-NNNC),
// which is kept as given.
func badIndexSubjects() map[string]string {
	return map[string]string{
		luhnPnr("19800214", "123"):                        "personnummer",
		luhnPnr("20101105", "456"):                        "personnummer",
		asWritten(invalidPnr(luhnPnr("19751230", "789"))): "invalid",
		luhnPnr("19620307", "246"):                        "personnummer",
	}
}

// badIndexCSV is an index with a duplicate path (row 4 repeats row 3's
// path) and an invalid personnummer.
func badIndexCSV() string {
	p1 := luhnPnr("19800214", "123")
	p2 := luhnPnr("20101105", "456")
	bad := asWritten(invalidPnr(luhnPnr("19751230", "789")))
	p4 := luhnPnr("19620307", "246")
	p4 = p4[:8] + "-" + p4[8:]
	return "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n" +
		"/recordings/Stockholm/2019/01/10/STO900001_0701740651.mp3,STO900001,2019-01-10T01:00:00+01:00,100,400100,Stockholm,0701740651,caller:" + p1 + "\n" +
		"/recordings/Stockholm/2019/01/11/STO900002_0701740652.mp3,STO900002,2019-01-11T01:00:00+01:00,100,400200,Stockholm,0701740652,caller:" + p2 + ";patient:" + bad + "\n" +
		"/recordings/Stockholm/2019/01/11/STO900002_0701740652.mp3,STO900003,2019-01-11T02:00:00+01:00,100,400300,Stockholm,0701740653,caller:" + p1 + "\n" +
		"/recordings/Stockholm/2019/01/12/STO900004_0701740654.mp3,STO900004,2019-01-12T01:00:00+01:00,100,400400,Stockholm,0701740654,patient:" + p4 + "\n"
}

// luhnPnr returns the 12-digit personnummer date+birth number+check digit.
func luhnPnr(date, birth string) string {
	return date + birth + string(luhn.Digit(date[2:]+birth))
}

// asWritten writes a 12-digit personnummer as YYMMDD-NNNC.
func asWritten(p string) string { return p[2:8] + "-" + p[8:] }

// invalidPnr changes the check digit.
func invalidPnr(p string) string {
	d := (int(p[len(p)-1]-'0') + 1) % 10
	return p[:len(p)-1] + strconv.Itoa(d)
}

// TestForensicsBinary runs, on the command's binary,
// the hostile-input suite and the privacy tests (privacy_test.go).
func TestForensicsBinary(t *testing.T) {
	bin := forensicsBinary(t)
	t.Run("hostile", func(t *testing.T) { testHostileInputs(t, bin) })
	t.Run("privacy", func(t *testing.T) { testPrivacy(t, bin) })
	t.Run("interrupted", func(t *testing.T) { testAnalyzeInterrupted(t, bin) })
	t.Run("cannot_write", func(t *testing.T) { testAnalyzeCannotWrite(t, bin) })
	t.Run("runsafety", func(t *testing.T) { testRunSafety(t, bin) })
	t.Run("privacy_fields", func(t *testing.T) { testPrivacyFields(t, bin) })
}

func testHostileInputs(t *testing.T, bin string) {
	h := &hostileEnv{bin: bin, index: filepath.Join(demoDir(t), "index.csv")}
	h.recs = demoRecordings(t, 10)
	for _, c := range append(hostileCases(), runSafetyCases()...) {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			dir := t.TempDir()
			args := c.prepare(t, dir)
			if slices.Contains(args, "--index") {
				args = append([]string{"analyze", "--out", "out", "--workers", "2"}, args...)
			} else {
				args = h.analyzeArgs("out", args...)
			}
			r := runForensicsStdin(t, h.bin, dir, c.stdin, args...)
			if r.exit != c.exit {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", r.exit, c.exit, tail(r.stderr, 2000))
			}
			for _, re := range c.stderr {
				if !regexp.MustCompile(re).MatchString(r.stderr) {
					t.Errorf("stderr does not match %q:\n%s", re, tail(r.stderr, 2000))
				}
			}
			if strings.Contains(r.stderr, "HostileCanary") || strings.Contains(r.stdout, "HostileCanary") {
				t.Errorf("stderr or stdout holds line contents (the generated user agent)")
			}
			if bytes.ContainsAny([]byte(r.stderr), "\x00\xff") {
				t.Errorf("stderr holds NUL or invalid bytes from the input")
			}
			if _, err := os.Stat(filepath.Join(dir, "out", "manifest.json")); err != nil && r.exit == exitFailure {
				return // a failed run need not write outputs
			}
			m := readManifest(t, filepath.Join(dir, "out"))
			if c.check != nil {
				c.check(t, h, dir, r, m)
			}
		})
	}
}

// tail returns the last n bytes of s, for failure messages (stderr holds
// positions only).
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// TestHostileScripts runs testdata/script/hostile_*.txtar: the messages a
// responder sees for hostile inputs, as a readable example.
func TestHostileScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script/hostile_*.txtar"))
}
