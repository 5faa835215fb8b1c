package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/pkg/exposure"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func renderString(t *testing.T, res *exposure.Result, meta Meta) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, res, meta); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.String()
}

// TestRenderDemoGolden compares the demo's report with
// testdata/demo.golden.html; run with -update to rewrite it after a
// deliberate change, and look at the diff.
func TestRenderDemoGolden(t *testing.T) {
	res, meta := demoResult(t)
	got := renderString(t, res, meta)
	golden := filepath.Join("testdata", "demo.golden.html")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestRenderDemoGolden -update)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("report differs from %s (-want +got):\n%s", golden, diff)
	}
}

// TestRenderDemoNumbers checks that the summary's figures are where a
// reader looks for them, independent of the golden file.
func TestRenderDemoNumbers(t *testing.T) {
	res, meta := demoResult(t)
	html := renderString(t, res, meta)
	s := res.Summary
	var notify, kids int64
	for _, l := range []string{"full", "partial", "metadata", "undeterminable"} {
		notify += s.PersonsByLevel[l]
		kids += s.ChildrenByLevel[l]
	}
	if notify != s.PersonsNotify {
		t.Fatalf("levels add up to %d persons to notify, summary says %d", notify, s.PersonsNotify)
	}
	if notify == 0 || kids == 0 || s.PhonesExposed == 0 || s.Actors == 0 {
		t.Fatalf("the demo should expose persons, children, phones and actors: %d %d %d %d", notify, kids, s.PhonesExposed, s.Actors)
	}
	want := []string{
		`id="persons-to-notify">` + itoa(notify) + `<`,
		`id="children-to-notify">` + itoa(kids) + `<`,
		`id="phones-exposed">` + itoa(s.PhonesExposed) + `<`,
		`id="actors-total">` + itoa(s.Actors) + `<`,
		`id="gap-threshold">` + humanDuration(res.Coverage.Gap) + `<`,
		"of " + itoa(s.PersonsTotal) + " in the index",
		"no evidence is not evidence of no access",
		"Art. 33", "Art. 34", "personuppgiftsincident", "personnummer", "barn",
		"Hej <span class=\"fill\">[namn]</span>", "Dear <span class=\"fill\">[name]</span>",
		s.GapReason,
		when(s.Window.Start), when(s.Window.End), when(s.LogsFrom), when(s.LogsTo),
	}
	for _, l := range []string{"full", "partial", "metadata", "undeterminable", "none"} {
		want = append(want, `<tr id="level-`+l+`">`+
			`<td><span class="lv"><span class="dot `+l+`"></span>`+l+`</span>`)
		row := levelRowHTML(t, html, l)
		for _, n := range []int64{s.PersonsByLevel[l], s.ChildrenByLevel[l], s.RecordingsByLevel[l]} {
			if !strings.Contains(row, `<td class="n">`+itoa(n)+`</td>`) {
				t.Errorf("level %s row lacks %d: %s", l, n, row)
			}
		}
	}
	for cat, n := range s.ActorsByCategory {
		want = append(want, `<tr><td>`+cat+`</td><td class="n">`+itoa(n)+`</td>`)
		if cat == "authorized" {
			want[len(want)-1] = `<tr><td>` + cat + ` <span class="tag trusted">trusted</span></td><td class="n">` + itoa(n) + `</td>`
		}
	}
	for _, a := range res.Actors {
		want = append(want, `<td class="mono">`+a.ActorIP+`</td>`)
	}
	for _, in := range meta.Inputs {
		want = append(want, in.Name, in.SHA256)
	}
	for _, u := range res.Coverage.Uncovered {
		want = append(want, "<td>"+when(u.Start)+"</td><td>"+when(u.End)+"</td>")
	}
	for _, w := range want {
		if !strings.Contains(html, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	for _, sec := range []string{"summary", "imy", "actors", "coverage", "method", "notice"} {
		if !strings.Contains(html, `<section id="`+sec+`">`) {
			t.Errorf("report lacks section %s", sec)
		}
	}
}

func levelRowHTML(t *testing.T, html, level string) string {
	t.Helper()
	i := strings.Index(html, `<tr id="level-`+level+`">`)
	if i < 0 {
		t.Fatalf("no row for level %s", level)
	}
	j := strings.Index(html[i:], "</tr>")
	return html[i : i+j]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRenderDemoNoPersonalData checks that no identity number, phone
// number or recording path of the demo's index appears in the report, in
// any of the usual spellings; and that the check finds one planted.
func TestRenderDemoNoPersonalData(t *testing.T) {
	res, meta := demoResult(t)
	check := indexPersonalData(t)
	if found := check(renderString(t, res, meta)); len(found) > 0 {
		t.Errorf("the report contains personal data of the index: %v", found)
	}
	// The check itself: plant one number of each kind, respelt.
	for _, plant := range []string{"+46 70-174 06 65", "0701740665", "19741123-7055", "741123-7055", "197411237055", "STO100001_0701740665.mp3"} {
		m := meta
		m.Controller = "Region X " + plant
		if found := check(renderString(t, res, m)); len(found) == 0 {
			t.Errorf("the check misses a planted number (%d characters)", len(plant))
		}
	}
}

// indexPersonalData returns a function that lists the kinds (never the
// values) of the demo index's personal data found in an HTML page.
func indexPersonalData(t *testing.T) func(html string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(demo.root, "fixtures", "demo", "index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	forbidden := map[string]string{} // spelling -> kind, for the message
	digitsOnly := map[string]string{}
	nonDigit := regexp.MustCompile(`[^0-9]`)
	for _, r := range rows[1:] {
		path := r[col["path"]]
		forbidden[path] = "recording path"
		forbidden[filepath.Base(path)] = "recording file name"
		phone := r[col["caller_phone"]]
		if phone != "" {
			forbidden[phone] = "phone number"
			d := nonDigit.ReplaceAllString(phone, "")
			switch {
			case strings.HasPrefix(d, "0046"):
				d = d[4:]
			case strings.HasPrefix(d, "46") && len(d) > 10:
				d = d[2:]
			}
			d = strings.TrimPrefix(d, "0")
			digitsOnly[d] = "phone number" // national significant number
		}
		for sub := range strings.SplitSeq(r[col["subjects"]], ";") {
			_, id, _ := strings.Cut(sub, ":")
			if id == "" {
				continue
			}
			forbidden[id] = "identity number"
			d := nonDigit.ReplaceAllString(id, "")
			if len(d) >= 10 {
				digitsOnly[d] = "identity number"
				digitsOnly[d[len(d)-10:]] = "identity number" // YYMMDDNNNC
			}
		}
	}
	if len(digitsOnly) < 100 {
		t.Fatalf("only %d numbers taken from the index: is the column layout still path,...,caller_phone,subjects?", len(digitsOnly))
	}
	// Any run of digits with separators, reduced to its digits.
	runRE := regexp.MustCompile(`\+?[0-9][0-9 \-]{5,}[0-9]`)
	return func(html string) []string {
		var found []string
		for s, kind := range forbidden {
			if strings.Contains(html, s) {
				found = append(found, kind+" at byte "+strconv.Itoa(strings.Index(html, s)))
			}
		}
		for _, loc := range runRE.FindAllStringIndex(html, -1) {
			d := nonDigit.ReplaceAllString(html[loc[0]:loc[1]], "")
			for num, kind := range digitsOnly {
				if strings.Contains(d, num) {
					found = append(found, kind+" (respelt) at byte "+strconv.Itoa(loc[0]))
				}
			}
		}
		return found
	}
}

func TestRenderDeterministic(t *testing.T) {
	res, meta := demoResult(t)
	a := renderString(t, res, meta)
	b := renderString(t, res, meta)
	if a != b {
		t.Fatal("two renderings of the same result differ")
	}
}

// TestRenderSelfContained checks the page loads nothing and runs nothing.
func TestRenderSelfContained(t *testing.T) {
	res, meta := demoResult(t)
	html := strings.ToLower(renderString(t, res, meta))
	for _, bad := range []string{"<script", "javascript:", " src=", "<link", "url(", "@import", "<iframe", "<img", "http://", "https://", " on"} {
		if bad == " on" {
			if regexp.MustCompile(` on[a-z]+=`).MatchString(html) {
				t.Errorf("report has an event handler attribute")
			}
			continue
		}
		if strings.Contains(html, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	if !strings.HasPrefix(html, "<!doctype html>") || !strings.Contains(html, `<meta charset="utf-8">`) {
		t.Error("report lacks the doctype or the charset")
	}
}

// TestRenderMeta checks that Meta fills the draft, escaped, and that its
// absence leaves placeholders.
func TestRenderMeta(t *testing.T) {
	res := &exposure.Result{}
	empty := renderString(t, res, Meta{})
	for _, w := range []string{"[controller's name, organisation number]", "[data protection officer's name, e-mail, phone]", "No actor fetched", "None: some log covers"} {
		if !strings.Contains(empty, w) {
			t.Errorf("empty report lacks %q", w)
		}
	}
	full := renderString(t, res, Meta{Controller: "Region <Test> & Co", Contact: "dpo@example.org", Title: "T<1>"})
	for _, w := range []string{"Region &lt;Test&gt; &amp; Co", "dpo@example.org", "<title>T&lt;1&gt;</title>"} {
		if !strings.Contains(full, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	if strings.Contains(full, "[controller's name") || strings.Contains(full, "<Test>") {
		t.Error("controller placeholder left, or Meta not escaped")
	}
	none := renderString(t, res, Meta{TrustedCategories: []string{}})
	if !strings.Contains(none, "No category was trusted") || strings.Contains(empty, "No category was trusted") {
		t.Error("an empty, non-nil TrustedCategories should say no category was trusted, and only then")
	}
	if err := Render(&bytes.Buffer{}, nil, Meta{}); err == nil {
		t.Error("Render(nil) succeeded")
	}
}

func TestWrite(t *testing.T) {
	res, meta := demoResult(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "report.html")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, res, meta); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	got, _ := os.ReadFile(p)
	if string(got) != renderString(t, res, meta) {
		t.Error("file differs from Render's output")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d entries in the directory, want 1 (temporary file left?)", len(ents))
	}
	if err := Write(filepath.Join(dir, "missing", "report.html"), res, meta); err == nil {
		t.Error("Write into a missing directory succeeded")
	}
}

func TestHumanDuration(t *testing.T) {
	f := func(d time.Duration, want string) {
		t.Helper()
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
	f(0, "0 min")
	f(30*time.Second, "under 1 min")
	f(90*time.Minute, "1 h 30 min")
	f(3*time.Hour, "3 h")
	f(49*time.Hour+5*time.Minute, "2 d 1 h")
	f(1067*24*time.Hour, "1067 d")
}

func TestWhenPct(t *testing.T) {
	if got := when(time.Time{}); got != "unknown" {
		t.Errorf("when(zero) = %q", got)
	}
	cet := time.FixedZone("CET", 3600)
	if got := when(time.Date(2019, 2, 18, 13, 3, 59, 0, cet)); got != "2019-02-18 12:03 UTC" {
		t.Errorf("when = %q", got)
	}
	if got := pct(int64(1), int64(3)); got != "33 %" {
		t.Errorf("pct = %q", got)
	}
	if got := pct(time.Hour, time.Duration(0)); got != "–" {
		t.Errorf("pct of zero = %q", got)
	}
}

// TestRenderManyActors checks the actors table is bounded, most persons
// first, trusted last.
func TestRenderManyActors(t *testing.T) {
	res := &exposure.Result{}
	for i := range maxActorRows + 5 {
		res.Actors = append(res.Actors, exposure.ActorRow{ActorIP: "198.51.100." + strconv.Itoa(i%250), Category: "unknown", Persons: int64(i)})
	}
	res.Actors = append(res.Actors, exposure.ActorRow{ActorIP: "192.0.2.10", Category: "authorized", Persons: 1000})
	v := build(res, Meta{})
	if len(v.Actors) != maxActorRows || v.ActorsMore != 6 {
		t.Fatalf("%d actors listed, %d more; want %d, 6", len(v.Actors), v.ActorsMore, maxActorRows)
	}
	if v.Actors[0].Persons != maxActorRows+4 || v.Actors[len(v.Actors)-1].Persons != 5 {
		t.Errorf("actors not ordered by persons: first %d, last %d", v.Actors[0].Persons, v.Actors[len(v.Actors)-1].Persons)
	}
	if !strings.Contains(renderString(t, res, Meta{}), "and 6 more actors") {
		t.Error("report does not say how many actors it leaves out")
	}
}

func BenchmarkRenderDemo(b *testing.B) {
	res, meta := demoResult(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, res, meta); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
