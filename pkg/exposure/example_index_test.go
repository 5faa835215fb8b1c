package exposure_test

import (
	"fmt"
	"log"
	"strings"
	"time"
	_ "time/tzdata" // the zone below on any machine

	"github.com/forensiclog/forensics/pkg/exposure"
)

// An index from the call platform, a request from an access log: which
// recording was it, and whom is it about? Numbers are printed masked.
// (19121212-1212 is the Swedish tax agency's test number; 070-1740605 is
// in the range the telecom regulator keeps for fiction.)
func ExampleLoadIndex() {
	const csv = `path,call_id,started_at,size_bytes,region,subjects
/nas/rec/2019/02/01/C1_46701740605.mp3,C1,2019-02-01 09:30:00,1495040,Stockholm,caller:19121212-1212;patient:20150505-9871
/nas/rec/2019/02/01/C2.mp3,C2,2019-02-01 10:15:00,200000,Sörmland,patient:RES-4711-X
/nas/rec/2019/02/01/C3.mp3,C3,2019-02-01 11:00:00,-1,Värmland,
`
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		log.Fatal(err)
	}
	ix, err := exposure.ReadIndex(strings.NewReader(csv), exposure.IndexOptions{
		// The web server published /nas/rec as /rec.
		PathMapper: exposure.PathMapper{StripPrefix: "/rec", AddPrefix: "/nas/rec"},
		// The platform wrote local times without an offset.
		Location: stockholm,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range ix.Errors() {
		fmt.Println(e)
	}

	// The request path as logparse decodes it: double-encoded slashes.
	i, ok := ix.Match("/rec/2019%2F02%2F01/C1_46701740605.mp3")
	if !ok {
		log.Fatal("no match")
	}
	rec := ix.Recording(i)
	fmt.Println(rec.CallID, rec.StartedAt.Format("2006-01-02 15:04 MST"), rec.CallerPhone) // a Phone: masked when printed
	for _, s := range rec.Subjects {
		fmt.Printf("%s: %v %v child=%v\n", s.Role, s.ID.Kind, s.ID, s.ID.Child(rec.StartedAt))
	}

	dir, _ := ix.Dir("/rec/2019/02/01/")
	fmt.Println("listing shows", len(dir.Recordings), "recordings")
	fmt.Printf("%+v\n", ix.Stats())
	// Output:
	// exposure: index row 4: size_bytes: bad number (row kept, recording uncertain)
	// C1 2019-02-01 09:30 CET +*********05
	// caller: personnummer 19121212-**** child=false
	// patient: personnummer 20150505-**** child=true
	// listing shows 3 recordings
	// {Recordings:3 Subjects:3 SubjectsByKind:map[personnummer:2 reserve:1] Persons:3 Children:1 WithPhone:1 Uncertain:1 Errors:0 Warnings:1}
}
