package exposure_test

import (
	"fmt"
	"strings"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// Example shows the library's main job: an index, a log, the engine, and
// the levels it decides. (The identity number is generated: fictitious.)
func Example() {
	index := "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n" +
		"/rec/2019/02/c1_0701740605.mp3,c1,2019-02-01T10:00:00+01:00,60,1000,Stockholm,,caller:19800101-1231\n" +
		"/rec/2019/02/c2_0701740606.mp3,c2,2019-02-01T11:00:00+01:00,60,1000,Stockholm,,caller:19800101-1231\n"
	ix, err := exposure.ReadIndex(strings.NewReader(index), exposure.IndexOptions{Format: "csv"})
	if err != nil {
		panic(err)
	}
	logs := `198.51.100.7 - - [02/Feb/2019:10:00:00 +0100] "GET /rec/2019/02/ HTTP/1.1" 200 900 "-" "curl/7.64.0"
198.51.100.7 - - [02/Feb/2019:10:00:05 +0100] "GET /rec/2019/02/c1_0701740605.mp3 HTTP/1.1" 206 400 "-" "curl/7.64.0"
`
	f, _ := logparse.ParseFormat("combined")
	r := logparse.NewReader(strings.NewReader(logs), f)
	r.Name, r.ReuseRecord = "access.log", true

	eng := exposure.NewEngine(ix, exposure.Options{})
	shard := eng.NewShard()
	for rec, err := range r.All() {
		if err == nil {
			shard.Observe(rec)
		}
	}
	if err := r.Err(); err != nil {
		panic(err)
	}
	res, err := eng.Collect(shard)
	if err != nil {
		panic(err)
	}
	for _, row := range res.Recordings {
		fmt.Println(row.CallID, row.Level)
	}
	for _, row := range res.Exposures {
		who := row.ActorIP
		if row.ViaListing {
			who = "listing"
		}
		fmt.Println(row.CallID, who, row.Level, row.BytesDelivered, row.Evidence)
	}
	for _, row := range res.Listings {
		fmt.Println(row.Folder, row.ActorIP, row.Listings, row.Shown)
	}
	fmt.Println("persons to notify:", res.Summary.PersonsNotify)
	// Output:
	// c1 partial
	// c2 metadata
	// c1 198.51.100.7 partial 400 [access.log:2]
	// c1 listing metadata 0 [access.log:1]
	// c2 listing metadata 0 [access.log:1]
	// /rec/2019/02/ 198.51.100.7 1 2
	// persons to notify: 1
}
