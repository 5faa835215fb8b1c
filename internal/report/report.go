// Package report renders the outputs of an analysis for people, from the
// output directory alone: the Parquet files, summary.json and
// manifest.json. No log is read, and no table is held in memory whole.
//
// # Outputs
//
// Render writes into the directory:
//
//   - report.html: the authority report, one self-contained page (inline
//     CSS and SVG charts, no script, no network) that prints on A4. A
//     summary; a table per controller (region); the draft of the GDPR
//     Art. 33 notification to IMY for the whole and for each region;
//     who fetched what; accesses over time; log coverage; evidence and
//     method. Swedish by default, English with Options.Lang "en".
//   - report.md: the same content as Markdown (charts as tables), to paste
//     into a case file.
//   - notify/<region>.csv and notify/<region>.xlsx: the notification list
//     of each region (and notify/no-region.* for persons without one):
//     one row per person to notify, sorted by level (full first), then
//     identity number. The CSV is UTF-8 with a byte order mark and
//     ';'-separated by default (what Excel expects in a Swedish locale),
//     cells that a spreadsheet would take for a formula made inert.
//   - letters/<region>-001.zip, -002.zip, ...: one Art. 34 letter per row
//     of the list, the Markdown file <region>-NNNNN.md (NNNNN is the row
//     number; the list's last column names archive and file), from a
//     shipped Swedish or English template or Options.Letter. A hundred
//     thousand letters to an archive, not a file per person: millions of
//     letters are written in one stream per region, rendered in parallel.
//   - The lists of a region longer than an XLSX sheet (1,048,576 rows) go
//     on in further sheets, each with the header.
//
// # Personal data
//
// report.html and report.md hold counts only: no identity number, no phone
// number, no recording path. The lists and letters hold them: they are
// written with mode 0600 in folders with mode 0700.
//
// # Memory
//
// The files are read in streaming passes. A person's calls come from
// exposures.parquet, ordered by recording; they are sorted by subject in
// runs spilled to temporary files (in a hidden folder of the output
// directory, removed at the end), then merged with persons.parquet, which
// is ordered by subject. Memory grows with the number of regions, actors
// and exposed phone numbers, not with the number of persons.
//
// # Use
//
//	err := report.Render(outDir, report.Options{Lang: "sv", Controller: "Region Exempel"})
package report

import (
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/forensiclog/forensics/internal/atomicfile"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// Options say how to render. The zero value renders in Swedish, times in
// Europe/Stockholm, reading the inputs from manifest.json.
type Options struct {
	// Lang is "sv" (default) or "en".
	Lang string
	// TZ is the zone times are shown in, with their offset; nil means
	// Europe/Stockholm (UTC where the zone database is missing).
	TZ *time.Location
	// Title heads the report; empty means a default title.
	Title string
	// Controller (personuppgiftsansvarig) and Contact (the contact point,
	// usually the DPO) go into the drafts and letters; empty values are
	// left as placeholders.
	Controller, Contact string
	// Controllers and Contacts name a region's own controller and
	// contact point, by the region's name as in the index: each region
	// that was a controller of its own files its own notification, and
	// its draft and letters name it. A region missing here is named by
	// Controller (Contact) when it is the only region, else by a
	// placeholder naming the region; Controller and Contact are those of
	// the whole and of persons without a region.
	Controllers, Contacts map[string]string
	// TrustedCategories are the actor categories whose access was not an
	// exposure; nil means authorized and internal (the engine's default).
	TrustedCategories []string
	// Inputs, IndexName, IndexSHA256 and IndexRecordings describe what
	// was analysed; when Inputs is nil they are read from manifest.json,
	// with names made relative to the inputs' common folder.
	Inputs          []InputInfo
	IndexName       string
	IndexSHA256     string
	IndexRecordings int
	// Letter is the text of a text/template for the Art. 34 letters;
	// empty means the shipped template of Lang.
	Letter string
	// Comma separates the CSV lists' fields; 0 means ';'.
	Comma rune
	// Tool and Version name the program.
	Tool, Version string
	// Demo marks the bundled demo (its title).
	Demo bool
	// Problems say why the analysis cannot be trusted as it is (it
	// exited 2: an input mostly rejected, no request matching the index);
	// shown before everything else. nil means those of manifest.json.
	Problems []string

	// Log, when set, is told of the phases (reading the outputs, writing
	// each region's lists and letters) with their figures and times.
	Log *slog.Logger

	// regions is the number of regions with persons in the index (set
	// by gather).
	regions int
	// spill is the number of calls sorted in memory before a run is
	// spilled to disk (tests make it small).
	spill int
}

// InputInfo is one log input's line accounting.
type InputInfo struct {
	Name     string // name relative to what was given
	Format   string // log format detected or given
	Lines    int64  // lines read
	Rejected int64  // lines that could not be parsed
	SHA256   string // hex digest of the input's bytes as stored
}

// controllerOf is the controller named in a scope's draft and letters;
// "" leaves a placeholder.
func (o *Options) controllerOf(s *scope) string {
	return o.ofScope(s, o.Controllers, o.Controller)
}

// contactOf is the contact point of a scope, as controllerOf.
func (o *Options) contactOf(s *scope) string {
	return o.ofScope(s, o.Contacts, o.Contact)
}

func (o *Options) ofScope(s *scope, byRegion map[string]string, whole string) string {
	if s.Whole || s.NoRegion {
		return whole
	}
	if v, ok := byRegion[s.Name]; ok {
		return v
	}
	if o.regions == 1 {
		return whole
	}
	return ""
}

func (o *Options) spillRows() int {
	if o.spill > 0 {
		return o.spill
	}
	return 1 << 20
}

func (o *Options) comma() rune {
	if o.Comma == 0 {
		return ';'
	}
	return o.Comma
}

func (o *Options) defaults() error {
	switch o.Lang {
	case "":
		o.Lang = "sv"
	case "sv", "en":
	default:
		return fmt.Errorf("report: language %q: want sv or en", o.Lang)
	}
	if o.TZ == nil {
		loc, err := time.LoadLocation("Europe/Stockholm")
		if err != nil {
			loc = time.UTC
		}
		o.TZ = loc
	}
	if o.TrustedCategories == nil {
		o.TrustedCategories = []string{exposure.CategoryAuthorized, exposure.CategoryInternal}
	}
	if o.Tool == "" {
		o.Tool = "forensics"
	}
	if c := o.comma(); c == '"' || c == '\r' || c == '\n' || c == '\uFFFD' {
		return fmt.Errorf("report: %q cannot separate CSV fields", c)
	}
	return nil
}

//go:embed report.html.tmpl
var htmlSource string

//go:embed report.md.tmpl
var mdSource string

//go:embed letter_sv.md.tmpl
var letterSV string

//go:embed letter_en.md.tmpl
var letterEN string

// Render reads the outputs in dir and writes report.html, report.md, the
// notification lists (notify/) and the letters (letters/) into it. The
// lists and letters replace earlier ones as a whole.
func Render(dir string, opts Options) error {
	if err := opts.defaults(); err != nil {
		return err
	}
	lists, err := newListWriter(dir, opts)
	if err != nil {
		return err
	}
	defer lists.close()
	start := time.Now()
	opts.logf("report phase", "name", "reading")
	d, err := gather(dir, opts, lists)
	if err != nil {
		return err
	}
	opts.logf("report phase done", "name", "reading", "persons_to_notify", d.Whole.Notify, "elapsed", since(start))
	start = time.Now()
	opts.logf("report phase", "name", "writing")
	if err := lists.write(d); err != nil {
		return err
	}
	v := newView(d)
	var page bytes.Buffer
	if err := htmlPage(v.L, opts.TZ).Execute(&page, v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var md bytes.Buffer
	if err := mdPage(v.L, opts.TZ).Execute(&md, v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "report.html"), page.Bytes()); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "report.md"), md.Bytes()); err != nil {
		return err
	}
	opts.logf("report phase done", "name", "writing", "elapsed", since(start))
	return nil
}

// logf logs to Options.Log, if any.
func (o *Options) logf(msg string, args ...any) {
	if o.Log != nil {
		o.Log.Info(msg, args...)
	}
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }

// view is what the templates render.
type view struct {
	*data
	L      lang
	Lang   string
	Title  string
	Tool   string
	TZName string
	Notify int64 // rows of all lists

	Controller, Contact, Comma string

	LevelsChart    htmltemplate.HTML
	TimeChart      htmltemplate.HTML
	CoverageChart  htmltemplate.HTML
	CatsChart      htmltemplate.HTML
	CountriesChart htmltemplate.HTML
	ASNChart       htmltemplate.HTML
	Defs           htmltemplate.HTML
	Levels         []string
	NotifyLevels   []string
	Trusted        string
	CatSummary     string
}

func newView(d *data) *view {
	t := catalog(d.opts.Lang)
	v := &view{data: d, L: t, Lang: t.code, Title: d.opts.Title, Tool: d.opts.Tool, Levels: levelNames, NotifyLevels: notifyLevels}
	if d.opts.Version != "" {
		v.Tool += " " + d.opts.Version
	}
	if v.Title == "" {
		v.Title = t.get("title")
		if d.opts.Demo {
			v.Title = t.get("title.demo")
		}
	}
	v.TZName = d.opts.TZ.String()
	v.Controller, v.Contact, v.Comma = d.opts.Controller, d.opts.Contact, string(d.opts.comma())
	v.Defs = svgDefs
	v.LevelsChart = levelsChart(t, d.Whole)
	if len(d.Buckets) > 0 {
		v.TimeChart = timeChart(t, d)
	}
	v.CoverageChart = coverageChart(t, d)
	trusted := d.opts.trusted
	var cats []countRow
	var parts []string
	for _, c := range d.ActorCats {
		cats = append(cats, countRow{Name: t.category(c.Name), Count: c.Count})
		parts = append(parts, fmt.Sprintf("%s %d", t.category(c.Name), c.Count))
	}
	v.CatSummary = strings.Join(parts, ", ")
	catFill := categoryFill(func(name string) bool {
		for _, c := range d.ActorCats {
			if t.category(c.Name) == name {
				return trusted(c.Name)
			}
		}
		return false
	})
	if len(cats) > 0 {
		v.CatsChart = barsChart(t.get("chart.cats"), 470, cats, t.get("chart.actors"), func(n string) string {
			if n == t.category("press") {
				return "#b3261e"
			}
			return catFill(n)
		})
		v.CountriesChart = barsChart(t.get("chart.countries"), 470, d.Countries, t.get("chart.actors"), func(string) string { return "url(#p-hatch)" })
		v.ASNChart = barsChart(t.get("chart.asns"), 720, d.ASNs, t.get("chart.actors"), func(string) string { return "url(#p-dots)" })
	}
	var tr []string
	for _, c := range d.opts.TrustedCategories {
		tr = append(tr, t.category(c))
	}
	v.Trusted = strings.Join(tr, ", ")
	for _, r := range d.Regions {
		v.Notify += r.List.Rows
	}
	return v
}

func funcs(t lang, loc *time.Location, markup func(string) any) map[string]any {
	return map[string]any{
		"T": func(key string, args ...any) any {
			// Values keep their brackets and stars: only the message's
			// own markup is markup.
			for i, a := range args {
				if s, ok := a.(string); ok {
					args[i] = shield.Replace(s)
				}
			}
			return markup(t.f(key, args...))
		},
		"t": func(key string) string { return t.get(key) },
		"lv": func(name string) string {
			return t.level(name)
		},
		"lvx":  func(name string) string { return t.get("levelx." + name) },
		"flag": func(name string) string { return t.get("flag." + name) },
		"cat":  t.category,
		"when": func(tm time.Time) string { return whenIn(tm.In(loc), t) },
		"date": func(tm time.Time) string { return dateIn(tm, loc) },
		"args": func(v *view, s *scope) draftArgs { return draftArgs{v, s} },
		"dur":  humanDuration,
		"pct":  pct,
		"idx": func(m map[string]int64, k string) int64 {
			return m[k]
		},
		"sumLevels": func(m map[string]int64, levels []string) int64 {
			var n int64
			for _, l := range levels {
				n += m[l]
			}
			return n
		},
		"regionName": func(s *scope) string {
			switch {
			case s.Whole:
				return t.get("whole")
			case s.NoRegion:
				return t.get("noregion")
			}
			return s.Name
		},
		"roles": func(rows []countRow) string {
			var parts []string
			for _, r := range rows {
				parts = append(parts, t.role(r.Name)+" "+strconv.FormatInt(r.Count, 10))
			}
			return strings.Join(parts, ", ")
		},
		"has": func(list []string, s string) bool { return slices.Contains(list, s) },
		"inc": func(i int) int { return i + 1 },

		"pipe":  func(s string) string { return strings.ReplaceAll(s, "|", `\|`) },
		"scrub": ScrubNumbers,
	}
}

func htmlPage(t lang, loc *time.Location) *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("report").Funcs(funcs(t, loc, func(s string) any { return htmlText(s) })).Parse(htmlSource))
}

func mdPage(t lang, loc *time.Location) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("report").Funcs(funcs(t, loc, func(s string) any { return mdText(s) })).Parse(mdSource))
}

// shield hides markup characters in values from htmlText and mdText,
// which put them back.
var shield = strings.NewReplacer("[", "\x01", "]", "\x02", "*", "\x03", "`", "\x04")

// CtrlOf is the controller and contact point of a scope's draft: the
// names given (Options.Controllers, Controller), or placeholders naming
// the region.
func (v *view) CtrlOf(s *scope) string {
	name, contact := v.opts.controllerOf(s), v.opts.contactOf(s)
	if name == "" {
		name = v.L.get("fill.controller")
		if !s.Whole && !s.NoRegion {
			name += ": " + s.Name
		}
		name = "[" + name + "]"
	}
	if contact == "" {
		contact = "[" + v.L.get("fill.contact") + "]"
	}
	return v.L.f("imy.ctrlv", name, contact)
}

// draftArgs is the dot of the draft template: the report and one scope.
type draftArgs struct {
	V *view
	S *scope
}

// whenIn formats a time in the report's zone with its offset.
func whenIn(tm time.Time, t lang) string {
	if tm.IsZero() {
		return t.get("unknown")
	}
	return tm.Format("2006-01-02 15:04 -07:00")
}

// humanDuration formats a duration in days, hours and minutes.
func humanDuration(d time.Duration) string {
	if d <= 0 {
		return "0 min"
	}
	mins := int64(d / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.FormatInt(days, 10)+" d")
	}
	if hours > 0 {
		parts = append(parts, strconv.FormatInt(hours, 10)+" h")
	}
	if m > 0 && days == 0 {
		parts = append(parts, strconv.FormatInt(m, 10)+" min")
	}
	if len(parts) == 0 {
		return "< 1 min"
	}
	return strings.Join(parts, " ")
}

// pct formats part/whole as a whole percentage.
func pct(part, whole any) string {
	p, w := toFloat(part), toFloat(whole)
	if w <= 0 {
		return "–"
	}
	return strconv.FormatFloat(100*p/w, 'f', 0, 64) + " %"
}

func toFloat(x any) float64 {
	switch x := x.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case time.Duration:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// ScrubNumbers replaces every run of 6 or more digits in s, counted across
// single separators ' ', '-' and '+' as people write numbers ("070-174 06
// 65", "19741123-7055"), by "#": the report promises no identity or phone
// number, and fields a client or a resolver controls (a host name logged
// for the client address, a user agent) can hold one. IP addresses are
// left as they are: their digit runs are at most 4 long ('.' and ':'
// separate them), and so are IPv4 addresses written with dashes in host
// names (crawl-66-249-66-1.googlebot.com).
func ScrubNumbers(s string) string {
	var b strings.Builder
	i := 0
	for i < len(s) {
		if s[i] < '0' || s[i] > '9' {
			b.WriteByte(s[i])
			i++
			continue
		}
		// A run of digits with single separators between them.
		j, digits, end := i, 0, i
		for j < len(s) {
			if s[j] >= '0' && s[j] <= '9' {
				digits++
				j++
				end = j
				continue
			}
			if (s[j] == ' ' || s[j] == '-' || s[j] == '+') && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
				j++
				continue
			}
			break
		}
		if digits >= 6 && !dashedIPv4(s[i:end]) {
			b.WriteByte('#')
		} else {
			b.WriteString(s[i:end])
		}
		i = end
	}
	return b.String()
}

// dashedIPv4 reports whether s is four numbers 0-255 joined by '-'.
func dashedIPv4(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || len(p) > 3 || n > 255 {
			return false
		}
	}
	return true
}
