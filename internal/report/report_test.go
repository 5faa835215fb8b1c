package report

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/forensiclog/forensics/internal/testutil"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestReportDemoNumbers checks that the figures of summary.json are where
// a reader looks for them, in Swedish, with every chart.
func TestReportDemoNumbers(t *testing.T) {
	dir := renderDemo(t, Options{})
	page := readFile(t, filepath.Join(dir, "report.html"))
	md := readFile(t, filepath.Join(dir, "report.md"))
	s := demoSummary(t, dir)
	var kids int64
	for _, l := range notifyLevels {
		kids += s.ChildrenByLevel[l]
	}
	if s.PersonsNotify == 0 || kids == 0 || s.PhonesExposed == 0 {
		t.Fatalf("the demo should expose persons, children and phones: %d %d %d", s.PersonsNotify, kids, s.PhonesExposed)
	}
	want := []string{
		`<html lang="sv">`,
		`id="persons-to-notify">` + itoa(s.PersonsNotify) + `<`,
		`id="children-to-notify">` + itoa(kids) + `<`,
		`id="phones-exposed">` + itoa(s.PhonesExposed) + `<`,
		"personuppgiftsincident", "Utkast till anmälan till IMY", "avsaknad av spår är inte bevis",
		"@page { size: A4",
		"+01:00", // times in Europe/Stockholm with their offset
	}
	for _, l := range levelNames {
		want = append(want, `<tr id="level-`+l+`"><td>`+catalog("sv").level(l)+`</td><td class="n">`+itoa(s.PersonsByLevel[l])+`</td>`)
	}
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("report.html lacks %q", w)
		}
	}
	for _, id := range []string{"chart-levels", "chart-time", "chart-coverage", "chart-actor-categories", "chart-actor-countries", "chart-actor-networks"} {
		re := regexp.MustCompile(`<figure id="` + id + `"><svg [^>]*role="img"`)
		if !re.MatchString(page) {
			t.Errorf("report.html lacks the chart %s as inline SVG", id)
		}
	}
	// The Markdown has the same numbers.
	for _, w := range []string{"**" + itoa(s.PersonsNotify) + "**", "**" + itoa(kids) + "**", "| " + itoa(s.PhonesExposed) + " |", "## 3. Utkast till anmälan till IMY"} {
		if !strings.Contains(md, w) {
			t.Errorf("report.md lacks %q", w)
		}
	}
	// One draft per region with persons to notify.
	for _, r := range []string{"stockholm", "sormland", "varmland"} {
		if !strings.Contains(page, `<section class="region" id="imy-`+r+`">`) {
			t.Errorf("report.html lacks the draft of region %s", r)
		}
	}
	if strings.Contains(page, "{") && regexp.MustCompile(`\{[a-z]+\.[a-z.]+\}`).MatchString(page) {
		t.Errorf("report.html shows a missing message key: %s", regexp.MustCompile(`\{[a-z]+\.[a-z.]+\}`).FindString(page))
	}
}

// TestReportRegionsAddUp checks the per-region table against the whole:
// every person to notify is in some region's count, and each region's
// list has as many rows as the region has persons to notify.
func TestReportRegionsAddUp(t *testing.T) {
	dir := demoOut(t)
	opts := Options{}
	if err := opts.defaults(); err != nil {
		t.Fatal(err)
	}
	lists, err := newListWriter(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer lists.close()
	d, err := gather(dir, opts, lists)
	if err != nil {
		t.Fatal(err)
	}
	if err := lists.write(d); err != nil {
		t.Fatal(err)
	}
	var notify, recs int64
	for _, r := range d.Regions {
		notify += r.Notify
		recs += r.Recordings
		if r.List.Rows != r.Notify {
			t.Errorf("region %q: list has %d rows, %d persons to notify", r.Name, r.List.Rows, r.Notify)
		}
		var byLevel int64
		for _, l := range notifyLevels {
			byLevel += r.PersonsByLevel[l]
		}
		if byLevel != r.Notify {
			t.Errorf("region %q: levels add up to %d, notify %d", r.Name, byLevel, r.Notify)
		}
	}
	if recs != d.S.RecordingsTotal {
		t.Errorf("regions hold %d recordings, the summary %d", recs, d.S.RecordingsTotal)
	}
	// A person with calls in two regions counts in both.
	if notify < d.S.PersonsNotify {
		t.Errorf("regions hold %d persons to notify, fewer than the summary's %d", notify, d.S.PersonsNotify)
	}
	if len(d.Regions) < 3 {
		t.Errorf("the demo has three regions, got %d", len(d.Regions))
	}
}

// TestReportNoPersonalData checks that report.html and report.md hold no
// identity or phone number, and no absolute path of the machine.
func TestReportNoPersonalData(t *testing.T) {
	for _, lang := range []string{"sv", "en"} {
		dir := renderDemo(t, Options{Lang: lang})
		secrets := personalData(t, dir)
		root, err := testutil.RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"report.html", "report.md"} {
			text := readFile(t, filepath.Join(dir, name))
			found := 0
			for _, s := range secrets {
				if strings.Contains(text, s) {
					found++
				}
			}
			if found > 0 {
				// Never print the numbers themselves.
				t.Errorf("%s (%s) shows %d identity or phone numbers", name, lang, found)
			}
			for _, p := range []string{root, os.TempDir(), dir} {
				if strings.Contains(text, p) {
					t.Errorf("%s (%s) names the absolute path %s", name, lang, p)
				}
			}
			if strings.Contains(text, "<script") || regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(text) {
				t.Errorf("%s (%s) loads something: a script or a remote resource", name, lang)
			}
		}
	}
}

// TestReportEnglish renders in English.
func TestReportEnglish(t *testing.T) {
	dir := renderDemo(t, Options{Lang: "en", TZ: time.UTC})
	page := readFile(t, filepath.Join(dir, "report.html"))
	for _, w := range []string{`<html lang="en">`, "Draft notification to IMY", "no evidence is not evidence of no access", "+00:00", "Persons and recordings by level"} {
		if !strings.Contains(page, w) {
			t.Errorf("English report.html lacks %q", w)
		}
	}
	if strings.Contains(page, "Sammanfattning") {
		t.Error("English report.html has Swedish headings")
	}
	letters := readLetters(t, dir, "stockholm")
	if len(letters) == 0 || !strings.Contains(letters[0].text, "What happened?") {
		t.Error("English letters missing or not in English")
	}
}

// listRow is a list's row as the tests compare it: identity and level.
type listRow struct{ ID, Given, Level string }

// expectedLists returns, per region file name, the persons to notify as
// persons.parquet (and exposures.parquet, for older outputs without
// regions for everyone) say, in the lists' order: level, then identity.
func expectedLists(t *testing.T, dir string) map[string][]listRow {
	t.Helper()
	q := `WITH ex AS (SELECT subject_id, list(DISTINCT region ORDER BY region) AS regs FROM read_parquet('` + filepath.Join(dir, "exposures.parquet") + `') WHERE region <> '' GROUP BY subject_id),
p AS (SELECT d.subject_id, d.subject_id_given, d.level, CASE WHEN len(d.regions) > 0 THEN d.regions ELSE coalesce(ex.regs, []) END AS regs FROM data d LEFT JOIN ex USING (subject_id) WHERE d.level <> 'none')
SELECT subject_id, subject_id_given, level, CASE WHEN len(regs) = 0 THEN '' ELSE unnest(regs) END AS region FROM p`
	rows := testutil.DumpParquet(t, filepath.Join(dir, "persons.parquet"), q)
	out := map[string][]listRow{}
	for _, r := range rows {
		name := slug(r["region"].(string))
		out[name] = append(out[name], listRow{r["subject_id"].(string), r["subject_id_given"].(string), r["level"].(string)})
	}
	for name, rs := range out {
		slices.SortFunc(rs, func(a, b listRow) int {
			if c := levelRank(a.Level) - levelRank(b.Level); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		out[name] = rs
	}
	return out
}

// TestReportListsMatchPersons reads each region's CSV with DuckDB and its
// XLSX with excelize, and checks that the rows are the persons to notify
// of that region in persons.parquet, in order; that the CSV has a BOM, is
// ';'-separated, and has no cell a spreadsheet would run as a formula.
func TestReportListsMatchPersons(t *testing.T) {
	dir := renderDemo(t, Options{})
	want := expectedLists(t, dir)
	if len(want) < 3 {
		t.Fatalf("the demo has persons to notify in three regions, got %d", len(want))
	}
	csvs, _ := filepath.Glob(filepath.Join(dir, "notify", "*.csv"))
	if len(csvs) != len(want) {
		t.Errorf("%d CSV lists, want %d (one per region with persons to notify)", len(csvs), len(want))
	}
	levelOf := map[string]string{}
	for _, l := range levelNames {
		levelOf[catalog("sv").level(l)] = l
	}
	for name, rows := range want {
		path := filepath.Join(dir, "notify", name+".csv")
		raw := readFile(t, path)
		if !strings.HasPrefix(raw, "\uFEFF") {
			t.Errorf("%s.csv: no UTF-8 byte order mark", name)
		}
		// DuckDB, an independent reader.
		got := testutil.DumpParquet(t, filepath.Join(dir, "persons.parquet"),
			`SELECT "Personnummer" AS id, coalesce("Personnummer som angivet", '') AS given, "Nivå" AS level FROM read_csv('`+path+`', delim=';', header=true, all_varchar=true)`)
		var gotRows []listRow
		for _, g := range got {
			gotRows = append(gotRows, listRow{strings.ReplaceAll(g["id"].(string), "-", ""), g["given"].(string), levelOf[g["level"].(string)]})
		}
		wantRows := make([]listRow, len(rows))
		for i, r := range rows {
			wantRows[i] = listRow{strings.ReplaceAll(r.ID, "-", ""), r.Given, r.Level}
		}
		if diff := cmp.Diff(wantRows, gotRows); diff != "" {
			// Row contents are identity numbers: say only where they differ.
			t.Errorf("%s.csv: %d rows, want %d; first difference at %s", name, len(gotRows), len(wantRows), firstDiff(wantRows, gotRows))
		}
		// The same rows in the XLSX, read with excelize.
		sameXLSX(t, filepath.Join(dir, "notify", name+".xlsx"), raw, 1)
	}
}

// sameXLSX checks that the XLSX list at path holds the rows of the CSV
// list raw, cell for cell, on the given number of sheets, each beginning
// with the header.
func sameXLSX(t *testing.T, path, raw string, sheets int) {
	t.Helper()
	name := filepath.Base(path)
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF")))
	cr.Comma = ';'
	crows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: the CSV: %v", name, err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.SheetCount; got != sheets {
		t.Errorf("%s: %d sheets, want %d", name, got, sheets)
	}
	var xrows [][]string
	for i, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 || !slices.Equal(rows[0], crows[0]) {
			t.Fatalf("%s: sheet %d (%s) does not begin with the header", name, i+1, sheet)
		}
		if i == 0 {
			xrows = append(xrows, rows[0])
		}
		if len(rows) > xlsxMaxRows {
			t.Errorf("%s: sheet %s has %d rows, more than %d", name, sheet, len(rows), xlsxMaxRows)
		}
		xrows = append(xrows, rows[1:]...)
	}
	if len(xrows) != len(crows) {
		t.Fatalf("%s: xlsx has %d rows, csv %d", name, len(xrows), len(crows))
	}
	for i := range crows {
		for j := range crows[i] {
			c := crows[i][j]
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("%s: csv row %d column %d begins with a formula character", name, i+1, j+1)
			}
			x := ""
			if j < len(xrows[i]) {
				x = xrows[i][j]
			}
			if strings.TrimPrefix(c, "'") != x {
				t.Errorf("%s: row %d column %d differs between csv and xlsx", name, i+1, j+1)
			}
		}
	}
}

// TestReportXLSXSheets makes a sheet hold 50 rows (Excel's limit is
// 1,048,576): a longer list goes on in further sheets, each with the
// header, and all sheets together hold the CSV's rows.
func TestReportXLSXSheets(t *testing.T) {
	defer func(n int) { xlsxMaxRows = n }(xlsxMaxRows)
	xlsxMaxRows = 50
	dir := renderDemo(t, Options{})
	for _, name := range []string{"stockholm", "sormland", "varmland"} {
		raw := readFile(t, filepath.Join(dir, "notify", name+".csv"))
		rows := strings.Count(raw, "\r\n") - 1 // no field of the demo holds a line break
		sameXLSX(t, filepath.Join(dir, "notify", name+".xlsx"), raw, (rows+48)/49)
	}
}

func firstDiff(a, b []listRow) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("row %d (level %s vs %s)", i+1, a[i].Level, b[i].Level)
		}
	}
	return fmt.Sprintf("row %d (one list ends)", min(len(a), len(b))+1)
}

// TestReportSpill sorts the calls in tiny runs spilled to disk: the lists
// and letters must be the same as sorted in memory.
func TestReportSpill(t *testing.T) {
	mem := renderDemo(t, Options{})
	disk := renderDemo(t, Options{spill: 7})
	for _, sub := range []string{"notify", "letters"} {
		err := filepath.WalkDir(filepath.Join(mem, sub), func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || strings.HasSuffix(p, ".xlsx") {
				return err
			}
			rel, _ := filepath.Rel(mem, p)
			if readFile(t, p) != readFile(t, filepath.Join(disk, rel)) {
				t.Errorf("%s differs when the calls are spilled", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(disk, ".report.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestReportDeterministic renders twice: the same bytes.
func TestReportDeterministic(t *testing.T) {
	a := renderDemo(t, Options{})
	b := renderDemo(t, Options{})
	for _, name := range []string{"report.html", "report.md", "notify/stockholm.csv", "letters/stockholm-001.zip"} {
		if readFile(t, filepath.Join(a, name)) != readFile(t, filepath.Join(b, name)) {
			t.Errorf("%s differs between two renderings", name)
		}
	}
}

// TestReportLetters checks the letters: one per list row, mode 0600 in a
// 0700 folder, the plain words of the person's level, and a template of
// one's own.
func TestReportLetters(t *testing.T) {
	dir := renderDemo(t, Options{Controllers: map[string]string{"Stockholm": "Region Exempel"}, Contacts: map[string]string{"Stockholm": "dso@example.org"}})
	raw := readFile(t, filepath.Join(dir, "notify", "stockholm.csv"))
	rows, err := func() ([][]string, error) {
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF")))
		r.Comma = ';'
		return r.ReadAll()
	}()
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "letters", "stockholm-001.zip")
	letters := readLetters(t, dir, "stockholm")
	if len(letters) != len(rows)-1 {
		t.Fatalf("%d letters for %d list rows", len(letters), len(rows)-1)
	}
	if st, err := os.Stat(filepath.Join(dir, "letters")); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("letters/ mode: %v %v", st.Mode(), err)
	}
	if st, err := os.Stat(archive); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("letters/stockholm-001.zip mode: %v %v", st.Mode(), err)
	}
	sv := catalog("sv")
	seen := map[string]bool{}
	for i, row := range rows[1:] {
		// The list's last column names the row's letter, in list order.
		letter := letters[i]
		if letter.path != row[len(row)-1] {
			t.Fatalf("row %s names letter %q, the archive's entry %d is %q", row[0], row[len(row)-1], i+1, letter.path)
		}
		if letter.mode.Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", letter.name, letter.mode.Perm())
		}
		text := letter.text
		level := ""
		for _, l := range notifyLevels {
			if sv.level(l) == row[5] {
				level = l
			}
		}
		// The person's level may come from a call in another region:
		// the letter tells this region's calls.
		if row[12] == "" && !strings.Contains(text, sv.what(level)) {
			t.Errorf("%s (level %s) does not say what was exposed in plain words", letter.name, level)
		}
		if !strings.Contains(text, "Region Exempel") || !strings.Contains(text, "dso@example.org") {
			t.Errorf("%s lacks the controller or contact", letter.name)
		}
		if !strings.Contains(text, row[1]) {
			t.Errorf("%s does not name its person", letter.name)
		}
		seen[level] = true
	}
	for _, l := range notifyLevels {
		if !seen[l] {
			t.Errorf("no letter at level %s in the demo's Stockholm list", l)
		}
	}

	own := renderDemo(t, Options{Letter: "Dear {{.ID}}: {{.What}} ({{len .Calls}} calls)\n"})
	text := readLetters(t, own, "stockholm")[0].text
	if !strings.HasPrefix(text, "Dear ") || !strings.Contains(text, "calls)") {
		t.Errorf("own letter template not used: %.40q", text)
	}
	if err := Render(demoOut(t), Options{Letter: "{{.NoSuchField}}"}); err == nil {
		t.Error("a letter template naming a missing field should fail")
	}
}

// TestReportControllers checks that each region's Art. 33 draft and
// letters name that region's own controller and contact point, and the
// whole's draft the name given for the whole; a region without a name
// given keeps a placeholder naming the region.
func TestReportControllers(t *testing.T) {
	ctrl := map[string]string{"Stockholm": "Region Stockholm (HSN)", "Sormland": "Region Sörmland"}
	contact := map[string]string{"Stockholm": "dso@sll.example", "Sormland": "dso@rs.example"}
	dir := renderDemo(t, Options{Controller: "Inera AB", Contact: "dso@inera.example", Controllers: ctrl, Contacts: contact})
	page := readFile(t, filepath.Join(dir, "report.html"))
	section := func(id string) string {
		t.Helper()
		i := strings.Index(page, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("report.html has no section %s", id)
		}
		j := strings.Index(page[i:], "</section>")
		return page[i : i+j]
	}
	f := func(id, want string, not ...string) {
		t.Helper()
		s := section(id)
		if !strings.Contains(s, want) {
			t.Errorf("%s: the draft does not name %q", id, want)
		}
		for _, n := range not {
			if strings.Contains(s, n) {
				t.Errorf("%s: the draft names %q, another's", id, n)
			}
		}
	}
	f("imy-stockholm", "Region Stockholm (HSN). Kontakt: dso@sll.example.", "Region Sörmland", "Inera AB", "dso@rs.example")
	f("imy-sormland", "Region Sörmland. Kontakt: dso@rs.example.", "Region Stockholm", "Inera AB", "dso@sll.example")
	f("imy-varmland", "[personuppgiftsansvarig: Varmland]", "Region Stockholm", "Region Sörmland", "Inera AB")
	whole := section("imy")
	if !strings.Contains(whole, "Inera AB. Kontakt: dso@inera.example.") {
		t.Error("the whole's draft does not name the controller given for the whole")
	}
	md := readFile(t, filepath.Join(dir, "report.md"))
	for _, w := range []string{"Region Stockholm (HSN). Kontakt: dso@sll.example.", "Region Sörmland. Kontakt: dso@rs.example.", "[personuppgiftsansvarig: Varmland]", "Inera AB"} {
		if !strings.Contains(md, w) {
			t.Errorf("report.md lacks %q", w)
		}
	}
	for region, want := range map[string]string{"sormland": "Region Sörmland", "varmland": "[personuppgiftsansvarig: Varmland]"} {
		for _, l := range readLetters(t, dir, region) {
			if !strings.Contains(l.text, want) || strings.Contains(l.text, "Inera AB") {
				t.Fatalf("%s: the letter does not name %q as its sender", l.name, want)
			}
		}
	}
}

func TestInert(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q, want %q", in, got, want)
		}
	}
	f("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")")
	f("+46701234567", "'+46701234567")
	f("-1", "'-1")
	f("@SUM(A1)", "'@SUM(A1)")
	f("\tx", "'\tx")
	f("19800101-1234", "19800101-1234")
	f("", "")
	f("a=b", "a=b")
}

func TestRelativeNames(t *testing.T) {
	f := func(in, want []string) {
		t.Helper()
		if diff := cmp.Diff(want, RelativeNames(in)); diff != "" {
			t.Errorf("RelativeNames(%q) (-want +got):\n%s", in, diff)
		}
	}
	f([]string{"/home/a/case/logs/x.log", "/home/a/case/logs/y/z.log", "/home/a/case/index.csv"}, []string{"logs/x.log", "logs/y/z.log", "index.csv"})
	f([]string{"logs/x.log", "index.csv"}, []string{"logs/x.log", "index.csv"})
	f([]string{"/srv/x.log"}, []string{"x.log"})
	f([]string{"-", "/srv/a/x.log", "/srv/b/y.log"}, []string{"-", "a/x.log", "b/y.log"})
}

func TestWrittenID(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := WrittenID(in); got != want {
			t.Errorf("WrittenID(%q) = %q, want %q", in, got, want)
		}
	}
	f("198001010000", "19800101-0000")
	f("RES12345", "RES12345")
	f("8001010000", "8001010000")
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Stockholm": "stockholm", "Sörmland": "sormland", "Västra Götaland": "vastra-gotaland", "": "no-region", "!!": "region-2"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNiceMax(t *testing.T) {
	for _, c := range []struct{ v, top, step int64 }{{0, 1, 1}, {1, 1, 1}, {7, 10, 2}, {61, 100, 20}, {130, 200, 40}, {5000, 5000, 1000}} {
		if top, step := niceMax(c.v); top != c.top || step != c.step {
			t.Errorf("niceMax(%d) = %d, %d; want %d, %d", c.v, top, step, c.top, c.step)
		}
	}
}

// letter is one entry of a region's letter archives.
type letter struct {
	path string // letters/<archive>/<entry>, as the list names it
	name string // the entry's name
	text string
	mode fs.FileMode
}

// readLetters reads a region's letter archives (letters/<slug>-NNN.zip)
// with archive/zip, in order.
func readLetters(t *testing.T, dir, slug string) []letter {
	t.Helper()
	parts, _ := filepath.Glob(filepath.Join(dir, "letters", slug+"-*.zip"))
	if len(parts) == 0 {
		t.Fatalf("no letter archive letters/%s-NNN.zip", slug)
	}
	var out []letter
	for i, part := range parts {
		if want := fmt.Sprintf("%s-%03d.zip", slug, i+1); filepath.Base(part) != want {
			t.Fatalf("letter archive %d is %s, want %s", i+1, filepath.Base(part), want)
		}
		z, err := zip.OpenReader(part)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err) // a CRC mismatch shows here
			}
			out = append(out, letter{"letters/" + filepath.Base(part) + "/" + f.Name, f.Name, string(b), f.Mode()})
		}
		z.Close()
	}
	return out
}

// TestReportLetterArchives makes an archive hold 50 letters: a region's
// letters go on in further archives, and the list's last column names
// each row's archive and entry.
func TestReportLetterArchives(t *testing.T) {
	defer func(n int) { lettersPerArchive = n }(lettersPerArchive)
	lettersPerArchive = 50
	dir := renderDemo(t, Options{})
	rows := readCSV(t, filepath.Join(dir, "notify", "stockholm.csv"))[1:]
	letters := readLetters(t, dir, "stockholm")
	if len(letters) != len(rows) {
		t.Fatalf("%d letters for %d rows", len(letters), len(rows))
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "letters", "stockholm-*.zip"))
	if want := (len(rows) + 49) / 50; len(parts) != want {
		t.Errorf("%d archives for %d letters, want %d", len(parts), len(rows), want)
	}
	for i, row := range rows {
		want := fmt.Sprintf("letters/stockholm-%03d.zip/stockholm-%05d.md", i/50+1, i+1)
		if row[len(row)-1] != want || letters[i].path != want {
			t.Fatalf("row %d: list names %q, archive holds %q, want %q", i+1, row[len(row)-1], letters[i].path, want)
		}
		if !strings.Contains(letters[i].text, row[1]) {
			t.Errorf("%s does not name its person", letters[i].path)
		}
	}
}

// readCSV reads a ';'-separated list.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(readFile(t, path), "\uFEFF")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return rows
}
