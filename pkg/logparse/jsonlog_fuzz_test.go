package logparse

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzCaddy(f *testing.F) {
	fxSeed(f, "json", "caddy_json")
	f.Add([]byte(`{"ts":"2019-02-18T21:02:31Z","request":{"remote_ip":"::1","headers":{"A":[[1],{"b":null}]}},"duration":1e3}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fxFuzz(t, CaddyFormat{}, data) })
}

func FuzzJSONL(f *testing.F) {
	fxSeed(f, "json")
	f.Add([]byte(`{"time":"10/Oct/2000:13:55:36 -0700","request":"GET / HTTP/1.1","status":0}` + "\n"))
	f.Add([]byte(`{"a":"\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t","b":[1,-0.5e+3,true,false,null,"x"]}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fxFuzz(t, JSONFormat{}, data)
		fxJSONOracle(t, data)
	})
}

// fxJSONOracle checks the JSON scanner against encoding/json: with an
// empty mapping (no value conversions) a line is accepted exactly when it
// is a valid JSON object within MaxJSONDepth.
func fxJSONOracle(t *testing.T, data []byte) {
	p := JSONFormat{Mapping: map[string]string{}}.NewParser()
	for _, line := range bytes.Split(data, []byte("\n")) {
		var rec Record
		rec.reset(false)
		err := p.Parse(line, &rec)
		if err == ErrSkip {
			continue
		}
		trimmed := bytes.TrimLeft(line, " \t")
		valid := json.Valid(line) && len(trimmed) > 0 && trimmed[0] == '{'
		deep := bytes.Count(line, []byte("{"))+bytes.Count(line, []byte("[")) > MaxJSONDepth
		switch {
		case err == nil && !valid:
			t.Fatalf("accepted invalid JSON %q", line)
		case err != nil && valid && !deep:
			t.Fatalf("rejected valid JSON %q: %v", line, err)
		}
	}
}
