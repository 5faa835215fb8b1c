package testutil

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	decision "github.com/forensiclog/forensics/sql"
)

// SQLEquality runs the decision SQL (sql/) with DuckDB over a request
// dataset and an exported index, in both listing forms (ASOF JOIN, band
// join), and fails the test for every row of a table of decision.Compared
// that differs from the Go engine's outputs in engineOut in a compared
// column (both ways, EXCEPT ALL). sources is the DuckDB sources script;
// "" builds it with analyze's defaults. It fails, too, when the engine
// wrote no row of a compared table not Optional: then nothing was
// compared; and, before running anything, when the engine's manifest
// reports a duplicate input or copytruncate overlap lines: the engine
// counts those lines once, the SQL counts the dataset's rows, so the
// counts compared (requests, listings, evidence_more) would differ by
// design.
func SQLEquality(t testing.TB, datasetDir, indexDir, engineOut, sources string) {
	t.Helper()
	repeatsNoLine(t, engineOut)
	if sources == "" {
		sources = decision.DuckDBSources(datasetDir, indexDir, "NULL", "NULL", "NULL", []string{"authorized", "internal"})
	}
	// One DuckDB session: the files are read once, both listing forms
	// decide over them.
	script := sources + "\n"
	forms := []string{decision.ListingASOF, decision.ListingBand}
	for i, form := range forms {
		script += decision.Decision(form) + "\n" + decision.DuckDBTables() + "\n"
		if i == 0 {
			script += decision.EngineViews(engineOut)
		}
		script += decision.SQLTables()
		script += "CREATE OR REPLACE TEMPORARY TABLE diff_" + form + " AS " + decision.EngineDiffQuery
	}
	script += "SELECT 'asof' AS form, * FROM diff_asof UNION ALL SELECT 'band' AS form, * FROM diff_band"
	all := RunDuckDB(t, script)
	for _, form := range forms {
		var rows []map[string]any
		for _, r := range all {
			if r["form"] == form {
				rows = append(rows, r)
			}
		}
		var diffs []string
		counts := map[string]string{}
		for _, r := range rows {
			if r["side"] == "rows" {
				counts[r["what"].(string)] = r["row"].(string)
				continue
			}
			if len(diffs) < 20 {
				diffs = append(diffs, fmt.Sprintf("%s only in %s: %s", r["what"], r["side"], maskRow(r["row"])))
			} else if len(diffs) == 20 {
				diffs = append(diffs, "...")
			}
		}
		for _, tb := range decision.Compared {
			if !tb.Optional && (counts[tb.Name] == "" || counts[tb.Name] == "0") {
				t.Errorf("%s: the engine wrote no %s rows: nothing compared", form, tb.Name)
			}
		}
		if len(diffs) > 0 {
			t.Errorf("decision SQL (%s) and engine differ (%d rows compared: %v):\n%s", form, len(rows), counts, strings.Join(diffs, "\n"))
		}
	}
}

// repeatsNoLine fails the test unless the manifest of the engine's
// outputs in dir reports no duplicate input and no overlap lines.
func repeatsNoLine(t testing.TB, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("the engine's manifest: %v", err)
	}
	var m struct {
		Totals map[string]int64 `json:"totals"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("the engine's manifest: %v", err)
	}
	if d, o := m.Totals["duplicate_inputs"], m.Totals["overlap_lines"]; d != 0 || o != 0 {
		t.Fatalf("the engine read %d duplicate inputs and %d overlap lines once, the SQL counts them: "+
			"the compared counts (requests, listings, evidence_more) would differ; compare on logs that repeat no line", d, o)
	}
}

// maskRow prints a differing row (JSON) with its identity and phone
// numbers masked.
func maskRow(v any) string {
	s, _ := v.(string)
	var row map[string]any
	if err := json.Unmarshal([]byte(s), &row); err != nil {
		return "(a row that is not JSON)"
	}
	for _, k := range []string{"subject_id", "subject_id_given"} {
		if _, ok := row[k]; ok {
			row[k] = mask(row[k])
		}
	}
	for _, k := range []string{"caller_phone", "phones"} {
		switch x := row[k].(type) {
		case string:
			row[k] = maskPhone(x)
		case []any:
			for i := range x {
				s, _ := x[i].(string)
				x[i] = maskPhone(s)
			}
		}
	}
	b, err := json.Marshal(row)
	if err != nil {
		return "(a row that is not JSON)"
	}
	return string(b)
}

// maskPhone keeps a phone number out of a test log: its first 4
// characters.
func maskPhone(s string) string {
	if len(s) > 4 {
		return s[:4] + "****"
	}
	return s
}

// mask keeps an identity number out of a test log: its first 8 characters.
func mask(v any) string {
	s, _ := v.(string)
	if len(s) > 8 {
		return s[:8] + "****"
	}
	return s
}
