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

// BenchmarkReadExposures reads exposures.parquet of REPORT_BENCH_DIR
// (else the demo's) with parquet-go's generic reader and with the
// column reader the reports use.
//
//	REPORT_BENCH_DIR=/tmp/ci-out go test ./internal/report -run '^$' -bench ReadExposures -benchtime 3x
func BenchmarkReadExposures(b *testing.B) {
	dir := os.Getenv("REPORT_BENCH_DIR")
	if dir == "" {
		dir = demoOut(b)
	}
	open := map[string]func() (rows[exposureIn], error){
		"generic": func() (rows[exposureIn], error) { return openRows[exposureIn](dir, "exposures.parquet") },
		"columns": func() (rows[exposureIn], error) { return openFlat(dir, "exposures.parquet", exposureColumns) },
	}
	for _, name := range []string{"generic", "columns"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			for b.Loop() {
				r, err := open[name]()
				if err != nil {
					b.Fatal(err)
				}
				n = 0
				for _, ok := r.Next(); ok; _, ok = r.Next() {
					n++
				}
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
