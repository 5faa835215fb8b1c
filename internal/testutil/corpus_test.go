package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTB records what Corpus does instead of ending the test.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

type stop struct{}

func (f *fakeTB) Helper()                   {}
func (f *fakeTB) Fatal(args ...any)         { f.fatal = fmt.Sprint(args...); panic(stop{}) }
func (f *fakeTB) Fatalf(s string, a ...any) { f.fatal = fmt.Sprintf(s, a...); panic(stop{}) }
func (f *fakeTB) Skip(args ...any)          { f.skip = fmt.Sprint(args...); panic(stop{}) }

func runCorpus(t *testing.T) (dir string, f *fakeTB) {
	f = &fakeTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(stop); !ok {
					panic(r)
				}
			}
		}()
		dir = Corpus(f)
	}()
	return dir, f
}

func TestCorpus(t *testing.T) {
	present := t.TempDir()
	missing := filepath.Join(present, "missing")
	f := func(env, ci, wantDir, wantFatal, wantSkip string) {
		t.Helper()
		t.Setenv(CorpusEnv, env)
		t.Setenv("CI", ci)
		dir, tb := runCorpus(t)
		if dir != wantDir || !strings.Contains(tb.fatal, wantFatal) || (wantFatal == "") != (tb.fatal == "") ||
			!strings.Contains(tb.skip, wantSkip) || (wantSkip == "") != (tb.skip == "") {
			t.Errorf("%s=%q CI=%q: dir %q, fatal %q, skip %q; want %q, %q, %q", CorpusEnv, env, ci, dir, tb.fatal, tb.skip, wantDir, wantFatal, wantSkip)
		}
	}
	f(present, "", present, "", "")
	f(present, "true", present, "", "")
	f(missing, "", "", missing, "")     // set but wrong: a mistake, not an absence
	f(missing, "true", "", missing, "") // and in CI
	// Unset: the default beside the repository, which this test cannot
	// control; whatever it finds, CI turns a skip into a failure.
	t.Setenv(CorpusEnv, "")
	if _, err := CorpusDir(); err != nil {
		f("", "", "", "", "real-world corpus not found")
		f("", "true", "", "CI is set", "")
	}
}

func TestMainCheckout(t *testing.T) {
	dir := t.TempDir()
	f := func(git, want string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, ".git"), []byte(git), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := mainCheckout(dir); got != want {
			t.Errorf("%q: mainCheckout = %q, want %q", git, got, want)
		}
	}
	f("gitdir: /srv/main/.git/worktrees/libapi\n", "/srv/main")
	f("gitdir: /srv/bare.git\n", "")
	f("not a git file", "")
	if got := mainCheckout(t.TempDir()); got != "" {
		t.Errorf("no .git: mainCheckout = %q", got)
	}
}
