// Package report renders an analysis result as one self-contained HTML page
// for people: the data protection officer (dataskyddsombud) and the
// response lead.
//
// # Contents
//
// The page has six sections: a one-screen summary; a draft of the GDPR
// Art. 33(3) notification to IMY (anmälan av personuppgiftsincident);
// who fetched what (the actors); log coverage; evidence and method; and an
// Art. 34 notice template to a person, in Swedish and English.
//
// # Personal data
//
// The report is an aggregate document. It is built from the Summary, the
// actors, the coverage and counts over the other rows; it never shows a
// subject's identity number, a phone number or a recording's path (file
// names hold callers' phone numbers). Actors' IP addresses are shown: they
// are not the patients' data.
//
// # Determinism
//
// The same result and Meta give the same bytes: no run time, map keys
// sorted, times in UTC. The page has inline CSS, no JavaScript and no
// external resources.
//
// # Use
//
//	err := report.Write(filepath.Join(out, "report.html"), res, report.Meta{
//		Title: "Exposure of recorded calls", Tool: "forensics", Version: version,
//	})
//
// Render and Write may be called from several goroutines at once; they do
// not modify the result.
package report

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/atomicfile"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// Meta is what the report needs besides the result: who it is for and how
// the result was made. It holds no run time, so that the report is
// byte-identical across runs on the same inputs.
type Meta struct {
	// Title heads the page; empty means a default title.
	Title string
	// Controller (personuppgiftsansvarig) and Contact (the contact point,
	// usually the DPO) go into the notification draft; empty values are
	// left as placeholders for the controller to fill in.
	Controller, Contact string
	// Inputs are the log inputs, in the order read.
	Inputs []InputInfo
	// IndexRecordings is the number of recordings in the index.
	IndexRecordings int
	// TrustedCategories are the actor categories whose access was not
	// counted as an exposure (exposure.Options.TrustedCategories); nil
	// means the engine's default, authorized and internal.
	TrustedCategories []string
	// Tool and Version name the program that made the result.
	Tool, Version string
}

// InputInfo is one log input's line accounting.
type InputInfo struct {
	Name     string // file name as given
	Format   string // log format detected or given
	Lines    int64  // lines read
	Rejected int64  // lines that could not be parsed
	SHA256   string // hex digest of the input's bytes as stored
}

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"when":  when,
	"stamp": stamp,
	"scrub": ScrubNumbers,
	"dur":   humanDuration,
	"pct":   pct,
	"join":  strings.Join,
	"add64": func(a, b int64) int64 { return a + b },
	"has":   func(list []string, s string) bool { return slices.Contains(list, s) },
}).Parse(pageSource))

// Render writes the report for res to w.
func Render(w io.Writer, res *exposure.Result, meta Meta) error {
	if res == nil {
		return fmt.Errorf("report: nil result")
	}
	v := build(res, meta)
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Write renders the report for res into the file at path, atomically
// (a temporary file in the same directory, then a rename) and with mode
// 0600: the report is for the controller's eyes.
func Write(path string, res *exposure.Result, meta Meta) error {
	var buf bytes.Buffer
	if err := Render(&buf, res, meta); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

// levelInfo describes a level for readers, in English and Swedish.
type levelInfo struct {
	Name, Sv, Meaning string
	Notify            bool
}

var levels = []levelInfo{
	{"full", "fullständig", "Every audio byte of a recording was delivered to an actor: the call could be listened to in full.", true},
	{"partial", "delvis", "Some audio bytes were delivered: part of the call could be listened to.", true},
	{"metadata", "metadata", "The file name was seen (directory listing, HEAD, 304), so the caller's phone number and the call's date and region, but no audio.", true},
	{"undeterminable", "kan inte avgöras", "The recording was available while no log was watching. No evidence is not evidence of no access.", true},
	{"none", "ingen", "The logs cover the whole time the recording was available and show no access.", false},
}

// levelRow is one row of the summary's level table.
type levelRow struct {
	levelInfo
	Persons, Children, Recordings int64
}

// countRow is a name and a count.
type countRow struct {
	Name    string
	Sv      string
	Count   int64
	Persons int64 // persons reached, where it applies
}

// sourceRow sums one log source's coverage.
type sourceRow struct {
	Source   string
	From, To time.Time
	Spans    int
	Gaps     int
	GapTime  time.Duration
}

// gapRow is one gap of a source, or an uncovered part of the window.
type gapRow struct {
	Source     string
	Start, End time.Time
	Duration   time.Duration
}

// actorRow is an actor as the report shows it: no raw user agent (a
// header may carry anything).
type actorRow struct {
	exposure.ActorRow
	Trusted bool
}

// view is what the template renders.
type view struct {
	Meta    Meta
	Title   string
	S       exposure.Summary
	Levels  []levelRow
	Notify  int64 // persons at a level above none
	Kids    int64 // children among them
	Exposed int64 // recordings at full, partial or metadata
	// RecordingsUndet is the recordings whose verdict is undeterminable.
	RecordingsUndet int64
	Kinds           []countRow // subjects by identity kind
	Roles           []countRow // persons to notify by role
	ActorCats       []countRow
	Countries       []countRow
	Actors          []actorRow
	ActorsMore      int // actors not listed
	Trusted         []string
	UntrustedActors int64
	Press           int64 // actors in category press

	Sources   []sourceRow
	Gaps      []gapRow
	GapsMore  int
	Uncovered []gapRow
	Window    time.Duration
	Gap       time.Duration
	Uncov     time.Duration

	Inputs                []InputInfo
	Lines, Rejected       int64
	UncertainRecordings   int64
	UncertainExposures    int64
	ExposureRows          int
	UncertainBy           []countRow // exposure rows by flag
	RecordingsInGap       int64
	ExposuresViaListing   int64
	RecordingsPriorCopy   int64
	PersonsAlsoInGap      int64
	PersonsOnGap          int64
	ActorsWithoutGeo      int64
	UncertainFlagMeanings map[string]string
	LevelNames            []string
}

// maxGapRows bounds the per-source gaps listed; all are counted.
const maxGapRows = 40

// maxActorRows bounds the actors listed, those who reached the most
// persons first; all are in actors.parquet.
const maxActorRows = 200

var kindSv = map[string]string{
	"personnummer":      "personnummer (Swedish personal identity number)",
	"samordningsnummer": "samordningsnummer (co-ordination number)",
	"reserve":           "reservnummer (temporary number given by a care provider)",
	"invalid":           "not a valid identity number (kept as given; a person all the same)",
}

var uncertainMeaning = map[string]string{
	"wire_bytes":         "only bytes on the wire were logged; the audio bytes were estimated by subtracting the response headers",
	"range_unknown":      "a partial response (206) whose byte range was not logged: bytes counted, position unknown",
	"aborted":            "the server logged the connection as aborted: what the client kept may be less than what was sent",
	"bytes_not_logged":   "the log format has no byte count: a successful response is taken as delivering the whole file",
	"size_unknown":       "the index gives no file size, so a full delivery cannot be checked",
	"multipart":          "a multi-range request: the logged count includes part headers",
	"completion_unknown": "the delivery reaches the end of the file, but the log has no completion field (%X, $request_completion): some servers (Apache %b) log the full length also when the client went away; or the request came over HTTP/2 or HTTP/3, where a stream the client cancelled is logged as complete",
}

func build(res *exposure.Result, meta Meta) *view {
	s := res.Summary
	v := &view{Meta: meta, Title: meta.Title, S: s, Inputs: meta.Inputs, UncertainFlagMeanings: uncertainMeaning}
	if v.Title == "" {
		v.Title = "Exposure of recorded calls: personal data breach report"
	}
	for _, l := range levels {
		r := levelRow{levelInfo: l, Persons: s.PersonsByLevel[l.Name], Children: s.ChildrenByLevel[l.Name], Recordings: s.RecordingsByLevel[l.Name]}
		if l.Notify {
			v.Notify += r.Persons
			v.Kids += r.Children
		}
		switch l.Name {
		case "full", "partial", "metadata":
			v.Exposed += r.Recordings
		case "undeterminable":
			v.RecordingsUndet = r.Recordings
		}
		v.Levels = append(v.Levels, r)
		v.LevelNames = append(v.LevelNames, l.Name)
	}
	for _, k := range sortedKeys(s.SubjectsByKind) {
		v.Kinds = append(v.Kinds, countRow{Name: k, Sv: kindSv[k], Count: s.SubjectsByKind[k]})
	}
	roles := map[string]int64{}
	for _, p := range res.Persons {
		if p.Level == "none" {
			continue
		}
		for _, r := range p.Roles {
			roles[r]++
		}
	}
	for _, k := range sortedKeys(roles) {
		v.Roles = append(v.Roles, countRow{Name: k, Count: roles[k]})
	}
	reached := map[string]int64{}
	for _, p := range res.Persons {
		for _, c := range p.ActorCategories {
			reached[c]++
		}
	}
	for _, k := range sortedKeys(s.ActorsByCategory) {
		v.ActorCats = append(v.ActorCats, countRow{Name: k, Count: s.ActorsByCategory[k], Persons: reached[k]})
	}
	for _, k := range sortedKeys(s.ActorsByCountry) {
		v.Countries = append(v.Countries, countRow{Name: k, Count: s.ActorsByCountry[k]})
	}

	v.Trusted = meta.TrustedCategories
	if v.Trusted == nil {
		v.Trusted = []string{exposure.CategoryAuthorized, exposure.CategoryInternal}
	}
	for _, a := range res.Actors {
		r := actorRow{ActorRow: a, Trusted: slices.Contains(v.Trusted, a.Category)}
		if !r.Trusted {
			v.UntrustedActors++
		}
		if a.Category == exposure.CategoryPress {
			v.Press++
		}
		if a.Country == "" {
			v.ActorsWithoutGeo++
		}
		v.Actors = append(v.Actors, r)
	}
	// Most persons first, the controller's own systems last: what a
	// reader must act on comes first.
	slices.SortStableFunc(v.Actors, func(a, b actorRow) int {
		if a.Trusted != b.Trusted {
			if a.Trusted {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.Persons, a.Persons)
	})
	if len(v.Actors) > maxActorRows {
		v.ActorsMore = len(v.Actors) - maxActorRows
		v.Actors = v.Actors[:maxActorRows]
	}

	cov := res.Coverage
	v.Window = cov.Window.Duration()
	v.Gap = cov.Gap
	for _, src := range cov.Sources {
		sr := sourceRow{Source: src.Source, Spans: len(src.Spans), Gaps: len(src.Gaps)}
		if n := len(src.Spans); n > 0 {
			sr.From, sr.To = src.Spans[0].Start, src.Spans[n-1].End
		}
		for _, g := range src.Gaps {
			sr.GapTime += g.Duration()
			if len(v.Gaps) < maxGapRows {
				v.Gaps = append(v.Gaps, gapRow{src.Source, g.Start, g.End, g.Duration()})
			} else {
				v.GapsMore++
			}
		}
		v.Sources = append(v.Sources, sr)
	}
	for _, u := range cov.Uncovered {
		v.Uncovered = append(v.Uncovered, gapRow{"", u.Start, u.End, u.Duration()})
		v.Uncov += u.Duration()
	}

	for _, in := range meta.Inputs {
		v.Lines += in.Lines
		v.Rejected += in.Rejected
	}
	for _, r := range res.Recordings {
		if r.Uncertain != "" {
			v.UncertainRecordings++
		}
		if r.InGap {
			v.RecordingsInGap++
		}
	}
	v.ExposureRows = len(res.Exposures)
	flags := map[string]int64{}
	for _, e := range res.Exposures {
		if e.Uncertain != "" {
			v.UncertainExposures++
			for f := range strings.SplitSeq(e.Uncertain, ",") {
				flags[f]++
			}
		}
		if e.ViaListing {
			v.ExposuresViaListing++
		}
	}
	for _, k := range sortedKeys(flags) {
		v.UncertainBy = append(v.UncertainBy, countRow{Name: k, Sv: uncertainMeaning[k], Count: flags[k]})
	}
	v.PersonsOnGap, v.PersonsAlsoInGap = s.PersonsOnGap, s.PersonsAlsoInGap
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// when formats a time for the report: UTC, to the minute; "unknown" for
// the zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// stamp formats a time for a table whose header says UTC.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04")
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
		return "under 1 min"
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
