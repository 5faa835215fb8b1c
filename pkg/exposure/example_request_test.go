package exposure_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// The engine's reading of one request on its own, as "forensics parse
// --dataset" writes it for SQL: the key the index is matched on, and what
// the response delivered before the file's size is known.
func ExampleClassifyRequest() {
	const line = `198.51.100.7 - - [01/Feb/2019:10:00:00 +0100] "GET /rec/2019%2F02/C1.mp3 HTTP/1.1" 206 4096 "-" "VLC" "bytes=1000-" 0.010 OK 4400` + "\n"
	f, err := logparse.ParseFormat("nginx_range")
	if err != nil {
		log.Fatal(err)
	}
	rec, err := logparse.NewReader(strings.NewReader(line), f).Read()
	if err != nil {
		log.Fatal(err)
	}
	m := exposure.PathMapper{StripPrefix: "/rec", AddPrefix: "/nas/rec"}
	key, _ := exposure.RequestKey(rec.Path, m)
	d := exposure.ClassifyRequest(rec, 0)
	fmt.Println(key, exposure.ActorAddress(rec, exposure.ClientResolver{}))
	fmt.Println(d.Kind, d.Body, d.Range, d.First, d.Last, d.Uncertain.Strings())
	fmt.Println(exposure.IsListing(rec, 0), exposure.FolderKey("/nas/rec/2019"))
	// Output:
	// /nas/rec/2019/02/C1.mp3 198.51.100.7
	// content 4096 range 1000 -1 []
	// false /nas/rec/2019/
}
