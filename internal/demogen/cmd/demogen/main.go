// Command demogen writes the bundled demo incident (see fixtures/README.md).
//
// Usage:
//
//	go run ./internal/demogen/cmd/demogen [-out DIR]
//
// Without -out it writes fixtures/demo under the module root (found from
// the working directory).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/forensiclog/forensics/internal/demogen"
)

func main() {
	out := flag.String("out", "", "directory to write (default: fixtures/demo in the module root)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "demogen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		out = filepath.Join(root, "fixtures", "demo")
	}
	if err := demogen.Generate(out); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "demogen: wrote", out)
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; use -out")
		}
		dir = parent
	}
}
