package logparse_test

import (
	"fmt"
	"strings"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// Reading an nginx log written with a custom log_format: paste the format
// string behind "nginx:". Variables without a Record field, such as
// $upstream_addr here, are kept by name in Extra.
func Example_nginxLogFormat() {
	f, err := logparse.ParseFormat(`nginx:$remote_addr [$time_local] "$request" $status $body_bytes_sent "$http_range" $request_time $upstream_addr`)
	if err != nil {
		fmt.Println(err)
		return
	}
	log := `192.0.2.10 [01/Feb/2019:10:00:02 +0100] "GET /recordings/call-000123.mp3 HTTP/1.1" 206 32768 "bytes=0-" 0.012 10.0.0.5:8080
192.0.2.10 [01/Feb/2019:10:00:03 +0100] "GET /recordings/call-000123.mp3 HTTP/1.1" 206 abc "bytes=32768-" 0.020 10.0.0.5:8080
`
	r := logparse.NewReader(strings.NewReader(log), f)
	r.Name = "access.log"
	for rec, err := range r.All() {
		if err != nil {
			fmt.Println("skipped:", err)
			continue
		}
		upstream, _ := rec.Field("$upstream_addr")
		fmt.Println(rec.Time.Format("2006-01-02 15:04:05 -0700"), rec.Client, rec.Status, rec.Path, rec.Range, rec.BodyBytes, rec.Duration, upstream)
	}
	if err := r.Err(); err != nil {
		panic(err)
	}

	_, err = logparse.ParseFormat("nginx:$remote_addr ${status")
	fmt.Println(err)
	// Output:
	// 2019-02-01 10:00:02 +0100 192.0.2.10 206 /recordings/call-000123.mp3 bytes=0- 32768 12ms 10.0.0.5:8080
	// skipped: access.log:2:88: bad number
	// logparse: nginx format: position 13: unterminated ${
}
