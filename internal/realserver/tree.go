package realserver

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/luhn"
)

// A Subject is a person named in a recording's index row.
type Subject struct {
	Role   string // "caller", "patient"
	Number string // a fictitious personnummer, YYYYMMDD-NNNC
}

// A Recording is one call recording in a Tree and its index row.
type Recording struct {
	// Name is the recording's part in the scenario ("full", "ranges",
	// "big", ...); it never holds personal data.
	Name string
	// Path is the URL path, unescaped ("/recordings/Sörmland/2019/02/x.wav"),
	// as the index's path column holds it.
	Path        string
	File        string // the file on disk
	CallID      string
	StartedAt   time.Time
	Duration    int // seconds
	Size        int64
	Region      string
	CallerPhone string // E.164
	Subjects    []Subject
	// Late marks the recording whose call ends while the scenario runs:
	// its file is written only by Tree.MaterializeLate.
	Late bool

	data []byte
}

// Dir returns the URL path of the recording's folder, with a trailing slash.
func (r *Recording) Dir() string { return r.Path[:strings.LastIndexByte(r.Path, '/')+1] }

// End returns when the call ended: StartedAt plus Duration.
func (r *Recording) End() time.Time {
	return r.StartedAt.Add(time.Duration(r.Duration) * time.Second)
}

// A Tree is a generated recordings tree under Root/recordings and its index.
type Tree struct {
	Root       string // document root
	Recordings []*Recording
	byName     map[string]*Recording
	byPath     map[string]*Recording
}

// Rec returns the recording with the given scenario name; it panics when
// there is none (a bug in the scenario).
func (t *Tree) Rec(name string) *Recording {
	r, ok := t.byName[name]
	if !ok {
		panic("realserver: no recording named " + name)
	}
	return r
}

// ByPath returns the recording whose URL path (unescaped) is p.
func (t *Tree) ByPath(p string) (*Recording, bool) {
	r, ok := t.byPath[p]
	return r, ok
}

// BigSize is the size of the recording the scenario aborts: larger than
// any socket buffer between the server and a client with a small receive
// buffer.
const BigSize = 8 << 20

const wavRate = 8000

// BuildTree writes a recordings tree under root (which must exist): three
// regions, old folders from 2018 and 2019, a folder for the current month
// relative to now (UTC), WAV and MP3 files with generated phone numbers in
// their names. The late recording's file is not written yet; call
// MaterializeLate.
func BuildTree(root string, now time.Time) (*Tree, error) {
	now = now.UTC()
	t := &Tree{Root: root, byName: map[string]*Recording{}, byPath: map[string]*Recording{}}
	cur := now.Add(-3 * time.Hour)
	curDir := fmt.Sprintf("%04d/%02d", cur.Year(), int(cur.Month()))
	day := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, time.UTC)
	}
	// Persons: callers born 1970-1992, children 2012-2018. Some call
	// more than once so that a person's highest level is a maximum.
	p := func(y int, m time.Month, d, serial int) string {
		return Personnummer(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), serial)
	}
	anna, bo, cia, dan := p(1978, 3, 14, 1), p(1985, 11, 2, 2), p(1990, 7, 30, 3), p(1972, 1, 9, 4)
	eva, fred, gun := p(1988, 5, 21, 5), p(1981, 9, 12, 6), p(1992, 2, 28, 7)
	hugo, ida, jan := p(1975, 8, 3, 12), p(1983, 10, 19, 13), p(1969, 12, 31, 14)
	kid1, kid2, kid3 := p(2015, 6, 1, 8), p(2017, 12, 24, 9), p(2013, 4, 17, 10)
	coord := Samordningsnummer(time.Date(1986, 10, 5, 0, 0, 0, 0, time.UTC), 11)
	type spec struct {
		name, region, folder, ext string
		started                   time.Time
		size                      int
		subjects                  []Subject
		late                      bool
	}
	specs := []spec{
		{"full", "Stockholm", "2019/02", "mp3", day(2019, 2, 3, 21, 4), 200 * 144, []Subject{{"caller", anna}, {"patient", kid1}}, false},
		{"ranges", "Stockholm", "2019/02", "wav", day(2019, 2, 4, 1, 40), 40_000, []Subject{{"caller", bo}}, false},
		{"listed", "Stockholm", "2019/02", "wav", day(2019, 2, 5, 23, 15), 30_000, []Subject{{"caller", cia}, {"patient", kid2}}, false},
		{"untouched", "Stockholm", "2018/12", "wav", day(2018, 12, 24, 22, 0), 20_000, []Subject{{"caller", hugo}}, false},
		{"holes", "Sörmland", "2019/02", "wav", day(2019, 2, 6, 2, 30), 50_000, []Subject{{"caller", dan}, {"patient", kid3}}, false},
		{"encoded", "Sörmland", "2019/02", "mp3", day(2019, 2, 7, 3, 5), 150 * 144, []Subject{{"caller", eva}}, false},
		{"probed", "Sörmland", "2019/03", "wav", day(2019, 3, 1, 0, 50), 24_000, []Subject{{"caller", ida}}, false},
		{"multi", "Sörmland", "2019/03", "mp3", day(2019, 3, 4, 2, 20), 80 * 144, []Subject{{"caller", jan}}, false},
		{"big", "Värmland", "2019/02", "wav", day(2019, 2, 8, 4, 0), BigSize, []Subject{{"caller", gun}, {"patient", kid1}}, false},
		{"head", "Värmland", "2019/03", "mp3", day(2019, 3, 2, 19, 45), 100 * 144, []Subject{{"caller", coord}}, false},
		{"dotseg", "Värmland", "2019/03", "wav", day(2019, 3, 3, 20, 10), 36_000, []Subject{{"caller", bo}, {"patient", kid2}}, false},
		{"recent", "Stockholm", curDir, "mp3", cur.Truncate(time.Minute), 120 * 144, []Subject{{"caller", fred}}, false},
		{"late", "Stockholm", curDir, "wav", time.Time{}, 16_000, []Subject{{"caller", eva}, {"patient", kid3}}, true},
	}
	for i, s := range specs {
		r := &Recording{
			Name:        s.name,
			Region:      s.region,
			CallerPhone: FictionalPhone(i),
			Subjects:    s.subjects,
			Late:        s.late,
		}
		switch s.ext {
		case "wav":
			r.data = WAV(wavRate, 300+40*i, s.size)
			r.Duration = WAVDuration(wavRate, len(r.data))
		case "mp3":
			frames := s.size / len(mp3Frame)
			r.data = MP3(frames)
			r.Duration = int(float64(frames)*MP3FrameDuration) + 1
		}
		r.Size = int64(len(r.data))
		r.StartedAt = s.started
		r.CallID = fmt.Sprintf("c%04d%02d%02d%02d", 2000+i, 1+i%12, 1+i%28, i)
		name := r.CallID + "_" + strings.TrimPrefix(r.CallerPhone, "+") + "." + s.ext
		r.Path = "/recordings/" + s.region + "/" + s.folder + "/" + name
		r.File = filepath.Join(root, filepath.FromSlash(r.Path))
		if err := os.MkdirAll(filepath.Dir(r.File), 0o755); err != nil {
			return nil, err
		}
		if !r.Late {
			if err := writeRecording(r); err != nil {
				return nil, err
			}
		}
		t.Recordings = append(t.Recordings, r)
		t.byName[r.Name] = r
		t.byPath[r.Path] = r
	}
	return t, nil
}

// writeRecording writes r's file, dated at the end of the call.
func writeRecording(r *Recording) error {
	if err := os.WriteFile(r.File, r.data, 0o644); err != nil {
		return err
	}
	mt := r.End()
	if mt.After(time.Now()) {
		mt = time.Now()
	}
	return os.Chtimes(r.File, mt, mt)
}

// SetLateEnd dates the late recording so that its call ends at end.
func (t *Tree) SetLateEnd(end time.Time) {
	r := t.Rec("late")
	r.StartedAt = end.UTC().Add(-time.Duration(r.Duration) * time.Second)
}

// MaterializeLate writes the late recording's file; call it once its call
// has ended.
func (t *Tree) MaterializeLate() error { return writeRecording(t.Rec("late")) }

// Samordningsnummer returns a fictitious, Luhn-valid coordination number
// (day of birth + 60) in the form YYYYMMDD-NNNC, with a test birth number
// as Personnummer.
func Samordningsnummer(birth time.Time, serial int) string {
	nnn := 980 + (serial%20+20)%20
	d := birth.Day() + 60
	body := fmt.Sprintf("%02d%02d%02d%03d", birth.Year()%100, int(birth.Month()), d, nnn)
	return fmt.Sprintf("%04d%02d%02d-%03d%c", birth.Year(), int(birth.Month()), d, nnn, luhn.Digit(body))
}

// IndexHeader is the recording index's header row.
var IndexHeader = []string{"path", "call_id", "started_at", "duration_s", "size_bytes", "region", "caller_phone", "subjects"}

// WriteIndex writes the recording index CSV to path: one row per
// recording, started_at in RFC 3339 (UTC), subjects as role:number pairs
// joined by ";".
func (t *Tree) WriteIndex(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(IndexHeader)
	for _, r := range t.Recordings {
		var subj []string
		for _, s := range r.Subjects {
			subj = append(subj, s.Role+":"+s.Number)
		}
		w.Write([]string{r.Path, r.CallID, r.StartedAt.UTC().Format(time.RFC3339),
			strconv.Itoa(r.Duration), strconv.FormatInt(r.Size, 10), r.Region, r.CallerPhone,
			strings.Join(subj, ";")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
