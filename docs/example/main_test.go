package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestREADMEShowsThisProgram: the README's library section shows this
// program as it is, so that the program a reader copies compiles, is
// vetted and handles both kinds of errors.
func TestREADMEShowsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Library\n")
	if !ok {
		t.Fatal("README has no Library section")
	}
	_, block, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("README's Library section has no Go block")
	}
	block, _, _ = strings.Cut(block, "```\n")
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	// The README starts at "package main": the file's doc comment is
	// about the file.
	_, prog, _ := strings.Cut(string(src), "\npackage main\n")
	if diff := cmp.Diff("package main\n"+prog, block); diff != "" {
		t.Errorf("README's program differs from docs/example/main.go (-file +README):\n%s", diff)
	}
}
