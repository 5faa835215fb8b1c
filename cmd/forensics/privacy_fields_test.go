package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPrivacyFields puts identity and phone numbers of the index into the
// fields of log lines that a client controls or a server fills from the
// network: the client address (%h holding a host name, or garbage), the
// user agent and the referer. None may reach report.html, summary.json,
// manifest.json, stdout or stderr, with or without --pseudonymize; with
// --pseudonymize no output at all may hold them (issue 10, item 6).
func testPrivacyFields(t *testing.T, bin string) {
	demo := demoDir(t)
	idx := filepath.Join(demo, "index.csv")
	var secrets secretScanner
	secrets.addIndex(t, idx)
	pnr, phone := firstIndexNumbers(t, idx)

	dir := t.TempDir()
	recs := demoRecordings(t, 6)
	clients := []string{
		"pnr-" + pnr + ".dyn.example.net", // a host name (HostnameLookups On)
		phone[1:] + ".cust.example.net",   // a phone number in a host name
		pnr[:8] + "-" + pnr[8:],           // garbage: YYYYMMDD-NNNC
		"203.0.113.77",                    // an address: the UA and referer carry the numbers
	}
	var lines []string
	for i, c := range clients {
		for j, r := range recs {
			at := logStart.Add(time.Duration(i*len(recs)+j) * time.Minute)
			lines = append(lines, fmt.Sprintf("%s - - [%s] \"GET %s HTTP/1.1\" 200 %d \"http://intranet.example/search?tel=%s&id=%s\" \"Mozilla/5.0 (caller %s; tel %s)\"",
				c, at.Format("02/Jan/2006:15:04:05 -0700"), r.path, r.size, phone, pnr, pnr[2:8]+"-"+pnr[8:], phone))
		}
	}
	writeFile(t, filepath.Join(dir, "access.log"), joinLines(lines, "\n"))
	key := filepath.Join(dir, "pseudonym.key")
	if err := os.WriteFile(key, []byte(fmt.Sprintf("%x\n", randomBytes(32))), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, pseudo := range []bool{false, true} {
		name, out := "plain", "out"
		args := []string{"analyze", "--index", idx, "--format", "combined", "--workers", "2"}
		if pseudo {
			name, out = "pseudonymized", "out-pseudo"
			args = append(args, "--pseudonymize", key)
		}
		args = append(args, "--out", out, "access.log")
		t.Run(name, func(t *testing.T) {
			r := runForensics(t, bin, dir, args...)
			if r.exit != exitOK {
				t.Fatalf("exit %d\n%s", r.exit, tail(r.stderr, 2000))
			}
			m := readManifest(t, filepath.Join(dir, out))
			if m.Totals["records"] != int64(len(lines)) {
				t.Fatalf("manifest: %d records, want %d: the lines were not all read, the test proves nothing", m.Totals["records"], len(lines))
			}
			if kind := secrets.find(r.stderr + r.stdout); kind != "" {
				t.Errorf("stderr or stdout holds %s from a log field", kind)
			}
			for _, f := range []string{"report.html", "summary.json", "manifest.json"} {
				b, err := os.ReadFile(filepath.Join(dir, out, f))
				if err != nil {
					t.Fatal(err)
				}
				if kind := secrets.find(string(b)); kind != "" {
					t.Errorf("%s holds %s from a log field (client host, user agent or referer)", f, kind)
				}
			}
			if !pseudo {
				// A control: the numbers reached the response team's data
				// files (actors hold the host names and user agents).
				if kind := secrets.find(parquetStrings(t, filepath.Join(dir, out, "actors.parquet"))); kind == "" {
					t.Errorf("actors.parquet holds none of the numbers put in the log: the test proves nothing")
				}
				return
			}
			t.Run("parquet", func(t *testing.T) { checkPseudonymizedParquet(t, &secrets, filepath.Join(dir, out)) })
		})
	}
}

// checkPseudonymizedParquet scans every Parquet output of a run with
// --pseudonymize for the index's numbers.
func checkPseudonymizedParquet(t *testing.T, secrets *secretScanner, out string) {
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".parquet") {
			continue
		}
		if kind := secrets.find(parquetStrings(t, filepath.Join(out, e.Name()))); kind != "" {
			t.Errorf("--pseudonymize: %s holds %s from a log field (user agent, host-name actor or referer)", e.Name(), kind)
		}
	}
}

// firstIndexNumbers returns the first subject's identity number (12
// digits) and the first caller phone number (national form, 0 7...) of the
// index at path: generated, fictitious numbers of the demo.
func firstIndexNumbers(t *testing.T, path string) (pnr, phone string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("index: %v", err)
	}
	col := map[string]int{}
	for i, n := range rows[0] {
		col[n] = i
	}
	for _, row := range rows[1:] {
		_, num, _ := strings.Cut(strings.Split(row[col["subjects"]], ";")[0], ":")
		d := digitsOf(num)
		p := digitsOf(row[col["caller_phone"]])
		if len(d) == 12 && strings.HasPrefix(p, "07") && len(p) == 10 {
			return d, p
		}
	}
	t.Fatal("index: no row with a 12-digit subject and a national phone number")
	return "", ""
}
