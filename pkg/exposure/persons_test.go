package exposure

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// TestPersonsPassBatches checks the persons pass, which decides persons
// in batches on every core and writes them in order, on an index of
// several batches' persons: one row per person, in the index's order or
// PersonOrder's, each with its calls and the highest level of its
// recordings, the summary's counts equal to the rows', and a sink error
// stopping the pass.
func TestPersonsPassBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n")
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 3000 // 3000 patients and 2400 callers: three batches
	for i := range n {
		caller := genPNR(fmt.Sprintf("1970%02d%02d", 1+i%12, 1+i/12%28), i/336)
		patient := genPNR(fmt.Sprintf("2015%02d%02d", 1+i%12, 1+i/12%28), i/336)
		if i%5 == 0 {
			caller = genPNR("19600101", i%7) // seven callers of many calls
		}
		fmt.Fprintf(&b, "/rec/c%04d.mp3,c%d,%s,60,1000,R%d,,caller:%s;patient:%s\n",
			i, i, start.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i%3, caller, patient)
	}
	ix, err := ReadIndex(strings.NewReader(b.String()), IndexOptions{Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if ix.NumPersons() <= 2*personBatchSize {
		t.Fatalf("%d persons: fewer than three batches", ix.NumPersons())
	}
	run := func(opt Options, sink Sink) (*Result, error) {
		e := NewEngine(ix, opt)
		s := e.NewShard()
		rng := rand.New(rand.NewPCG(5, 6))
		for line := range 2000 {
			k := rng.IntN(n)
			body := int64(1000)
			if line%3 == 0 {
				body = 10
			}
			s.Observe(&logparse.Record{
				Source: "a.log", Line: int64(line + 1), Method: "GET", Status: 200,
				Time:   start.Add(time.Duration(n+line) * time.Minute),
				Client: netip.AddrFrom4([4]byte{198, 51, 100, byte(rng.IntN(50))}),
				Path:   fmt.Sprintf("/rec/c%04d.mp3", k), BodyBytes: body,
				WireBytes: logparse.NotLogged, Completion: logparse.CompletionNotLogged, RequestBytes: logparse.NotLogged,
			})
		}
		if sink != nil {
			_, err := e.Finish(sink, s)
			return nil, err
		}
		return e.Collect(s)
	}

	res, err := run(Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Persons) != ix.NumPersons() {
		t.Fatalf("%d person rows, %d persons", len(res.Persons), ix.NumPersons())
	}
	recLevel := map[string]Level{}
	for _, r := range res.Recordings {
		recLevel[r.Path] = mustLevel(r.Level)
	}
	byLevel := map[string]int64{}
	levels := map[Level]bool{}
	for p, row := range res.Persons {
		if got, want := row.SubjectID.Reveal(), ix.Person(p).ID(); got != want {
			t.Fatalf("row %d is not person %d of the index", p, p)
		}
		want := None
		for _, ri := range ix.PersonRecordings(p) {
			want = max(want, recLevel[ix.Recording(int(ri)).Path])
		}
		if row.Level != want.String() || row.Calls != int64(len(ix.PersonRecordings(p))) {
			t.Fatalf("person %d: level %s over %d calls, want %s over %d", p, row.Level, row.Calls, want, len(ix.PersonRecordings(p)))
		}
		byLevel[row.Level]++
		levels[want] = true
	}
	if len(levels) < 3 {
		t.Errorf("levels %v: the workload should give several", levels)
	}
	for l, c := range byLevel {
		if res.Summary.PersonsByLevel[l] != c {
			t.Errorf("summary: %d persons %s, the rows %d", res.Summary.PersonsByLevel[l], l, c)
		}
	}
	if res.Summary.PersonsTotal != int64(len(res.Persons)) {
		t.Errorf("summary: %d persons, %d rows", res.Summary.PersonsTotal, len(res.Persons))
	}

	// PersonOrder: descending identity numbers.
	ordered, err := run(Options{PersonOrder: func(id string) uint64 {
		var k uint64
		for _, c := range id {
			k = k*10 + uint64(c-'0')
		}
		return ^k
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ordered.Persons) != len(res.Persons) {
		t.Fatalf("%d rows in PersonOrder, %d without", len(ordered.Persons), len(res.Persons))
	}
	for i := 1; i < len(ordered.Persons); i++ {
		if ordered.Persons[i-1].SubjectID.Reveal() < ordered.Persons[i].SubjectID.Reveal() {
			t.Fatalf("rows %d and %d are not in PersonOrder's order", i-1, i)
		}
	}

	// A sink failing in the second batch stops the pass with its error.
	failing := &failingSink{after: personBatchSize + 10}
	if _, err := run(Options{}, failing); !errors.Is(err, errSinkFull) {
		t.Fatalf("Finish with a failing sink: %v, want %v", err, errSinkFull)
	}
	if failing.persons != personBatchSize+10 {
		t.Errorf("the sink got %d persons after failing at %d", failing.persons, personBatchSize+10)
	}
}

var errSinkFull = errors.New("sink full")

// failingSink fails on person number after, and counts the persons it
// was given.
type failingSink struct {
	after   int
	persons int
}

func (*failingSink) Exposure(*ExposureRow) error   { return nil }
func (*failingSink) Recording(*RecordingRow) error { return nil }
func (*failingSink) Listing(*ListingRow) error     { return nil }
func (*failingSink) Actor(*ActorRow) error         { return nil }
func (s *failingSink) Person(*PersonRow) error {
	if s.persons == s.after {
		return errSinkFull
	}
	s.persons++
	return nil
}
