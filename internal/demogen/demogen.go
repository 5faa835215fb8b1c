// Package demogen writes the bundled demo incident, fixtures/demo: a
// fictitious leak of recorded calls to a health advice line, with the
// recording index, access logs in three formats that cover only parts of
// the exposure window, a list of known actors, GeoIP test databases, and
// the expected truth that the analysis should find.
//
// # Determinism
//
// Everything is derived from a fixed seed with a private generator, and no
// wall clock is read: Generate writes the same bytes on every run. The
// test in this package regenerates into a temporary directory and compares
// with the committed fixtures. Gzip members are written without a name or
// time; their compressed bytes depend on compress/flate, so the test
// compares gzip files by their decompressed contents.
//
// # Regenerating
//
//	go run ./internal/demogen/cmd/demogen            # writes fixtures/demo
//	go run ./internal/demogen/cmd/demogen -out DIR
//
// See fixtures/README.md for the story, the formats and the expected
// results.
package demogen

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // the demo's local times must not depend on the host
)

// Seed is the demo's fixed seed.
const Seed = 1177_2019_02_18

var stockholm = mustLoad("Europe/Stockholm")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("demogen: " + err.Error())
	}
	return loc
}

// A period is a half-open time interval [start, end).
type period struct{ start, end time.Time }

func (p period) contains(t time.Time) bool { return !t.Before(p.start) && t.Before(p.end) }

// The story's timeline (Stockholm time).
var (
	// exposureStart: the server held recordings and was reachable from here.
	exposureStart = time.Date(2016, 1, 4, 0, 0, 0, 0, stockholm)
	// lastCall: the last call recorded before the server was taken down.
	lastCall = time.Date(2019, 2, 18, 3, 0, 0, 0, stockholm)
	// offline: the server was taken off the net after the story ran.
	offline = time.Date(2019, 2, 18, 14, 0, 0, 0, stockholm)

	// The two periods the surviving logs cover, on all three services. The
	// logs of 26 Nov 2018 to 6 Jan 2019 were lost when the log volume was
	// replaced; nothing older than 29 Oct 2018 was kept.
	coverA = period{time.Date(2018, 10, 29, 0, 0, 0, 0, stockholm), time.Date(2018, 11, 26, 0, 0, 0, 0, stockholm)}
	coverB = period{time.Date(2019, 1, 7, 0, 0, 0, 0, stockholm), offline}
)

// Call counts: before the logs begin, and from then until the end.
const (
	numOld    = 420
	numRecent = 173
)

func covered(t time.Time) bool { return coverA.contains(t) || coverB.contains(t) }

// Generate writes the demo into dir, creating it if needed. Existing files
// of the same names are replaced; other files are left alone.
func Generate(dir string) error {
	r := newRNG(Seed)
	recs, pop := makeRecordings(r)
	evs := makeTraffic(r, recs)
	files := map[string][]byte{}
	files["index.csv"] = indexCSV(recs)
	files["actors.yaml"] = []byte(actorsYAML)
	logs, stats, err := renderLogs(evs)
	if err != nil {
		return err
	}
	for name, b := range logs {
		files[name] = b
	}
	exp, err := expectedJSON(recs, pop, evs, stats)
	if err != nil {
		return err
	}
	files["expected.json"] = exp
	for _, name := range sortedKeys(files) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("demogen: %w", err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("demogen: %w", err)
		}
	}
	return writeGeoIP(filepath.Join(dir, "geoip"))
}
