package logparse

import (
	"errors"
	"strings"
	"testing"
)

func TestComposePrefix(t *testing.T) {
	f := func(line string, want int) {
		t.Helper()
		if got := composePrefix([]byte(line)); got != want {
			t.Errorf("composePrefix(%q) = %d, want %d", line, got, want)
		}
	}
	f(`caddy  | {"a":1}`, 9)
	f(`web-1  | 192.0.2.1 - -`, 9)
	f(`proxy_web_1 | x`, 14)
	f("\x1b[36mcaddy  |\x1b[0m {}", 18)
	f(`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a|b HTTP/1.0" 200 1`, -1)
	f(`caddy  |{}`, -1)
	f(`| x`, -1)
	f(`-web | x`, -1)
	f(``, -1)
}

func TestComposeDetectAndRead(t *testing.T) {
	const nginx = `192.0.2.1 - - [10/Feb/2019:10:00:00 +0100] "GET /a/x.mp3 HTTP/1.1" 499 0 "-" "curl/7.64.0"`
	const caddy = `{"level":"info","ts":1549789200.5,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"192.0.2.2","proto":"HTTP/1.1","method":"GET","host":"nas","uri":"/a/y.mp3","headers":{"User-Agent":["curl/7.64.0"]}},"status":200,"size":1234,"duration":0.01}`
	log := "web-1  | " + nginx + "\n" +
		"\x1b[36mweb-1  |\x1b[0m " + nginx + "\n" +
		"web-1  | " + strings.Replace(nginx, "[10/Feb", "[99/Feb", 1) + "\n" +
		"Attaching to web-1\n"
	fm, d, err := Detect([]byte(log))
	if err != nil || fm.Name() != "compose:nginx_combined" {
		t.Fatalf("Detect: %v, %v (%s)", fm, err, d.Reason)
	}
	if !strings.Contains(d.Reason, "docker compose") {
		t.Errorf("reason does not say why: %s", d.Reason)
	}
	g, err := ParseFormat(fm.Name())
	if err != nil || g.Name() != fm.Name() {
		t.Fatalf("ParseFormat(%q) = %v, %v", fm.Name(), g, err)
	}
	recs, rejs, _ := fxRead(t, g, log)
	if len(recs) != 2 || recs[0].Status != 499 || recs[1].Client != fxAddr("192.0.2.1") {
		t.Errorf("records %+v", recs)
	}
	// The bad timestamp's column counts the prefix; the line without a
	// prefix is not the service's.
	r := NewReader(strings.NewReader(log), g)
	var kinds []string
	for {
		_, err := r.Read()
		if err != nil && err.Error() == "EOF" {
			break
		}
		var perr *ParseError
		if errors.As(err, &perr) {
			kinds = append(kinds, perr.Error())
		}
	}
	want := []string{"<input>:3:25: bad timestamp", "<input>:4:1: text does not match the format"}
	if strings.Join(kinds, "|") != strings.Join(want, "|") || len(rejs) != 2 {
		t.Errorf("errors %q, want %q", kinds, want)
	}

	fm, _, err = Detect([]byte("caddy  | " + caddy + "\ncaddy  | {\"level\":\"info\",\"ts\":1549789200.1,\"msg\":\"serving\"}\n"))
	if err != nil || fm.Name() != "compose:caddy" {
		t.Errorf("Detect caddy: %v, %v", fm, err)
	}
}
