package bench

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestEngineAgrees runs `forensics analyze` on the tiny preset and checks
// that the engine reads every line and counts the persons, children and
// samordningsnummer that the generator wrote: the generated data is in
// the CLI's formats, and the engine's identity rules agree with the
// generator's (two independent implementations).
func TestEngineAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI: not under -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "forensics")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/forensics").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg, _ := Preset("tiny", 5)
	in := filepath.Join(dir, "in")
	st, err := Generate(cfg, in)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "analyze", "-q", "--format", "combined",
		"--index", filepath.Join(in, "index.csv"), "--out", out, filepath.Join(in, "access.log"))
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("forensics analyze: %v", err)
	}
	var summary struct {
		Persons  int            `json:"persons_total"`
		Kinds    map[string]int `json:"subjects_by_kind"`
		Children map[string]int `json:"children_by_level"`
	}
	var manifest struct {
		Index  map[string]any   `json:"index"`
		Totals map[string]int64 `json:"totals"`
	}
	read := func(name string, v any) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	read("summary.json", &summary)
	read("manifest.json", &manifest)
	children := 0
	for _, n := range summary.Children {
		children += n
	}
	check := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s: engine %d, generator %d", what, got, want)
		}
	}
	check("persons", summary.Persons, st.Persons)
	check("samordningsnummer", summary.Kinds["samordningsnummer"], st.Samordningsnummer)
	check("children", children, st.Children)
	check("log lines", int(manifest.Totals["lines"]), st.Lines)
	check("rejected lines", int(manifest.Totals["rejected"]), 0)
	if n, _ := manifest.Index["unusable_rows"].(float64); n != 0 {
		t.Errorf("%v unusable index rows", n)
	}
}
