package testutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CorpusEnv names the environment variable that points at the real-world
// log corpus (real logs from public sources, kept outside the repository;
// its SOURCES.md says where each file comes from).
const CorpusEnv = "FORENSICS_REALWORLD_CORPUS"

// corpusRel is where the corpus lives by default, relative to the
// repository's root.
const corpusRel = "../shared/corpus/realworld"

// CorpusDir returns the directory of the real-world corpus: $CorpusEnv
// when it is set, else ../shared/corpus/realworld beside the repository
// (beside the main checkout too, when the tests run in a linked git
// worktree). It returns an error saying where it looked when the corpus is
// not there. Most tests want Corpus; CorpusDir is for optional uses, such
// as fuzz seeds.
func CorpusDir() (string, error) {
	if dir := os.Getenv(CorpusEnv); dir != "" {
		if err := isDir(dir); err != nil {
			return "", fmt.Errorf("real-world corpus: %s=%s: %w", CorpusEnv, dir, err)
		}
		return dir, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", fmt.Errorf("real-world corpus: %w", err)
	}
	var tried []string
	for _, r := range []string{root, mainCheckout(root)} {
		if r == "" {
			continue
		}
		dir := filepath.Clean(filepath.Join(r, corpusRel))
		if isDir(dir) == nil {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", fmt.Errorf("real-world corpus not found at %s (set %s)", strings.Join(tried, " or "), CorpusEnv)
}

// Corpus returns the directory of the real-world corpus (see CorpusDir),
// or skips the test saying why when it is not there; in CI (see InCI), or
// when CorpusEnv names a directory that does not exist, the test fails
// instead: a corpus test that silently skips tests nothing.
func Corpus(t testing.TB) string {
	t.Helper()
	dir, err := CorpusDir()
	if err == nil {
		return dir
	}
	switch {
	case InCI():
		t.Fatalf("%v (CI is set, so this fails instead of skipping)", err)
	case os.Getenv(CorpusEnv) != "":
		t.Fatal(err)
	}
	t.Skip(err)
	return ""
}

func isDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return errors.New("not a directory")
	}
	return nil
}

// mainCheckout returns the root of the main checkout when root is a linked
// git worktree (its .git is a file "gitdir: <main>/.git/worktrees/<name>"),
// else "".
func mainCheckout(root string) string {
	b, err := os.ReadFile(filepath.Join(root, ".git"))
	if err != nil {
		return "" // a directory (the main checkout) or no git at all
	}
	gitdir, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
	if !ok {
		return ""
	}
	if !filepath.IsAbs(gitdir) {
		gitdir = filepath.Join(root, gitdir)
	}
	// <main>/.git/worktrees/<name> -> <main>
	wt := filepath.Dir(gitdir)
	if filepath.Base(wt) != "worktrees" {
		return ""
	}
	return filepath.Dir(filepath.Dir(wt))
}
