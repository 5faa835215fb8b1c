//go:build linux

package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// scaleBudget is the peak resident memory allowed to `forensics analyze`
// on the ci preset (300,000 recordings, 1 M log lines). Issue 9 asks for
// at most 1 GiB on the full incident (2.7 M recordings, 10 M lines); the
// ci preset is a ninth of it (measured: 376 MiB since the index is no
// longer resident whole while parsed and the zstd encoders survive
// collections; 585 MiB before), so this budget catches the kind of
// regression that made the old engine run out of memory (state that
// grows with listings × files or with every output row). The reports
// (lists, one letter per person) are rendered by their own code and
// tested on their own: the run uses --no-reports.
const scaleBudget = 512 << 20

// hardLimit caps the child's address space so that a regression fails
// this test instead of taking the machine down.
const hardLimit = 8 << 30

// TestScaleCI runs `forensics analyze` as a child process on the ci
// preset and checks that it succeeds, writes persons.parquet, and stays
// under scaleBudget at peak (the child's rusage).
func TestScaleCI(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 300,000 recordings and 1 M log lines and runs the CLI on them: not under -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "forensics")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/forensics")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg, err := Preset("ci", 1)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in")
	st, err := Generate(cfg, in)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ci preset: %d recordings, %d persons, %d lines (%d MB), %d clients, %d listings",
		st.Recordings, st.Persons, st.Lines, st.Bytes/1e6, st.Clients, st.Listings)

	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "analyze", "-q", "--no-reports", "--format", "combined",
		"--index", filepath.Join(in, "index.csv"), "--out", out, filepath.Join(in, "access.log"))
	var stderr bytes.Buffer // the summary on stdout is not needed
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	limitAddressSpace(t, cmd.Process.Pid, hardLimit)
	err = cmd.Wait()
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the child")
	}
	peak := ru.Maxrss * 1024 // KiB on Linux
	t.Logf("forensics analyze: exit %d, %.1f s CPU, peak RSS %d MiB (budget %d MiB)",
		cmd.ProcessState.ExitCode(), time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Seconds(), peak>>20, scaleBudget>>20)
	if err != nil {
		// A crash prints every goroutine: its first lines say enough.
		head, _, _ := strings.Cut(stderr.String(), "\ngoroutine ")
		t.Errorf("forensics analyze: %v (peak RSS %d MiB); stderr begins:\n%.2000s", err, peak>>20, head)
	}
	if peak > scaleBudget {
		t.Errorf("peak RSS %d MiB, budget %d MiB", peak>>20, scaleBudget>>20)
	}
	if fi, err := os.Stat(filepath.Join(out, "persons.parquet")); err != nil || fi.Size() == 0 {
		t.Errorf("persons.parquet not written: %v", err)
	}
}

// limitAddressSpace sets RLIMIT_AS of a running process (prlimit(2)).
func limitAddressSpace(t *testing.T, pid int, bytes uint64) {
	t.Helper()
	lim := syscall.Rlimit{Cur: bytes, Max: bytes}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_AS,
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0); e != 0 {
		t.Logf("prlimit: %v (the child runs without a cap)", e)
	}
}
