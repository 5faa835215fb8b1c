package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/testutil"
)

// listingPairsSQL is the README's query: every (recording, actor) pair a
// directory listing exposed, rebuilt from listings.parquet and
// recordings.parquet. A recording of a folder was shown to an actor whose
// last listing of the folder came at or after the file became available.
const listingPairsSQL = `
SELECT r.path, l.actor_ip, l.actor_category
FROM read_parquet('%s') AS l
JOIN read_parquet('%s') AS r ON r.folder = l.folder
WHERE r.available_at IS NULL OR r.available_at <= l.last`

// TestListingPairsRebuiltInSQL runs the README's query with DuckDB on the
// demo's outputs and checks it against the engine's listing rows: the
// same recordings, each with as many distinct listing actors as the
// engine counted.
func TestListingPairsRebuiltInSQL(t *testing.T) {
	demo := demoDir(t)
	truth := readTruth(t, demo)
	out := t.TempDir()
	runDemo(t, demo, truth, out)

	q := fmt.Sprintf("SELECT path, count(DISTINCT actor_ip) AS actors FROM ("+listingPairsSQL+") GROUP BY path ORDER BY path",
		filepath.Join(out, "listings.parquet"), filepath.Join(out, "recordings.parquet"))
	got := map[string]float64{}
	for _, row := range testutil.DumpParquet(t, filepath.Join(out, "listings.parquet"), q) {
		got[row["path"].(string)] = row["actors"].(float64)
	}
	want := map[string]float64{}
	for _, row := range testutil.DumpParquet(t, filepath.Join(out, "exposures.parquet"),
		"SELECT DISTINCT path, listing_actors FROM data WHERE via_listing") {
		want[row["path"].(string)] = row["listing_actors"].(float64)
	}
	if len(want) == 0 {
		t.Fatal("the demo has no listing exposure: the test checks nothing")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listing pairs per recording, engine (-) vs SQL (+):\n%s", diff)
	}
	// The README shows the query as it is here.
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown := strings.TrimSpace(fmt.Sprintf(listingPairsSQL, "DIR/listings.parquet", "DIR/recordings.parquet"))
	if !strings.Contains(string(readme), shown) {
		t.Errorf("README does not show the listing-pairs query as tested:\n%s", shown)
	}
}
