package realserver_test

import (
	"encoding/binary"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rs "github.com/forensiclog/forensics/internal/realserver"

	"github.com/forensiclog/forensics/internal/luhn"
)

var pnrRE = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})-(\d{3})(\d)$`)

func TestPersonnummer(t *testing.T) {
	start := time.Date(1920, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2000; i++ {
		birth := start.AddDate(0, 0, i*17)
		for _, gen := range []struct {
			f     func(time.Time, int) string
			coord bool
		}{{rs.Personnummer, false}, {rs.Samordningsnummer, true}} {
			p := gen.f(birth, i)
			m := pnrRE.FindStringSubmatch(p)
			if m == nil {
				t.Fatalf("case %d: not in the form YYYYMMDD-NNNC", i)
			}
			ten := m[1][2:] + m[2] + m[3] + m[4] + m[5]
			if !luhn.Valid(ten) {
				t.Fatalf("case %d: check digit fails the Luhn test", i)
			}
			if n, _ := strconv.Atoi(m[4]); n < 980 || n > 999 {
				t.Fatalf("case %d: birth number outside the test series 980-999", i)
			}
			day, _ := strconv.Atoi(m[3])
			if y, _ := strconv.Atoi(m[1]); y != birth.Year() {
				t.Fatalf("case %d: wrong year", i)
			}
			wantDay := birth.Day()
			if gen.coord {
				wantDay += 60 // samordningsnummer
			}
			if day != wantDay {
				t.Fatalf("case %d: day %d, want %d", i, day, wantDay)
			}
		}
	}
}

func TestFictionalPhone(t *testing.T) {
	seen := map[string]bool{}
	for i := -3; i < 200; i++ {
		p := rs.FictionalPhone(i)
		n, err := strconv.Atoi(strings.TrimPrefix(p, "+4670174"))
		if !strings.HasPrefix(p, "+4670174") || err != nil || n < 605 || n > 699 || len(p) != 12 {
			t.Fatalf("FictionalPhone(%d) is outside 070-1740605..699", i)
		}
		seen[p] = true
	}
	if len(seen) != 95 {
		t.Errorf("%d distinct numbers, want the whole series of 95", len(seen))
	}
}

func TestWAV(t *testing.T) {
	b := rs.WAV(8000, 440, 16_001)
	if len(b) < 16_001 || (len(b)-44)%2 != 0 {
		t.Fatalf("len %d", len(b))
	}
	le := binary.LittleEndian
	got := []any{string(b[0:4]), le.Uint32(b[4:]), string(b[8:16]), le.Uint16(b[20:]), le.Uint16(b[22:]),
		le.Uint32(b[24:]), le.Uint32(b[28:]), le.Uint16(b[34:]), string(b[36:40]), le.Uint32(b[40:])}
	want := []any{"RIFF", uint32(len(b) - 8), "WAVEfmt ", uint16(1), uint16(1),
		uint32(8000), uint32(16000), uint16(16), "data", uint32(len(b) - 44)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	// A sine: not silent, and symmetric around zero.
	var peak int16
	for i := 44; i < len(b); i += 2 {
		peak = max(peak, int16(le.Uint16(b[i:])))
	}
	if peak < 7000 {
		t.Errorf("peak %d: not the sine's amplitude", peak)
	}
	if d := rs.WAVDuration(8000, len(b)); d != 1 {
		t.Errorf("duration %d s, want 1", d)
	}
}

func TestMP3(t *testing.T) {
	b := rs.MP3(10)
	if len(b) != 1440 {
		t.Fatalf("len %d, want 10 frames of 144 bytes", len(b))
	}
	for i := 0; i < len(b); i += 144 {
		h := binary.BigEndian.Uint32(b[i:])
		sync, version, layer := h>>21, (h>>19)&3, (h>>17)&3
		bitrate, rate, mode := (h>>12)&15, (h>>10)&3, (h>>6)&3
		// 11 sync bits, MPEG-1, Layer III, 32 kbit/s, 32 kHz, mono.
		if sync != 0x7FF || version != 3 || layer != 1 || bitrate != 1 || rate != 2 || mode != 3 {
			t.Fatalf("frame at %d: bad header", i)
		}
	}
}

func TestBuildTreeAndIndex(t *testing.T) {
	root := t.TempDir()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	tree, err := rs.BuildTree(root, now)
	if err != nil {
		t.Fatal(err)
	}
	late := tree.Rec("late")
	if _, err := os.Stat(late.File); !os.IsNotExist(err) {
		t.Fatalf("late recording exists before MaterializeLate: %v", err)
	}
	tree.SetLateEnd(now.Add(time.Minute))
	if err := tree.MaterializeLate(); err != nil {
		t.Fatal(err)
	}
	pathRE := regexp.MustCompile(`^/recordings/(Stockholm|Sörmland|Värmland)/\d{4}/\d{2}/(c\d+)_(\d+)\.(mp3|wav)$`)
	for _, r := range tree.Recordings {
		fi, err := os.Stat(r.File)
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		if fi.Size() != r.Size {
			t.Errorf("%s: size %d on disk, %d in the index", r.Name, fi.Size(), r.Size)
		}
		m := pathRE.FindStringSubmatch(r.Path)
		if m == nil || m[1] != r.Region || m[2] != r.CallID || "+"+m[3] != r.CallerPhone {
			t.Errorf("%s: path does not follow /recordings/<region>/<YYYY>/<MM>/<callid>_<phone>.<ext>", r.Name)
		}
		if !r.Late && !r.End().Before(now) {
			t.Errorf("%s: call does not end before now", r.Name)
		}
	}
	if big := tree.Rec("big"); big.Size < rs.BigSize {
		t.Errorf("big recording is %d bytes", big.Size)
	}
	idx := filepath.Join(root, "index.csv")
	if err := tree.WriteIndex(idx); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rs.IndexHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows)-1 != len(tree.Recordings) {
		t.Fatalf("%d rows, want %d", len(rows)-1, len(tree.Recordings))
	}
	subjRE := regexp.MustCompile(`^(caller|patient):\d{8}-\d{4}(;(caller|patient):\d{8}-\d{4})*$`)
	for i, row := range rows[1:] {
		r := tree.Recordings[i]
		st, err := time.Parse(time.RFC3339, row[2])
		if err != nil || !st.Equal(r.StartedAt) || row[0] != r.Path || row[3] != strconv.Itoa(r.Duration) {
			t.Errorf("row %d: does not describe recording %s", i+1, r.Name)
		}
		if !subjRE.MatchString(row[7]) {
			t.Errorf("row %d: subjects not in the form role:number;role:number", i+1)
		}
	}
}
