package demogen

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/actors"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

const committed = "../../fixtures/demo"

// TestFixturesUpToDate regenerates the demo and compares it with the
// committed fixtures, so that they cannot drift from the generator.
func TestFixturesUpToDate(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(dir); err != nil {
		t.Fatal(err)
	}
	want, got := listFiles(t, committed), listFiles(t, dir)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("files differ (-committed +generated); run `go run ./internal/demogen/cmd/demogen`:\n%s", diff)
	}
	for _, name := range want {
		a := readFixture(t, filepath.Join(committed, name))
		b := readFixture(t, filepath.Join(dir, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the generator's output; run `go run ./internal/demogen/cmd/demogen`", name)
		}
	}
}

func listFiles(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// readFixture reads a file, decompressed when it is gzip: compressed bytes
// may change with the Go release, the contents may not.
func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
	}
	return b
}

// TestIndexNumbers checks every identifier in the committed index: all
// personnummer and samordningsnummer pass Luhn, except the one number
// the story keeps as invalid, and the reservnummer are not number-shaped.
func TestIndexNumbers(t *testing.T) {
	f, err := os.Open(filepath.Join(committed, "index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var invalid, resv, plus, samordning, checked int
	for i, row := range rows[1:] {
		for _, pair := range strings.Split(row[7], ";") {
			role, id, ok := strings.Cut(pair, ":")
			if !ok || (role != "caller" && role != "patient") {
				t.Fatalf("index row %d: bad subject pair", i+2)
			}
			if strings.HasPrefix(id, "RES") {
				resv++
				continue
			}
			checked++
			if strings.Contains(id, "+") {
				plus++
			}
			digits := strings.NewReplacer("-", "", "+", "").Replace(id)
			if day := digits[len(digits)-6 : len(digits)-4]; day > "60" {
				samordning++
			}
			if !LuhnValid(id) {
				invalid++
			}
		}
	}
	if invalid != 1 {
		t.Errorf("%d numbers fail Luhn, want exactly 1 (the kept typo)", invalid)
	}
	if resv == 0 || plus == 0 || samordning == 0 {
		t.Errorf("want some reservnummer (%d), '+' numbers (%d) and samordningsnummer (%d)", resv, plus, samordning)
	}
	if checked < 600 {
		t.Errorf("only %d numbers checked", checked)
	}
}

func TestLuhn(t *testing.T) {
	// The worked example from Skatteverket's description: 640823-323C, C = 4.
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"640823-3234", true},
		{"196408233234", true},
		{"6408233234", true},
		{"640823+3234", true},
		{"640823-3235", false},
		{"19640823-3234", true},
		{"640823-323", false},
		{"64082A-3234", false},
	} {
		if got := LuhnValid(tc.in); got != tc.want {
			t.Errorf("LuhnValid(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestExpectedStory checks the story's headline numbers in expected.json.
func TestExpectedStory(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(committed, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp Expected
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	byID := map[string]ActorTruth{}
	for _, a := range exp.Actors {
		byID[a.ID] = a
	}
	if n := byID["newspaper"].RecordingsByLevel[LevelFull]; n != 55 {
		t.Errorf("newspaper downloaded %d recordings in full, want 55", n)
	}
	if n := byID["range-client"].RecordingsByLevel; n[LevelPartial] != 7 || n[LevelFull] != 1 {
		t.Errorf("range-client levels %v, want 7 partial and 1 full", n)
	}
	if n := byID["conditional-client"].RecordingsByLevel[LevelMetadata]; n == 0 {
		t.Error("conditional-client has no metadata exposure")
	}
	total := 0
	for _, n := range exp.Totals.RecordingsByLevel {
		total += n
	}
	if total != exp.Totals.Recordings || total != len(exp.Recordings) {
		t.Errorf("recordings by level add up to %d, want %d", total, exp.Totals.Recordings)
	}
	// The journalist listed a day still in progress: the calls that ended
	// after the listing must not be metadata for the newspaper.
	listing := time.Date(2019, 2, 8, 21, 30, 0, 0, stockholm)
	late := 0
	for _, r := range exp.Recordings {
		if !strings.HasPrefix(r.Path, "/recordings/Stockholm/2019/02/08/") {
			continue
		}
		rec := findRec(t, r.CallID)
		if rec.end().After(listing) {
			late++
			if l, ok := r.Actors["newspaper"]; ok {
				t.Errorf("%s ended after the listing but is %s for the newspaper", r.CallID, l)
			}
		}
	}
	if late == 0 {
		t.Error("no call on 8 Feb 2019 ended after the journalist's listing")
	}
}

func findRec(t *testing.T, callID string) *recording {
	t.Helper()
	recs, _ := makeRecordings(newRNG(Seed))
	for _, r := range recs {
		if r.callID == callID {
			return r
		}
	}
	t.Fatalf("no recording %s", callID)
	return nil
}

// TestReadmeTable checks that the table of expected results in
// fixtures/README.md matches expected.json.
func TestReadmeTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(committed, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp Expected
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(committed, "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	tot := exp.Totals
	for _, l := range levelOrder {
		want := fmt.Sprintf("| %s | %d | %d | %d | %d |", l, tot.RecordingsByLevel[l], tot.PersonsByLevel[l], tot.ChildrenByLevel[l], tot.PhonesByLevel[l])
		if !bytes.Contains(readme, []byte(want)) {
			t.Errorf("fixtures/README.md lacks the row %q", want)
		}
	}
	children := 0
	for _, n := range tot.ChildrenByLevel {
		children += n
	}
	want := fmt.Sprintf("| **total** | **%d** | **%d** | **%d** | **%d** |", tot.Recordings, tot.Persons, children, tot.Phones)
	if !bytes.Contains(readme, []byte(want)) {
		t.Errorf("fixtures/README.md lacks the row %q", want)
	}
}

// TestIndexAgreesWithExposure reads the committed index with the engine's
// loader and parser and checks that every subject gets the identity and
// kind the generator meant, and that no row is left out.
func TestIndexAgreesWithExposure(t *testing.T) {
	ix, err := exposure.LoadIndex(filepath.Join(committed, "index.csv"), exposure.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ix.Errors()); n != 0 {
		t.Errorf("%d index rows left out; first: %v", n, ix.Errors()[0])
	}
	if ix.Len() != 600 {
		t.Errorf("index holds %d recordings, want 600", ix.Len())
	}
	b, err := os.ReadFile(filepath.Join(committed, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp Expected
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	children := map[string]bool{}
	for _, s := range exp.Subjects {
		kinds[s.ID] = string(s.Kind)
		children[s.ID] = s.Child
	}
	engineKind := map[exposure.IdentityKind]string{
		exposure.Personnummer: "personnummer", exposure.Samordningsnummer: "samordningsnummer",
		exposure.Reserve: "reservnummer", exposure.Invalid: "invalid",
	}
	f, err := os.Open(filepath.Join(committed, "index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	child := map[string]bool{}
	for i, row := range rows[1:] {
		at, err := time.Parse(time.RFC3339, row[2])
		if err != nil {
			t.Fatal(err)
		}
		for j, pair := range strings.Split(row[7], ";") {
			_, given, _ := strings.Cut(pair, ":")
			id := exposure.ParseIdentity(given, at)
			want, ok := kinds[id.ID()]
			// Positions only in messages: the numbers are personal data
			// in form, even when generated.
			if !ok {
				t.Errorf("row %d subject %d: the engine's ID is not in expected.json", i+2, j+1)
				continue
			}
			if got := engineKind[id.Kind]; got != want {
				t.Errorf("row %d subject %d: engine kind %s, want %s", i+2, j+1, got, want)
			}
			seen[id.ID()] = true
			if id.Child(at) {
				child[id.ID()] = true
			}
		}
	}
	if len(seen) != len(kinds) {
		t.Errorf("the engine finds %d distinct subjects, want %d", len(seen), len(kinds))
	}
	for id, c := range children {
		if child[id] != c {
			t.Errorf("a subject of kind %s: engine child=%v, want %v", kinds[id], child[id], c)
		}
	}
}

// TestActorsFile loads the committed actors.yaml with internal/actors and
// checks that each actor of the story matches as designed.
func TestActorsFile(t *testing.T) {
	dir, err := actors.Load(filepath.Join(committed, "actors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range allActors {
		for _, addr := range a.Addrs {
			ua := uaFirefox
			if a == actGooglebot {
				ua = uaGoogle
			}
			got, ok := dir.MatchActor(addr, ua)
			if a.Label == "" {
				if ok {
					t.Errorf("%s (%s) matches %q, want no known actor", a.ID, addr, got.Label)
				}
				continue
			}
			if !ok || got.Label != a.Label || got.Category != a.Category {
				t.Errorf("%s (%s) matches %+v (%v), want %s/%s", a.ID, addr, got, ok, a.Label, a.Category)
			}
		}
	}
	// Googlebot's user agent from another network is not Googlebot.
	if got, ok := dir.MatchActor(actProbe.Addrs[0], uaGoogle); ok {
		t.Errorf("a Googlebot user agent from the scanner's address matches %q", got.Label)
	}
}

// TestDetectDemo checks that format detection picks each demo log's
// format: the demo is run without --format.
func TestDetectDemo(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(committed, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp Expected
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	for _, l := range exp.Logs {
		ins, err := logparse.ExpandInputs([]string{filepath.Join(committed, filepath.FromSlash(l.Name))})
		if err != nil || len(ins) != 1 {
			t.Fatalf("%s: %v", l.Name, err)
		}
		ir, err := ins[0].Open()
		if err != nil {
			t.Fatal(err)
		}
		f, det, _, err := logparse.DetectInput(ir)
		ir.Close()
		if err != nil {
			t.Errorf("%s: %v", l.Name, err)
			continue
		}
		if f.Name() != l.Format {
			t.Errorf("%s: detected %s (%s), want %s", l.Name, f.Name(), det.Reason, l.Format)
		}
	}
}
