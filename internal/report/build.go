package report

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/pkg/exposure"
)

// levelNames are the levels from strongest to none.
var levelNames = []string{"full", "partial", "metadata", "undeterminable", "none"}

// notifyLevels are the levels whose persons are notified.
var notifyLevels = levelNames[:4]

// exposedLevels are the levels the logs show.
var exposedLevels = levelNames[:3]

func levelRank(l string) int {
	if i := slices.Index(levelNames, l); i >= 0 {
		return i
	}
	return len(levelNames)
}

// scope is the whole incident or one region (one controller): its counts.
type scope struct {
	Name     string // region as in the index; "" for the whole
	Slug     string // file name part
	Whole    bool
	NoRegion bool

	PersonsByLevel    map[string]int64
	ChildrenByLevel   map[string]int64
	RecordingsByLevel map[string]int64
	Persons           int64 // all persons (every level)
	Notify, Kids      int64
	OnGap             int64
	Recordings        int64
	Exposed           int64 // recordings at full, partial, metadata
	Phones            int64 // distinct caller numbers of exposed recordings
	Actors            int64 // distinct untrusted actors that reached its recordings
	First, Last       time.Time
	Roles             []countRow // persons to notify by role

	phones map[string]struct{}
	actors map[string]struct{}
	roles  map[string]int64

	// List is the notification list of the scope (regions only).
	List listInfo
}

func newScope(name string) *scope {
	return &scope{Name: name, Slug: slug(name), PersonsByLevel: map[string]int64{}, ChildrenByLevel: map[string]int64{},
		RecordingsByLevel: map[string]int64{}, phones: map[string]struct{}{}, actors: map[string]struct{}{}, roles: map[string]int64{}}
}

func (s *scope) seen(first, last time.Time) {
	if !first.IsZero() && (s.First.IsZero() || first.Before(s.First)) {
		s.First = first
	}
	if last.IsZero() {
		last = first
	}
	if !last.IsZero() && last.After(s.Last) {
		s.Last = last
	}
}

// listInfo names a scope's notification list files and counts its rows.
type listInfo struct {
	CSV, XLSX, Letters string // paths relative to the output directory
	Rows               int64
}

// countRow is a name and a count.
type countRow struct {
	Name    string
	Count   int64
	Persons int64
}

// actorRow is an actor as the report shows it.
type actorRow struct {
	actorIn
	Trusted bool
}

// sourceRow sums one log source's coverage.
type sourceRow struct {
	Source   string
	From, To time.Time
	Spans    int
	Gaps     int
	GapTime  time.Duration
	spans    []span
	gaps     []span
}

type span struct{ Start, End time.Time }

func (s span) Duration() time.Duration { return s.End.Sub(s.Start) }

// data is everything the reports show, gathered from the output directory.
type data struct {
	opts     Options
	S        exposure.Summary
	Whole    *scope
	Regions  []*scope // sorted by name; the scope without a region last, if any
	byRegion map[string]*scope

	Inputs          []InputInfo
	Problems        []string // why the run exited 2, from analyze
	IndexName       string
	IndexSHA256     string
	IndexRecordings int
	Lines, Rejected int64

	ActorCats     []countRow
	Countries     []countRow
	ASNs          []countRow
	Actors        []actorRow
	ActorsMore    int
	Untrusted     int64
	Press         int64
	ActorsNoGeo   int64
	ListingActors int64

	Weekly   bool
	Buckets  []bucket // accesses over time
	Accesses map[string]int64

	Sources   []sourceRow
	Uncovered []span
	Uncov     time.Duration
	Window    time.Duration
	Gap       time.Duration

	UncertainRecordings int64
	RecordingsInGap     int64
	ExposureRows        int64
	UncertainExposures  int64
	ListingRows         int64
	UncertainBy         []countRow

	// Missing notes what older outputs lack (a column or a file).
	Missing []string
}

// bucket is a day or a week of accesses by level.
type bucket struct {
	Start  time.Time
	Counts [3]int64 // full, partial, metadata
}

// maxActorRows bounds the actors listed; all are in actors.parquet.
const maxActorRows = 60

// maxASNRows bounds the networks charted.
const maxASNRows = 10

func (o *Options) trusted(cat string) bool {
	return slices.Contains(o.TrustedCategories, cat)
}

// gather reads the output directory in streaming passes.
func gather(dir string, o Options, lists *listWriter) (*data, error) {
	d := &data{opts: o, byRegion: map[string]*scope{}}
	var err error
	if d.S, err = readSummary(dir); err != nil {
		return nil, err
	}
	if err := d.readManifest(dir); err != nil {
		return nil, err
	}
	d.Whole = newScope("")
	d.Whole.Whole = true
	if err := d.readRecordings(dir); err != nil {
		return nil, err
	}
	calls := newCallSorter(lists.tmp, o.spillRows())
	defer calls.wait() // a run still being written when reading fails
	if err := d.readExposures(dir, calls); err != nil {
		return nil, err
	}
	stream, err := calls.Sorted()
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	if err := d.readPersons(dir, stream, lists); err != nil {
		return nil, err
	}
	if err := d.readActors(dir); err != nil {
		return nil, err
	}
	if err := d.readCoverage(dir); err != nil {
		return nil, err
	}
	d.finish()
	return d, nil
}

func (d *data) region(name string) *scope {
	s := d.byRegion[name]
	if s == nil {
		s = newScope(name)
		s.NoRegion = name == ""
		d.byRegion[name] = s
	}
	return s
}

func (d *data) readManifest(dir string) error {
	o := d.opts
	d.Inputs, d.IndexRecordings = o.Inputs, o.IndexRecordings
	d.IndexName, d.IndexSHA256 = o.IndexName, o.IndexSHA256
	d.Problems = o.Problems
	if d.Inputs != nil {
		return nil
	}
	var m manifestIn
	if err := readJSON(filepath.Join(dir, "manifest.json"), &m); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			d.Missing = append(d.Missing, "manifest.json")
			return nil
		}
		return err
	}
	d.opts.Demo = d.opts.Demo || m.Demo
	if d.Problems == nil {
		d.Problems = m.Problems
	}
	names := make([]string, 0, len(m.Inputs)+1)
	for _, in := range m.Inputs {
		names = append(names, in.Name)
	}
	names = append(names, m.Index.Path)
	rel := RelativeNames(names)
	for i, in := range m.Inputs {
		d.Inputs = append(d.Inputs, InputInfo{Name: rel[i], Format: in.Format, Lines: in.Lines, Rejected: in.Rejected, SHA256: in.SHA256})
	}
	d.IndexName, d.IndexSHA256, d.IndexRecordings = rel[len(rel)-1], m.Index.SHA256, m.Index.Recordings
	return nil
}

// RelativeNames returns the names with their longest common directory
// removed, so that a report names inputs as the analyst gave them
// relative to one another, never by an absolute path of the analyst's
// machine. A single name keeps only its base name.
func RelativeNames(names []string) []string {
	out := make([]string, len(names))
	var common []string
	first := true
	for _, n := range names {
		if n == "" || n == "-" {
			continue
		}
		parts := strings.Split(filepath.ToSlash(filepath.Dir(n)), "/")
		if first {
			common, first = parts, false
			continue
		}
		i := 0
		for i < len(common) && i < len(parts) && common[i] == parts[i] {
			i++
		}
		common = common[:i]
	}
	prefix := strings.Join(common, "/")
	for i, n := range names {
		s := filepath.ToSlash(n)
		switch {
		case n == "" || n == "-":
			out[i] = n
		case prefix == "" || prefix == ".":
			out[i] = strings.TrimPrefix(s, "/")
		default:
			out[i] = strings.TrimPrefix(strings.TrimPrefix(s, prefix), "/")
		}
	}
	return out
}

func (d *data) readRecordings(dir string) error {
	r, err := openRecordings(dir)
	if err != nil {
		return err
	}
	defer r.Close()
	for rec, ok := r.Next(); ok; rec, ok = r.Next() {
		s := d.region(rec.Region)
		s.Recordings++
		s.RecordingsByLevel[rec.Level]++
		if slices.Contains(exposedLevels, rec.Level) {
			s.Exposed++
			if rec.CallerPhone != "" {
				s.phones[rec.CallerPhone] = struct{}{}
			}
		}
		if rec.Uncertain != "" {
			d.UncertainRecordings++
		}
		if rec.InGap {
			d.RecordingsInGap++
		}
	}
	return r.Err()
}

// readExposures counts accesses over time and per region, and hands every
// subject's calls to the sorter. When the rows carry no call start
// (outputs of engines before started_at), the start comes from
// recordings.parquet, read alongside: both files are in index order.
func (d *data) readExposures(dir string, calls *callSorter) error {
	r0, err := openExposures(dir)
	if err != nil {
		return err
	}
	r := readAhead(r0)
	defer r.Close()
	calls.reserve(r.NumRows())
	var recs *rowReader[recordingIn]
	var rec *recordingIn
	startOf := func(e *exposureIn) time.Time {
		if !e.StartedAt.IsZero() {
			return e.StartedAt
		}
		if recs == nil {
			if recs, err = openRows[recordingIn](dir, "recordings.parquet"); err != nil {
				return time.Time{}
			}
		}
		for rec == nil || rec.Path != e.Path {
			next, ok := recs.Next()
			if !ok {
				return time.Time{}
			}
			cp := *next
			rec = &cp
		}
		return rec.StartedAt
	}
	defer func() {
		if recs != nil {
			recs.Close()
		}
	}()

	type accessKey struct{ path, ip, ua string }
	var last accessKey
	daily := map[int64]*bucket{}
	var lastCall struct{ subject, call string }
	flags := map[string]int64{}
	for e, ok := r.Next(); ok; e, ok = r.Next() {
		d.ExposureRows++
		if e.Uncertain != "" {
			d.UncertainExposures++
			for f := range strings.SplitSeq(e.Uncertain, ",") {
				flags[f]++
			}
		}
		if e.ViaListing {
			d.ListingRows++
		}
		trusted := e.ActorCategory != "" && d.opts.trusted(e.ActorCategory)
		lv := levelRank(e.Level)
		if !trusted && lv < 3 && (e.ActorIP != "" || e.ViaListing) {
			k := accessKey{e.Path, e.ActorIP, e.ActorUA}
			s := d.region(e.Region)
			s.seen(e.FirstSeen, e.LastSeen)
			d.Whole.seen(e.FirstSeen, e.LastSeen)
			if e.ActorIP != "" {
				s.actors[e.ActorIP+"\x00"+e.ActorUA] = struct{}{}
			}
			if k != last && !e.FirstSeen.IsZero() {
				last = k
				day := dayStart(e.FirstSeen, d.opts.TZ)
				b := daily[day.Unix()]
				if b == nil {
					b = &bucket{Start: day}
					daily[day.Unix()] = b
				}
				b.Counts[lv]++
			}
		}
		if e.SubjectID == "" || (e.SubjectID == lastCall.subject && e.CallID == lastCall.call && e.Level == "undeterminable") {
			continue
		}
		lastCall.subject, lastCall.call = e.SubjectID, e.CallID
		c := callIn{Subject: e.SubjectID, CallID: e.CallID, Started: startOf(e), Level: e.Level, Role: e.Role, Phone: e.CallerPhone, Region: e.Region}
		if trusted {
			// A trusted actor's access raises no level: the call is
			// still listed when another row exposes it.
			c.Level = "none"
		}
		if err := calls.Add(c); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	if recs != nil {
		if err := recs.Err(); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(flags) {
		d.UncertainBy = append(d.UncertainBy, countRow{Name: k, Count: flags[k]})
	}
	d.bucketize(daily)
	return r.Err()
}

func dayStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// bucketize turns days into the chart's bars: days when the accesses
// span at most 62 days, else weeks starting on Monday.
func (d *data) bucketize(daily map[int64]*bucket) {
	if len(daily) == 0 {
		return
	}
	days := make([]*bucket, 0, len(daily))
	for _, b := range daily {
		days = append(days, b)
	}
	slices.SortFunc(days, func(a, b *bucket) int { return a.Start.Compare(b.Start) })
	first, last := days[0].Start, days[len(days)-1].Start
	d.Weekly = last.Sub(first) > 62*24*time.Hour
	step := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	norm := func(t time.Time) time.Time { return t }
	if d.Weekly {
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
		norm = func(t time.Time) time.Time {
			wd := (int(t.Weekday()) + 6) % 7 // Monday 0
			return t.AddDate(0, 0, -wd)
		}
	}
	i := 0
	for t := norm(first); !t.After(last); t = step(t) {
		b := bucket{Start: t}
		end := step(t)
		for i < len(days) && days[i].Start.Before(end) {
			for l := range b.Counts {
				b.Counts[l] += days[i].Counts[l]
			}
			i++
		}
		d.Buckets = append(d.Buckets, b)
	}
	d.Accesses = map[string]int64{}
	for _, b := range d.Buckets {
		for l, n := range b.Counts {
			d.Accesses[levelNames[l]] += n
		}
	}
}

// readPersons reads persons.parquet (in subject order) alongside the
// sorted calls, counts persons per region and hands each person to
// notify to the lists.
func (d *data) readPersons(dir string, calls callStream, lists *listWriter) error {
	r0, err := openPersons(dir)
	if err != nil {
		return err
	}
	r := readAhead(r0)
	defer r.Close()
	var prev string
	var mine []callIn
	for p, ok := r.Next(); ok; p, ok = r.Next() {
		if prev != "" && p.SubjectID <= prev {
			return fmt.Errorf("report: persons.parquet is not sorted by subject_id (row after %d persons)", d.Whole.Persons)
		}
		prev = p.SubjectID
		d.Whole.Persons++
		mine = mine[:0]
		for c, ok := calls.Peek(); ok && c.Subject <= p.SubjectID; c, ok = calls.Peek() {
			if c.Subject == p.SubjectID {
				mine = append(mine, *c)
			}
			calls.Next()
		}
		mine = mergeCalls(mine)
		regions := p.Regions
		if len(regions) == 0 {
			regions = callRegions(mine)
		}
		notify := slices.Contains(notifyLevels, p.Level)
		scopes := []*scope{}
		if len(regions) == 0 {
			scopes = append(scopes, d.region(""))
		}
		for _, reg := range regions {
			scopes = append(scopes, d.region(reg))
		}
		for _, s := range scopes {
			s.Persons++
			s.PersonsByLevel[p.Level]++
			if p.Child {
				s.ChildrenByLevel[p.Level]++
			}
			if notify {
				s.Notify++
				if p.Child {
					s.Kids++
				}
				if p.OnGap {
					s.OnGap++
				}
				for _, role := range p.Roles {
					s.roles[role]++
				}
			}
		}
		if notify {
			for _, role := range p.Roles {
				d.Whole.roles[role]++
			}
			for _, s := range scopes {
				if err := lists.add(s, p, mine, regions); err != nil {
					return err
				}
			}
		}
	}
	if err := calls.Err(); err != nil {
		return err
	}
	return r.Err()
}

// mergeCalls folds the rows of one call (one per actor) into one, at its
// highest level; the calls are sorted by start.
func mergeCalls(calls []callIn) []callIn {
	out := calls[:0]
	for _, c := range calls {
		if n := len(out); n > 0 && out[n-1].CallID == c.CallID && out[n-1].Role == c.Role {
			if levelRank(c.Level) < levelRank(out[n-1].Level) {
				out[n-1].Level = c.Level
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

func callRegions(calls []callIn) []string {
	var regs []string
	for _, c := range calls {
		if c.Region != "" && !slices.Contains(regs, c.Region) {
			regs = append(regs, c.Region)
		}
	}
	slices.Sort(regs)
	return regs
}

func (d *data) readActors(dir string) error {
	r, err := openRows[actorIn](dir, "actors.parquet")
	if err != nil {
		return err
	}
	defer r.Close()
	cats, countries, asns, reach := map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	for a, ok := r.Next(); ok; a, ok = r.Next() {
		row := actorRow{actorIn: *a, Trusted: d.opts.trusted(a.Category)}
		cats[a.Category]++
		reach[a.Category] += a.Persons
		country := a.Country
		if country == "" {
			country = "?"
			d.ActorsNoGeo++
		}
		countries[country]++
		asn := "?"
		if a.ASN != 0 {
			asn = "AS" + strconv.FormatInt(a.ASN, 10)
			if a.ASOrg != "" {
				asn += " " + a.ASOrg
			}
		}
		asns[asn]++
		if !row.Trusted {
			d.Untrusted++
		}
		if a.Category == exposure.CategoryPress {
			d.Press++
		}
		if a.ListingViews > 0 {
			d.ListingActors++
		}
		d.Actors = append(d.Actors, row)
		// Keep the most important rows only: the list is bounded.
		if len(d.Actors) > 4*maxActorRows {
			d.sortActors()
			d.ActorsMore += len(d.Actors) - maxActorRows
			d.Actors = d.Actors[:maxActorRows]
		}
	}
	d.sortActors()
	if len(d.Actors) > maxActorRows {
		d.ActorsMore += len(d.Actors) - maxActorRows
		d.Actors = d.Actors[:maxActorRows]
	}
	for _, k := range sortedKeys(cats) {
		d.ActorCats = append(d.ActorCats, countRow{Name: k, Count: cats[k], Persons: reach[k]})
	}
	d.Countries = byCount(countries, 0)
	d.ASNs = byCount(asns, maxASNRows)
	return r.Err()
}

// sortActors puts untrusted actors reaching the most persons first.
func (d *data) sortActors() {
	slices.SortStableFunc(d.Actors, func(a, b actorRow) int {
		if a.Trusted != b.Trusted {
			if a.Trusted {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(b.Persons, a.Persons); c != 0 {
			return c
		}
		if c := cmp.Compare(b.RecordingsFull+b.RecordingsPartial+b.RecordingsMeta, a.RecordingsFull+a.RecordingsPartial+a.RecordingsMeta); c != 0 {
			return c
		}
		return cmp.Compare(a.ActorIP, b.ActorIP)
	})
}

// byCount sorts counts largest first (then by name), keeping at most max
// rows (0: all) and folding the rest into "…".
func byCount(m map[string]int64, max int) []countRow {
	rows := make([]countRow, 0, len(m))
	for k, v := range m {
		rows = append(rows, countRow{Name: k, Count: v})
	}
	slices.SortFunc(rows, func(a, b countRow) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	if max > 0 && len(rows) > max {
		var rest int64
		for _, r := range rows[max-1:] {
			rest += r.Count
		}
		rows = append(rows[:max-1], countRow{Name: "…", Count: rest})
	}
	return rows
}

func (d *data) readCoverage(dir string) error {
	r, err := openRows[coverageIn](dir, "coverage.parquet")
	if err != nil {
		return err
	}
	defer r.Close()
	idx := map[string]int{}
	for c, ok := r.Next(); ok; c, ok = r.Next() {
		sp := span{c.Start, c.End}
		if c.Kind == "uncovered" {
			d.Uncovered = append(d.Uncovered, sp)
			d.Uncov += sp.Duration()
			continue
		}
		i, ok := idx[c.Source]
		if !ok {
			i = len(d.Sources)
			idx[c.Source] = i
			d.Sources = append(d.Sources, sourceRow{Source: c.Source})
		}
		s := &d.Sources[i]
		switch c.Kind {
		case "span":
			s.Spans++
			s.spans = append(s.spans, sp)
			if s.From.IsZero() || sp.Start.Before(s.From) {
				s.From = sp.Start
			}
			if sp.End.After(s.To) {
				s.To = sp.End
			}
		case "gap":
			s.Gaps++
			s.GapTime += sp.Duration()
			s.gaps = append(s.gaps, sp)
		}
	}
	names := make([]string, len(d.Sources))
	for i, s := range d.Sources {
		names[i] = s.Source
	}
	for i, n := range RelativeNames(names) {
		d.Sources[i].Source = n
	}
	return r.Err()
}

// finish completes the scopes: the whole takes the analysis's own
// figures from summary.json, so that the report shows the same numbers.
func (d *data) finish() {
	s, w := d.S, d.Whole
	w.PersonsByLevel, w.ChildrenByLevel, w.RecordingsByLevel = s.PersonsByLevel, s.ChildrenByLevel, s.RecordingsByLevel
	w.Persons, w.Recordings, w.Phones, w.Actors = s.PersonsTotal, s.RecordingsTotal, s.PhonesExposed, d.Untrusted
	w.Notify, w.OnGap = s.PersonsNotify, s.PersonsOnGap
	w.Kids, w.Exposed = 0, 0
	for _, l := range notifyLevels {
		w.Kids += s.ChildrenByLevel[l]
	}
	for _, l := range exposedLevels {
		w.Exposed += s.RecordingsByLevel[l]
	}
	if !s.FirstExposure.IsZero() {
		w.First, w.Last = s.FirstExposure, s.LastExposure
	}
	w.Roles = rolesOf(w.roles)
	for _, name := range sortedKeys(d.byRegion) {
		sc := d.byRegion[name]
		sc.Phones, sc.Actors = int64(len(sc.phones)), int64(len(sc.actors))
		sc.Roles = rolesOf(sc.roles)
		sc.phones, sc.actors = nil, nil
		if name == "" {
			continue
		}
		d.Regions = append(d.Regions, sc)
		d.opts.regions++
	}
	if sc := d.byRegion[""]; sc != nil && (sc.Notify > 0 || sc.Recordings > 0) {
		d.Regions = append(d.Regions, sc)
	}
	d.Window = s.Window.Duration()
	if g, err := time.ParseDuration(s.Gap); err == nil {
		d.Gap = g
	}
	for _, in := range d.Inputs {
		d.Lines += in.Lines
		d.Rejected += in.Rejected
	}
}

func rolesOf(m map[string]int64) []countRow {
	var rows []countRow
	for _, k := range sortedKeys(m) {
		rows = append(rows, countRow{Name: k, Count: m[k]})
	}
	return rows
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// slug makes a file name part of a region's name: lower case letters and
// digits (å, ä, ö kept as a, a, o), other characters as "-".
func slug(name string) string {
	if name == "" {
		return "no-region"
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch r {
		case 'å', 'ä':
			r = 'a'
		case 'ö':
			r = 'o'
		case 'é':
			r = 'e'
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" || s == "no-region" {
		s = "region-" + strconv.Itoa(len(name))
	}
	return s
}
