package report

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkXLSXList writes notification-list rows shaped like the
// incident's (14 cells: generated identity numbers, levels, calls,
// contact numbers, the letter's path) to an XLSX list: the list writer
// alone, without reading or sorting. Stockholm's list on the incident has
// 2.4 million such rows.
//
//	go test ./internal/report -run '^$' -bench XLSXList -benchtime 3x
func BenchmarkXLSXList(b *testing.B) {
	const rows = 200_000
	t := catalog("sv")
	header := t.columns()
	cells := make([][]string, 1024)
	for i := range cells {
		cells[i] = []string{
			fmt.Sprint(i + 1),
			fmt.Sprintf("19%02d%02d%02d-%04d", 10+i%90, 1+i%12, 1+i%28, i%10000),
			fmt.Sprintf("19%02d%02d%02d%04d", 10+i%90, 1+i%12, 1+i%28, i%10000),
			"personnummer", "nej", "hela", "nej", "1/2",
			fmt.Sprintf("2013-01-07 02:48 +01:00 SRM%07d: hela", 1000000+i),
			fmt.Sprintf("+4670%07d (uppringare: SRM%07d)", i*7919%10000000, 1000000+i),
			"okänd", "2013-02-16 11:18 +01:00", "Stockholm",
			fmt.Sprintf("letters/stockholm-001.zip/stockholm-%05d.md", i+1),
		}
	}
	var size int64
	for b.Loop() {
		dir := b.TempDir()
		xw, err := newXLSXList(filepath.Join(dir, "list.xlsx"), t.get("sheet"), header)
		if err != nil {
			b.Fatal(err)
		}
		for i := range rows {
			if err := xw.add(cells[i%len(cells)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := xw.close(); err != nil {
			b.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dir, "list.xlsx"))
		if err != nil {
			b.Fatal(err)
		}
		size = st.Size()
	}
	b.ReportMetric(float64(size)/rows, "file-B/row")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
