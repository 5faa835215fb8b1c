// Command testskips reads "go test -json" on standard input and prints
// every skipped test with the reason it gave, then a count per package:
//
//	go test -json ./... | go run ./tools/testskips
//
// Tests skip, with a reason, only when a tool they need is missing here
// (DuckDB's Node, Chromium, a real web server, a command to compare
// with) or the real-world corpus is absent; under CI they fail instead.
// It exits 1 when a test failed, as go test does.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	type key struct{ pkg, test string }
	output := map[key][]string{} // a running test's output lines
	var skipped []key
	reasons := map[key]string{}
	failed := false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output":
			if e.Test != "" {
				output[k] = append(output[k], e.Output)
			}
		case "skip":
			if e.Test != "" {
				skipped = append(skipped, k)
				reasons[k] = reason(output[k])
			}
			delete(output, k)
		case "fail":
			failed = true
			delete(output, k)
		case "pass":
			delete(output, k)
		}
	}
	perPkg := map[string]int{}
	for _, k := range skipped {
		fmt.Printf("SKIP %s %s: %s\n", strings.TrimPrefix(k.pkg, "github.com/forensiclog/forensics/"), k.test, reasons[k])
		perPkg[k.pkg]++
	}
	pkgs := make([]string, 0, len(perPkg))
	for p := range perPkg {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	fmt.Printf("%d tests skipped", len(skipped))
	for _, p := range pkgs {
		fmt.Printf("; %s %d", strings.TrimPrefix(p, "github.com/forensiclog/forensics/"), perPkg[p])
	}
	fmt.Println()
	if failed {
		os.Exit(1)
	}
}

// reason picks the skip message from a test's output: the last line that
// names a test file ("x_test.go:12: ..."), else "(no reason given)".
func reason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "===") {
			continue
		}
		if _, msg, ok := strings.Cut(l, ".go:"); ok {
			if _, msg, ok := strings.Cut(msg, ": "); ok {
				return msg
			}
		}
		return l
	}
	return "(no reason given)"
}
