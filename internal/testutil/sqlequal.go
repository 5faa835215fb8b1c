package testutil

import (
	"fmt"
	"strings"
	"testing"

	decision "github.com/forensiclog/forensics/sql"
)

// SQLEquality runs the decision SQL (sql/) with DuckDB over a request
// dataset and an exported index, in both listing forms (ASOF JOIN, band
// join), and fails the test for every recording, person or exposure row
// whose level differs from the Go engine's outputs in engineOut (both
// ways, EXCEPT ALL). sources is the DuckDB sources script; "" builds it
// with analyze's defaults. It fails, too, when the engine wrote no
// recording, person or exposure row: then nothing was compared.
func SQLEquality(t testing.TB, datasetDir, indexDir, engineOut, sources string) {
	t.Helper()
	if sources == "" {
		sources = decision.DuckDBSources(datasetDir, indexDir, "NULL", "NULL", "NULL", []string{"authorized", "internal"})
	}
	// One DuckDB session: the files are read once, both listing forms
	// decide over them.
	script := sources + "\n"
	forms := []string{decision.ListingASOF, decision.ListingBand}
	for i, form := range forms {
		script += decision.Decision(form) + "\n"
		if i == 0 {
			script += decision.EngineViews(engineOut)
		}
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
				counts[r["what"].(string)] = r["level"].(string)
				continue
			}
			if len(diffs) < 20 {
				diffs = append(diffs, fmt.Sprintf("%s only in %s: subject=%v path=%v actor=%v ua=%q via_listing=%v level=%v bytes=%v coverage=%v prior_copy=%v in_gap=%v uncertain=%q max_coverage=%v actors=%v calls=%v/%v/%v/%v/%v/%v on_gap=%v",
					r["what"], r["side"], mask(r["subject_id"]), r["path"], r["actor_ip"], r["actor_ua"], r["via_listing"], r["level"],
					r["bytes_delivered"], r["coverage"], r["prior_copy"], r["in_gap"], r["uncertain"], r["max_coverage"], r["actors"],
					r["calls"], r["calls_exposed"], r["calls_full"], r["calls_partial"], r["calls_metadata"], r["calls_undeterminable"], r["verdict_rests_on_gap"]))
			} else if len(diffs) == 20 {
				diffs = append(diffs, "...")
			}
		}
		for _, what := range []string{"recordings", "persons", "exposures"} {
			if counts[what] == "" || counts[what] == "0" {
				t.Errorf("%s: the engine wrote no %s rows: nothing compared", form, what)
			}
		}
		if len(diffs) > 0 {
			t.Errorf("decision SQL (%s) and engine differ (%d rows compared: %v):\n%s", form, len(rows), counts, strings.Join(diffs, "\n"))
		}
	}
}

// mask keeps an identity number out of a test log: its first 8 characters.
func mask(v any) string {
	s, _ := v.(string)
	if len(s) > 8 {
		return s[:8] + "****"
	}
	return s
}
