package logparse_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// An IIS log follows its own #Fields header; sc-bytes counts headers too,
// so it lands in WireBytes, and "+" in the user agent means a space.
func Example_w3c() {
	const log = `#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2019-02-18 21:02:31
#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status sc-bytes time-taken cs(User-Agent)
2019-02-18 21:02:31 198.51.100.7 GET /samtal/rec-000001.mp3 - 206 65871 120 Mozilla/5.0+(X11;+Linux)
2019-02-18 21:02:32 198.51.100.7 [2]USER anonymous - 331 0 0 -
`
	f, err := logparse.ParseFormat("w3c")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := logparse.NewReader(strings.NewReader(log), f)
	r.Name = "u_ex190218.log"
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *logparse.ParseError
		if errors.As(err, &perr) {
			fmt.Println("rejected:", perr)
			continue
		}
		fmt.Println(rec.Time, rec.Client, rec.Method, rec.Path, rec.Status, rec.WireBytes, rec.Duration, rec.UserAgent)
	}
	st := r.Stats()
	fmt.Printf("lines %d, records %d, skipped %d, rejected %d\n", st.Lines, st.Records, st.Skipped, st.Rejected)
	// Output:
	// 2019-02-18 21:02:31 +0000 UTC 198.51.100.7 GET /samtal/rec-000001.mp3 206 65871 120ms Mozilla/5.0 (X11; Linux)
	// rejected: u_ex190218.log:6:34: not an HTTP request (a TCP connection or another service's line)
	// lines 6, records 1, skipped 4, rejected 1
}
