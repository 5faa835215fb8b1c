package report

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"
)

// notifyRow is one person to notify in one region's list: the person and
// their calls in that region.
type notifyRow struct {
	ID              string // subject_id as in persons.parquet
	IDGiven         string // subject_id_given: as the index wrote it
	Kind            string
	Child           bool
	Level           string
	OnGap           bool
	Roles           []string
	CallsAll        int64
	Calls           []callIn // this region's calls above none
	OtherRegions    []string
	ActorCategories []string
	FirstExposure   time.Time
}

// listWriter gathers the persons to notify per region and level in
// temporary files, each in subject order, and writes the lists and the
// letters from them in the order level, identity.
type listWriter struct {
	dir, tmp string
	opts     Options
	letter   *template.Template
	prog     *letterProgram // letter compiled, nil if it cannot be
	spools   map[*scope]*[4]*spoolFile
}

type spoolFile struct {
	f   *os.File
	bw  *bufio.Writer
	enc *recordWriter
	n   int64
}

func newListWriter(dir string, o Options) (*listWriter, error) {
	tmp, err := os.MkdirTemp(dir, ".report.tmp-*")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	lt, err := letterTemplate(o)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	prog, _ := compileLetter(lt)
	return &listWriter{dir: dir, tmp: tmp, opts: o, letter: lt, prog: prog, spools: map[*scope]*[4]*spoolFile{}}, nil
}

// close removes the temporary files.
func (w *listWriter) close() {
	for _, sp := range w.spools {
		for _, f := range sp {
			if f != nil {
				f.f.Close()
			}
		}
	}
	os.RemoveAll(w.tmp)
}

func (w *listWriter) add(s *scope, p *personIn, calls []callIn, regions []string) error {
	lv := levelRank(p.Level)
	if lv >= len(notifyLevels) {
		return nil
	}
	sp := w.spools[s]
	if sp == nil {
		sp = new([4]*spoolFile)
		w.spools[s] = sp
	}
	if sp[lv] == nil {
		f, err := os.CreateTemp(w.tmp, "list-*.bin")
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		bw := bufio.NewWriterSize(f, 64<<10)
		sp[lv] = &spoolFile{f: f, bw: bw, enc: &recordWriter{w: bw}}
	}
	row := notifyRow{ID: p.SubjectID, IDGiven: p.SubjectIDGiven, Kind: p.SubjectKind, Child: p.Child, Level: p.Level, OnGap: p.OnGap,
		Roles: p.Roles, CallsAll: p.Calls, ActorCategories: p.ActorCategories, FirstExposure: p.FirstExposure}
	for _, c := range calls {
		if c.Level == "none" || (s.Name != "" && c.Region != s.Name) {
			continue
		}
		row.Calls = append(row.Calls, c)
	}
	for _, r := range regions {
		if r != s.Name {
			row.OtherRegions = append(row.OtherRegions, r)
		}
	}
	sp[lv].n++
	if err := sp[lv].enc.putRow(&row); err != nil {
		return fmt.Errorf("report: spooling the list: %w", err)
	}
	return nil
}

// write writes each region's CSV and XLSX list and its letters into
// staging folders, then puts them in place of the old ones.
func (w *listWriter) write(d *data) error {
	notify := filepath.Join(w.tmp, "notify")
	letters := filepath.Join(w.tmp, "letters")
	for _, p := range []string{notify, letters} {
		if err := os.Mkdir(p, 0o700); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	// The regions' lists are independent files: written side by side,
	// as many at a time as there are processors.
	// The largest first, so that it does not start last.
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	order := slices.Clone(d.Regions)
	slices.SortStableFunc(order, func(a, b *scope) int { return cmp.Compare(b.Notify, a.Notify) })
	errs := make([]error, len(order))
	for i, s := range order {
		if s.Notify == 0 {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = w.writeScope(d, s, notify, letters)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, name := range []string{"notify", "letters"} {
		final := filepath.Join(w.dir, name)
		if err := os.RemoveAll(final); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := os.Rename(filepath.Join(w.tmp, name), final); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

func (w *listWriter) writeScope(d *data, s *scope, notifyDir, lettersDir string) (err error) {
	t := catalog(w.opts.Lang)
	start := time.Now()
	s.List = listInfo{CSV: "notify/" + s.Slug + ".csv", XLSX: "notify/" + s.Slug + ".xlsx", Letters: "letters/" + s.Slug + "-NNN.zip"}
	letters := newLetterArchive(lettersDir, s.Slug, w.letter, w.prog)
	defer func() {
		if err != nil {
			letters.abort()
		}
	}()
	cf, err := os.OpenFile(filepath.Join(notifyDir, s.Slug+".csv"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer cf.Close()
	cbw := bufio.NewWriterSize(cf, 1<<20)
	cbw.WriteString("\uFEFF") // UTF-8 BOM: Excel reads the file as UTF-8
	cw := csv.NewWriter(cbw)
	cw.Comma = w.opts.comma()
	cw.UseCRLF = true
	header := t.columns()
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	xw, err := newXLSXList(filepath.Join(notifyDir, s.Slug+".xlsx"), t.get("sheet"), header)
	if err != nil {
		return err
	}
	defer xw.abort()

	sp := w.spools[s]
	n := 0
	csvCells := make([]string, len(header))
	for lv := range notifyLevels {
		if sp == nil || sp[lv] == nil {
			continue
		}
		f := sp[lv]
		if err := f.bw.Flush(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if _, err := f.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		dec := &recordReader{r: bufio.NewReaderSize(f.f, 64<<10)}
		for {
			var row notifyRow
			if err := dec.getRow(&row); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return fmt.Errorf("report: reading the spooled list: %w", err)
			}
			n++
			path, entry := letters.next(n)
			cells := w.cells(t, &row, n, path)
			for i, c := range cells {
				csvCells[i] = inert(c)
			}
			if err := cw.Write(csvCells); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			if err := xw.add(cells); err != nil {
				return err
			}
			if err := letters.add(entry, w.letterFor(t, d, s, &row)); err != nil {
				return err
			}
		}
	}
	s.List.Rows = int64(n)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := cbw.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := cf.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := letters.close(); err != nil {
		return err
	}
	if err := xw.close(); err != nil {
		return err
	}
	w.opts.logf("list and letters written", "region", s.Slug, "rows", n, "sheets", xw.sheets, "archives", letters.part, "elapsed", since(start))
	return nil
}

// inert makes a CSV cell that a spreadsheet would read as a formula (it
// begins with =, +, -, @, a tab or a carriage return) plain text, by
// putting an apostrophe before it, as OWASP advises. Phone numbers in
// E.164 (+46…) so stay text too instead of becoming numbers.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WrittenID writes an identity number for people: a 12-digit
// personnummer or samordningsnummer as YYYYMMDD-NNNN (the form
// Skatteverket prints; a spreadsheet keeps it as text), anything else as
// it stands.
func WrittenID(id string) string {
	if len(id) == 12 && strings.Trim(id, "0123456789") == "" {
		return id[:8] + "-" + id[8:]
	}
	return id
}

// cells is one list row, in the column order of catalog.columns.
func (w *listWriter) cells(t lang, r *notifyRow, n int, letter string) []string {
	tz := w.opts.TZ
	// "start callID: level; ..." and "phone (role: callID, ...); ...",
	// contacts in the order their number and role first appear.
	var calls, contacts strings.Builder
	var stamp []byte
	type contact struct{ phone, role string }
	var order []contact
	var callsOf map[contact][]string
	for i, c := range r.Calls {
		if i > 0 {
			calls.WriteString("; ")
		}
		stamp = appendStamp(stamp[:0], c.Started, tz)
		calls.Write(stamp)
		calls.WriteByte(' ')
		calls.WriteString(c.CallID)
		calls.WriteString(": ")
		calls.WriteString(t.level(c.Level))
		if c.Phone != "" {
			k := contact{c.Phone, c.Role}
			if callsOf == nil {
				callsOf = map[contact][]string{}
			}
			if _, ok := callsOf[k]; !ok {
				order = append(order, k)
			}
			callsOf[k] = append(callsOf[k], c.CallID)
		}
	}
	for i, k := range order {
		if i > 0 {
			contacts.WriteString("; ")
		}
		contacts.WriteString(k.phone)
		contacts.WriteString(" (")
		contacts.WriteString(t.role(k.role))
		contacts.WriteString(": ")
		for j, id := range callsOf[k] {
			if j > 0 {
				contacts.WriteString(", ")
			}
			contacts.WriteString(id)
		}
		contacts.WriteByte(')')
	}
	var cats strings.Builder
	for i, c := range r.ActorCategories {
		if i > 0 {
			cats.WriteString(", ")
		}
		cats.WriteString(t.category(c))
	}
	return []string{
		strconv.Itoa(n),
		WrittenID(r.ID),
		r.IDGiven,
		t.kind(r.Kind),
		t.yesNo(r.Child),
		t.level(r.Level),
		t.yesNo(r.OnGap),
		strconv.Itoa(len(r.Calls)) + "/" + strconv.FormatInt(r.CallsAll, 10),
		calls.String(),
		contacts.String(),
		cats.String(),
		stampIn(r.FirstExposure, tz),
		strings.Join(r.OtherRegions, ", "),
		letter,
	}
}

// letterData is what a letter template gets: one person of one region's
// list. Times are already written in the report's time zone.
type letterData struct {
	Controller, Contact string
	Region              string
	Number              int
	ID                  string // written form
	Child               bool
	Level               string // level name (full, partial, ...)
	What                string // what was exposed, in plain words
	OnGap               bool
	FirstExposure       string
	From, To            string // the exposure window
	Calls               []letterCall
	OtherRegions        []string
}

type letterCall struct {
	Date, CallID, Role, Level, What string
}

// letterFor is the letter of one row of a region's list.
func (w *listWriter) letterFor(t lang, d *data, s *scope, r *notifyRow) letterData {
	tz := w.opts.TZ
	ld := letterData{Controller: d.opts.controllerOf(s), Contact: d.opts.contactOf(s), Region: s.Name, ID: WrittenID(r.ID),
		Child: r.Child, Level: r.Level, What: t.what(r.Level), OnGap: r.OnGap, FirstExposure: stampIn(r.FirstExposure, tz),
		From: dateIn(d.S.Window.Start, tz), To: dateIn(d.S.Window.End, tz), OtherRegions: r.OtherRegions}
	if ld.Controller == "" {
		ld.Controller = "[" + t.get("fill.controller") + "]"
		if s.Name != "" {
			ld.Controller = "[" + t.get("fill.controller") + ": " + s.Name + "]"
		}
	}
	if ld.Contact == "" {
		ld.Contact = "[" + t.get("fill.contact") + "]"
	}
	for _, c := range r.Calls {
		ld.Calls = append(ld.Calls, letterCall{Date: dateIn(c.Started, tz), CallID: c.CallID, Role: t.role(c.Role), Level: c.Level, What: t.what(c.Level)})
	}
	return ld
}

func stampIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(stampLayout)
}

const stampLayout = "2006-01-02 15:04 -07:00"

// appendStamp appends stampIn's text.
func appendStamp(b []byte, t time.Time, loc *time.Location) []byte {
	if t.IsZero() {
		return b
	}
	return t.In(loc).AppendFormat(b, stampLayout)
}

func dateIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02")
}

// letterTemplate returns the letter template: the file given, or the
// shipped one for the language.
func letterTemplate(o Options) (*template.Template, error) {
	src := o.Letter
	name := "letter"
	if src == "" {
		src = letterSV
		if o.Lang == "en" {
			src = letterEN
		}
	}
	t, err := template.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("report: letter template: %w", err)
	}
	return t, nil
}
