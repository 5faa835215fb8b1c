package logparse_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// Reading an Apache log written with a custom LogFormat: the format string
// is the one from httpd.conf, behind "apache:".
func ExampleParseFormat_apache() {
	f, err := logparse.ParseFormat(`apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D "%{Range}i"`)
	if err != nil {
		log.Fatal(err)
	}
	in := strings.NewReader(`198.51.100.7 - - [12/Feb/2019:21:04:05 +0100] "GET /inspelningar/2019/02/a.mp3 HTTP/1.1" 206 65536 "-" "Mozilla/5.0" 41000 "bytes=1048576-"
192.0.2.44 - - [12/Feb/2019:21:04:09 +0100] "GET /inspelningar/2019/02/ HTTP/1.1" 200 2326
192.0.2.44 - - [12/Feb/2019:21:04:10 +0100] "GET /inspelningar/2019/02/ HTTP/1.1" 2OO 2326
`)
	r := logparse.NewReader(in, f)
	r.Name = "access.log"
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err) // a *ParseError: position only, never contents
			continue
		}
		took := "not logged"
		if rec.Duration != logparse.NotLogged {
			took = rec.Duration.String()
		}
		fmt.Printf("%s %v %s %s %d body=%d took=%s range=%q\n", rec.Time.Format("2006-01-02 15:04:05 -0700"),
			rec.Client, rec.Method, rec.Path, rec.Status, rec.BodyBytes, took, rec.Range)
	}
	// Output:
	// 2019-02-12 21:04:05 +0100 198.51.100.7 GET /inspelningar/2019/02/a.mp3 206 body=65536 took=41ms range="bytes=1048576-"
	// 2019-02-12 21:04:09 +0100 192.0.2.44 GET /inspelningar/2019/02/ 200 body=2326 took=not logged range=""
	// error: access.log:3:83: bad status
}
