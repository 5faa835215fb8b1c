package report

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkRenderDir renders the reports of the analysis output directory
// named by REPORT_BENCH_DIR (for example the ci preset's, see
// tools/bench/README.md), into a copy of its data files: the time the
// lists and letters take at scale.
//
//	REPORT_BENCH_DIR=/tmp/ci-out go test ./internal/report -run '^$' -bench RenderDir -benchtime 1x
func BenchmarkRenderDir(b *testing.B) {
	src := os.Getenv("REPORT_BENCH_DIR")
	if src == "" {
		b.Skip("REPORT_BENCH_DIR is not set: give an analysis output directory (analyze --no-reports)")
	}
	dir := b.TempDir()
	for _, name := range demoFiles {
		if err := os.Link(filepath.Join(src, name), filepath.Join(dir, name)); err != nil {
			copyFile(b, filepath.Join(src, name), filepath.Join(dir, name))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
