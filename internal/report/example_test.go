package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/report"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// ExampleRender renders a small result. The report shows counts, actors
// and coverage, never the persons' numbers.
func ExampleRender() {
	day := time.Date(2019, 2, 18, 0, 0, 0, 0, time.UTC)
	res := &exposure.Result{
		Summary: exposure.Summary{
			PersonsByLevel:  map[string]int64{"full": 2, "metadata": 1, "none": 4},
			ChildrenByLevel: map[string]int64{"full": 1},
			PersonsTotal:    7, PersonsNotify: 3, PhonesExposed: 2, Actors: 1,
			ActorsByCategory: map[string]int64{"press": 1},
		},
		Actors:   []exposure.ActorRow{{ActorIP: "192.0.2.201", Label: "newspaper", Category: "press", RecordingsFull: 2, Persons: 2, FirstSeen: day}},
		Coverage: exposure.Coverage{Gap: 3 * time.Hour, Window: exposure.Interval{Start: day.AddDate(0, -1, 0), End: day}},
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, res, report.Meta{Controller: "Region Example", Tool: "forensics"}); err != nil {
		fmt.Println(err)
		return
	}
	html := buf.String()
	fmt.Println(strings.Contains(html, `id="persons-to-notify">3<`))
	fmt.Println(strings.Contains(html, `id="children-to-notify">1<`))
	fmt.Println(strings.Contains(html, "192.0.2.201"))
	fmt.Println(strings.Contains(html, "<script"))
	// Output:
	// true
	// true
	// true
	// false
}
