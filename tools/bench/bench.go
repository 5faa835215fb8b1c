// Package bench generates, from a seed, an incident with the scale and the
// shape of the one this project was built for (2.7 million recorded calls
// on an open web server with directory listing on, six years of access
// logs), for benchmarks and for the memory check in CI.
//
// Everything is a pure function of the seed and of an index (recording,
// call, person, client, chunk of log lines), so the files come out byte for
// byte the same whatever the number of workers, and chunks are written in
// parallel. Identity numbers are generated (Luhn-valid, never a real
// person's), phone numbers are generated digits, and client addresses come
// from the documentation ranges 192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24 and 2001:db8::/32.
//
// The command is tools/bench/gen; tools/bench/run.sh measures the CLI on
// the result; README.md in this folder describes both.
package bench

import (
	"fmt"
	"time"
)

// Config sizes a generated incident.
type Config struct {
	Seed       uint64
	Recordings int // rows of the index
	Lines      int // access log lines at Scale 1
	Clients    int // distinct client addresses
	// Scale multiplies the traffic: Scale × Lines over the same period,
	// from the same clients, over the same recordings.
	Scale   int
	Workers int // parallel chunk writers; 0 means 2
}

// Presets by name: "incident" is the real incident's size, "ci" a tenth of
// the index and of the log for the CI memory check, "tiny" for tests.
var Presets = map[string]Config{
	"incident": {Recordings: 2_700_000, Lines: 10_000_000, Clients: 53_000},
	"ci":       {Recordings: 300_000, Lines: 1_000_000, Clients: 6_000},
	"tiny":     {Recordings: 3_000, Lines: 20_000, Clients: 400},
}

// Preset returns the named preset with the given seed and scale 1.
func Preset(name string, seed uint64) (Config, error) {
	c, ok := Presets[name]
	if !ok {
		return Config{}, fmt.Errorf("bench: no preset %q (incident, ci, tiny)", name)
	}
	c.Seed, c.Scale = seed, 1
	return c, nil
}

// The period: recordings from the first of January 2013 until the server
// was closed in February 2019; the log starts six weeks after the first
// recording (what came before it is undeterminable) and runs to the end.
var (
	recFrom = daysFromCivil(2013, 1, 1)
	recTo   = daysFromCivil(2019, 2, 13) // exclusive
	logFrom = time.Date(2013, 2, 15, 0, 0, 0, 0, time.UTC).Unix()
	logTo   = time.Date(2019, 2, 18, 12, 0, 0, 0, time.UTC).Unix()
	// The last ten days after the news carry a burst of traffic.
	burstFrom = time.Date(2019, 2, 8, 12, 0, 0, 0, time.UTC).Unix()
)

const (
	burstShare = 0.04 // of the lines, in the last ten days
	host       = "http://nas.example.net:443"
)

func (c Config) valid() error {
	switch {
	case c.Recordings < 100:
		return fmt.Errorf("bench: at least 100 recordings")
	case c.Lines < 100:
		return fmt.Errorf("bench: at least 100 lines")
	case c.Clients < 20:
		return fmt.Errorf("bench: at least 20 clients")
	case c.Scale < 1:
		return fmt.Errorf("bench: scale must be at least 1")
	}
	return nil
}

func (c Config) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return 2
}
