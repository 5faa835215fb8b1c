// Command gen writes a generated incident (index.csv and access.log) of
// the real incident's size, or of a smaller preset, from a seed:
//
//	go run ./tools/bench/gen -preset incident -seed 1 -out /tmp/forensics-bench/incident-1 -stats
//
// See tools/bench/README.md.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/forensiclog/forensics/tools/bench"
)

func main() {
	preset := flag.String("preset", "ci", "incident, ci or tiny")
	seed := flag.Uint64("seed", 1, "seed: the same seed writes the same files")
	out := flag.String("out", "", "output folder (required)")
	recs := flag.Int("recordings", 0, "recordings in the index (default: the preset's)")
	lines := flag.Int("lines", 0, "log lines at scale 1 (default: the preset's)")
	clients := flag.Int("clients", 0, "distinct client addresses (default: the preset's)")
	scale := flag.Int("scale", 1, "traffic multiplier: scale × lines over the same period, clients and recordings")
	workers := flag.Int("workers", 2, "parallel writers (the output does not depend on it)")
	stats := flag.Bool("stats", false, "print what was generated (counts) to stdout")
	asJSON := flag.Bool("json", false, "with -stats: as JSON")
	flag.Parse()
	log.SetFlags(0)
	if *out == "" {
		log.Fatal("gen: -out is required")
	}
	cfg, err := bench.Preset(*preset, *seed)
	if err != nil {
		log.Fatal(err)
	}
	if *recs > 0 {
		cfg.Recordings = *recs
	}
	if *lines > 0 {
		cfg.Lines = *lines
	}
	if *clients > 0 {
		cfg.Clients = *clients
	}
	cfg.Scale, cfg.Workers = *scale, *workers
	start := time.Now()
	st, err := bench.Generate(cfg, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "gen: %s seed %d scale %d written to %s in %.1f s\n", *preset, *seed, *scale, *out, time.Since(start).Seconds())
	if *stats {
		if *asJSON {
			b, _ := json.MarshalIndent(st, "", "  ")
			fmt.Println(string(b))
		} else {
			fmt.Print(st)
		}
	}
}
