package exposure

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// TestPersonAndActorCounts checks PersonRow.Actors (distinct actors not
// trusted that fetched any of the person's recordings) and ActorRow.Persons
// (distinct persons an actor reached) against a count made from the
// exposure rows, on an index where some persons have several recordings,
// one is named twice in one call and most have one recording: the engine
// counts the two kinds apart.
func TestPersonAndActorCounts(t *testing.T) {
	var b strings.Builder
	b.WriteString("path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n")
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 60
	for i := range n {
		caller := genPNR("19800101", i)
		if i%5 == 0 {
			caller = genPNR("19700101", i%3) // three callers of many calls
		}
		patient := genPNR("20150505", i)
		if i%7 == 0 {
			patient = caller // named twice in one call
		}
		fmt.Fprintf(&b, "/rec/c%03d.mp3,c%d,%s,60,1000,R,,caller:%s;patient:%s\n",
			i, i, start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), caller, patient)
	}
	ix, err := ReadIndex(strings.NewReader(b.String()), IndexOptions{Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(ix, Options{TrustedCategories: []string{}})
	s := e.NewShard()
	rng := rand.New(rand.NewPCG(3, 4))
	for line := range 400 {
		k := rng.IntN(n)
		s.Observe(&logparse.Record{
			Source: "a.log", Line: int64(line + 1), Method: "GET", Status: 200,
			Time:   start.Add(time.Duration(n+rng.IntN(100)) * time.Hour),
			Client: netip.AddrFrom4([4]byte{198, 51, 100, byte(rng.IntN(30))}),
			Path:   fmt.Sprintf("/rec/c%03d.mp3", k), BodyBytes: 1000,
			WireBytes: logparse.NotLogged, Completion: logparse.CompletionNotLogged, RequestBytes: logparse.NotLogged,
		})
	}
	res := mustCollect(t, e, s)

	personActors := map[string]map[string]bool{}
	actorPersons := map[string]map[string]bool{}
	for _, r := range res.Exposures {
		if r.ViaListing || r.ActorIP == "" {
			continue
		}
		id, actor := r.SubjectID.Reveal(), r.ActorIP+"\x00"+r.ActorUA
		if personActors[id] == nil {
			personActors[id] = map[string]bool{}
		}
		personActors[id][actor] = true
		if actorPersons[actor] == nil {
			actorPersons[actor] = map[string]bool{}
		}
		actorPersons[actor][id] = true
	}
	shared := 0
	for p := range ix.NumPersons() {
		if len(ix.PersonRecordings(p)) > 1 {
			shared++
		}
	}
	if shared == 0 || shared == ix.NumPersons() {
		t.Fatalf("%d of %d persons have several recordings: the workload must have both kinds", shared, ix.NumPersons())
	}
	checked := 0
	for _, p := range res.Persons {
		if want := int64(len(personActors[p.SubjectID.Reveal()])); p.Actors != want {
			t.Errorf("a person's actors: %d, the exposure rows name %d", p.Actors, want)
		}
		if p.Actors > 1 {
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no person reached by several actors: the check proves nothing")
	}
	for _, a := range res.Actors {
		if want := int64(len(actorPersons[a.ActorIP+"\x00"+a.ActorUA])); a.Persons != want {
			t.Errorf("actor %s: %d persons, the exposure rows name %d", a.ActorIP, a.Persons, want)
		}
	}
}
