package exposure

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ixCheckTables checks the folder and person tables against the
// recordings they are derived from.
func ixCheckTables(t testing.TB, ix *Index) {
	t.Helper()
	// Folders: sorted, slashed, each the folder of a recording or an
	// ancestor of one; every recording in exactly one FolderRecordings.
	seen := make([]bool, ix.Len())
	for f := range ix.NumFolders() {
		p := ix.FolderPath(f)
		if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || f > 0 && ix.FolderPath(f-1) >= p {
			t.Fatalf("folder %d: path not slashed or not in order", f)
		}
		if ix.strip == "" && ix.add == "" { // index paths are request paths
			if g, ok := ix.Folder(p); !ok || g != f {
				t.Fatalf("folder %d: Folder(FolderPath) = %d, %v", f, g, ok)
			}
			if g, ok := ix.Folder(strings.TrimSuffix(p, "/")); !ok || g != f {
				t.Fatalf("folder %d: Folder without the slash = %d, %v", f, g, ok)
			}
			if !ix.HasDir(p) {
				t.Fatalf("folder %d: HasDir false", f)
			}
		}
		recs := ix.FolderRecordings(f)
		for k, i := range recs {
			if seen[i] || ix.FolderOf(int(i)) != f || !strings.HasPrefix(ix.Key(int(i)), p) ||
				strings.Contains(strings.TrimSuffix(ix.Key(int(i))[len(p):], "/"), "/") {
				t.Fatalf("folder %d: recording %d listed twice or not directly in it", f, i)
			}
			seen[i] = true
			if k > 0 {
				a, b := ix.AvailableAt(int(recs[k-1])), ix.AvailableAt(int(i))
				if a > b || a == b && recs[k-1] >= i {
					t.Fatalf("folder %d: recordings not by AvailableAt", f)
				}
			}
		}
	}
	for i := range ix.Len() {
		if !seen[i] {
			t.Fatalf("recording %d in no folder", i)
		}
		want := int64(math.MinInt64)
		st := ix.StartedAt(i)
		if !st.IsZero() {
			want = st.Add(ix.Duration(i)).UnixNano()
		}
		// UnixNano is undefined outside about 1678-2262 (it wraps: a start
		// in the year 9000 gave a plausible number); AvailableAt saturates.
		inRange := st.IsZero() || st.Year() > 1680 && st.Year() < 2260
		if got := ix.AvailableAt(i); got != want && inRange {
			t.Fatalf("recording %d: AvailableAt %d, want %d", i, got, want)
		}
	}
	// Persons: distinct IDs in ascending order; each subject's person has
	// its ID; PersonRecordings lists exactly the recordings naming it.
	var byPerson = make([][]int32, ix.NumPersons())
	for i := range ix.Len() {
		for _, s := range ix.Recording(i).Subjects {
			if s.Person < 0 || int(s.Person) >= ix.NumPersons() {
				t.Fatalf("recording %d: person %d out of range", i, s.Person)
			}
			if ix.Person(int(s.Person)).ID() != s.ID.ID() {
				t.Fatalf("recording %d: subject's ID differs from its person's", i)
			}
			if l := byPerson[s.Person]; len(l) == 0 || l[len(l)-1] != int32(i) {
				byPerson[s.Person] = append(l, int32(i))
			}
		}
	}
	for p := range ix.NumPersons() {
		if p > 0 && ix.Person(p-1).ID() >= ix.Person(p).ID() {
			t.Fatalf("person %d: IDs not ascending and distinct", p)
		}
		if !slices.Equal(byPerson[p], ix.PersonRecordings(p)) {
			t.Fatalf("person %d: PersonRecordings %v, want %v", p, ix.PersonRecordings(p), byPerson[p])
		}
	}
}

func TestIndexFolders(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ixCheckTables(t, ix)
	var paths []string
	for f := range ix.NumFolders() {
		paths = append(paths, ix.FolderPath(f))
	}
	want := []string{"/", "/REC/", "/REC/2019/", "/REC/2019/02/", "/REC/2019/02/01/", "/rec/", "/rec/2019/",
		"/rec/2019/02/", "/rec/2019/02/01/", "/rec/2019/02/02/", "/rec/2019/02/02/x/"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("folders (-want +got):\n%s", diff)
	}
	calls := func(f int) []string {
		var out []string
		for _, i := range ix.FolderRecordings(f) {
			out = append(out, ix.Recording(int(i)).CallID)
		}
		return out
	}
	f := func(req string, wantPath string, wantCalls []string) {
		t.Helper()
		g, ok := ix.Folder(req)
		if wantPath == "" {
			if ok {
				t.Errorf("Folder(%q) = %q, want none", req, ix.FolderPath(g))
			}
			return
		}
		if !ok || ix.FolderPath(g) != wantPath || !cmp.Equal(calls(g), wantCalls) {
			t.Errorf("Folder(%q) = %v (ok %v), want %q %v", req, calls(g), ok, wantPath, wantCalls)
		}
	}
	f("/rec/2019/02/01/", "/rec/2019/02/01/", []string{"C1", "C2"})
	f("/rec/2019/02/01", "/rec/2019/02/01/", []string{"C1", "C2"})
	f("/rec%2F2019/02//01/?C=N;O=D", "/rec/2019/02/01/", []string{"C1", "C2"})
	f("/rec/2019/02/02/", "/rec/2019/02/02/", []string{"C3", "C6", "C7", "C5"}) // by availability
	f("/rec/2019/", "/rec/2019/", nil)
	f("", "/", nil)
	f("/", "/", nil)
	f("/rec/2019/02/01/C2.mp3", "", nil)
	f("/rec/2019/0", "", nil)
	f("/nope/", "", nil)

	// C3 has no start: it is always present, so it comes first.
	if got := ix.AvailableAt(2); got != math.MinInt64 {
		t.Errorf("AvailableAt without a start = %d", got)
	}
	t1 := time.Date(2019, 2, 1, 9, 30, 0, 0, time.FixedZone("", 3600)).Add(93500 * time.Millisecond)
	if got := ix.AvailableAt(0); got != t1.UnixNano() {
		t.Errorf("AvailableAt(0) = %d, want %d", got, t1.UnixNano())
	}
	if n := testing.AllocsPerRun(100, func() { ix.Folder("/rec/2019/02/01/") }); n != 0 {
		t.Errorf("Folder allocates %v times", n)
	}

	folded, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), IndexOptions{
		PathMapper: PathMapper{StripPrefix: "/files", AddPrefix: "/rec", FoldCase: true}})
	if err != nil {
		t.Fatal(err)
	}
	ixCheckTables(t, folded)
	if g, ok := folded.Folder("/FILES/2019/02/01"); !ok || folded.FolderPath(g) != "/rec/2019/02/01/" || len(folded.FolderRecordings(g)) != 2 {
		t.Errorf("folded Folder = %d %v", g, ok)
	}
	if _, ok := folded.Folder("/rec/2019/"); ok {
		t.Errorf("Folder outside the strip prefix found")
	}
}

func TestIndexPersons(t *testing.T) {
	ix, err := LoadIndex(filepath.Join("testdata", "index", "sample.csv"), ixSampleOptions)
	if err != nil {
		t.Fatal(err)
	}
	ixCheckTables(t, ix)
	// The caller of C1 (written with a dash, 10 digits) and of C8 (10
	// digits, another day) is one person; the others are one each.
	t1 := time.Date(2019, 2, 1, 9, 30, 0, 0, time.FixedZone("", 3600))
	a := ParseIdentity(ixA[:6]+"-"+ixA[6:], t1)
	wantIDs := []string{a.ID(), ParseIdentity(ixS, t1).ID(), ParseIdentity("20"+ixC, t1).ID(), ixBad, "RES-4711-X"}
	var got []string
	for p := range ix.NumPersons() {
		got = append(got, ix.Person(p).ID())
	}
	if !cmp.Equal(wantIDs, got) {
		t.Errorf("persons differ (%d, want %d)", len(got), len(wantIDs))
	}
	if diff := cmp.Diff(a, ix.Person(0), ixCmp); diff != "" {
		t.Errorf("Person(0) is not as parsed for its first recording (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int32{0, 3, 4, 5, 6}, ix.PersonRecordings(0)); diff != "" {
		t.Errorf("PersonRecordings(0) (-want +got):\n%s", diff)
	}
	if s := ix.Recording(6).Subjects; len(s) != 1 || s[0].Person != 0 {
		t.Errorf("C8's caller is not person 0")
	}

	// A person named twice in one row is listed once.
	ix, err = ReadIndex(strings.NewReader("path,started_at,size_bytes,subjects\n/a/1.mp3,2019-01-01T00:00:00Z,1,caller:"+ixA+";patient:"+ixA+
		"\n/a/2.mp3,,,\n/b/3.mp3,,,x:"+ixA+"\n"), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ixCheckTables(t, ix)
	if ix.NumPersons() != 1 || !cmp.Equal(ix.PersonRecordings(0), []int32{0, 2}) {
		t.Errorf("persons %d, recordings %v", ix.NumPersons(), ix.PersonRecordings(0))
	}
}
