package logparse

import "testing"

func FuzzCompose(f *testing.F) {
	f.Add([]byte("web-1  | 192.0.2.1 - - [10/Feb/2019:10:00:00 +0100] \"GET /a HTTP/1.1\" 200 1 \"-\" \"c\"\n\x1b[36mweb-1  |\x1b[0m x\nno prefix\n"))
	f.Add([]byte("caddy  | {\"request\":{\"uri\":\"/a\"},\"status\":200}\n"))
	nginx, err := ParseFormat("nginx_combined")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fxFuzz(t, ComposeFormat{Inner: nginx}, data)
		fxFuzz(t, ComposeFormat{Inner: CaddyFormat{}}, data)
	})
}
