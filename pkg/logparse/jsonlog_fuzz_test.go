package logparse

import "testing"

func FuzzCaddy(f *testing.F) {
	fxSeed(f, "json", "caddy_json")
	f.Add([]byte(`{"ts":"2019-02-18T21:02:31Z","request":{"remote_ip":"::1","headers":{"A":[[1],{"b":null}]}},"duration":1e3}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fxFuzz(t, CaddyFormat{}, data) })
}

func FuzzJSONL(f *testing.F) {
	fxSeed(f, "json")
	f.Add([]byte(`{"time":"10/Oct/2000:13:55:36 -0700","request":"GET / HTTP/1.1","status":0}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fxFuzz(t, JSONFormat{}, data) })
}
