package report_test

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/internal/report"
)

// The rows below stand for an analysis's output files, with the columns
// the reports read; the numbers are made up.
type person struct {
	SubjectID string   `parquet:"subject_id"`
	Kind      string   `parquet:"subject_kind"`
	Child     bool     `parquet:"child"`
	Level     string   `parquet:"level"`
	Roles     []string `parquet:"roles,list"`
	Calls     int64    `parquet:"calls"`
	Regions   []string `parquet:"regions,list"`
}

type exposureRow struct {
	SubjectID string    `parquet:"subject_id"`
	Role      string    `parquet:"role"`
	CallID    string    `parquet:"call_id"`
	Path      string    `parquet:"path"`
	Region    string    `parquet:"region"`
	Phone     string    `parquet:"caller_phone"`
	Level     string    `parquet:"level"`
	StartedAt time.Time `parquet:"started_at,timestamp(millisecond)"`
	FirstSeen time.Time `parquet:"first_seen,timestamp(millisecond),optional"`
	ActorIP   string    `parquet:"actor_ip"`
	Category  string    `parquet:"actor_category"`
}

type recording struct {
	Path   string `parquet:"path"`
	CallID string `parquet:"call_id"`
	Region string `parquet:"region"`
	Level  string `parquet:"level"`
}

type actor struct {
	IP       string `parquet:"actor_ip"`
	Category string `parquet:"actor_category"`
	Persons  int64  `parquet:"persons"`
}

type coverage struct {
	Source string    `parquet:"source"`
	Kind   string    `parquet:"kind"`
	Start  time.Time `parquet:"start,timestamp(millisecond)"`
	End    time.Time `parquet:"end,timestamp(millisecond)"`
}

// ExampleRender renders the reports of a small output directory: the page
// and its Markdown, one notification list per region, one letter per
// person to notify.
func ExampleRender() {
	dir, _ := os.MkdirTemp("", "example-*")
	defer os.RemoveAll(dir)
	call := time.Date(2018, 12, 3, 22, 15, 0, 0, time.UTC)
	seen := time.Date(2019, 2, 11, 9, 41, 0, 0, time.UTC)
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(parquetout.WriteFile(filepath.Join(dir, "persons.parquet"), []person{
		{"RES-A", "reserve", false, "full", []string{"caller"}, 1, []string{"Sörmland"}},
		{"RES-B", "reserve", true, "full", []string{"patient"}, 1, []string{"Sörmland"}},
	}))
	must(parquetout.WriteFile(filepath.Join(dir, "exposures.parquet"), []exposureRow{
		{"RES-A", "caller", "SRM1", "/rec/SRM1.mp3", "Sörmland", "+46700000000", "full", call, seen, "192.0.2.201", "press"},
		{"RES-B", "patient", "SRM1", "/rec/SRM1.mp3", "Sörmland", "+46700000000", "full", call, seen, "192.0.2.201", "press"},
	}))
	must(parquetout.WriteFile(filepath.Join(dir, "recordings.parquet"), []recording{{"/rec/SRM1.mp3", "SRM1", "Sörmland", "full"}}))
	must(parquetout.WriteFile(filepath.Join(dir, "actors.parquet"), []actor{{"192.0.2.201", "press", 2}}))
	must(parquetout.WriteFile(filepath.Join(dir, "coverage.parquet"), []coverage{{"access.log", "span", call, seen.Add(time.Hour)}}))
	summary, _ := json.Marshal(map[string]any{
		"persons_by_level": map[string]int{"full": 2}, "children_by_level": map[string]int{"full": 1},
		"recordings_by_level": map[string]int{"full": 1}, "recordings_total": 1, "persons_total": 2,
		"persons_to_notify": 2, "phone_numbers_exposed": 1, "actors": 1,
		"exposure_window": map[string]any{"start": call, "end": seen.Add(time.Hour)}, "gap_threshold": "3h0m0s",
	})
	must(os.WriteFile(filepath.Join(dir, "summary.json"), summary, 0o600))

	err := report.Render(dir, report.Options{Lang: "en", Controller: "Region Sörmland", Inputs: []report.InputInfo{{Name: "access.log"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	fmt.Println(strings.Contains(string(page), `id="persons-to-notify">2<`))
	fmt.Println(strings.Contains(string(page), "+46700000000"), strings.Contains(string(page), "<script"))
	lists, _ := filepath.Glob(filepath.Join(dir, "notify", "*"))
	letters, _ := filepath.Glob(filepath.Join(dir, "letters", "*.zip"))
	for _, f := range append(lists, letters...) {
		rel, _ := filepath.Rel(dir, f)
		fmt.Println(filepath.ToSlash(rel))
	}
	// One letter per person, in the order of the list.
	z, err := zip.OpenReader(filepath.Join(dir, "letters", "sormland-001.zip"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer z.Close()
	for _, f := range z.File {
		fmt.Println(" ", f.Name)
	}
	// Output:
	// true
	// false false
	// notify/sormland.csv
	// notify/sormland.xlsx
	// letters/sormland-001.zip
	//   sormland-00001.md
	//   sormland-00002.md
}
