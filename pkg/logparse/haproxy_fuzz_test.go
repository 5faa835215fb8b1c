package logparse

import "testing"

func FuzzHAProxy(f *testing.F) {
	fxSeed(f, "haproxy", "haproxy")
	f.Add([]byte("<1>1 2019-02-18T21:02:31-05:00 h a 1 - [x] -:1 [18/Feb/2019:21:02:31.1] a b/c foo 1/2/3/4/+5 -1 +0 - - ---- 1/1/1/1/1 0/0 {a} {b} \"x\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fxFuzz(t, HAProxyFormat{}, data) })
}
