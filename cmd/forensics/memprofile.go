package main

import (
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// peakHeapProfiler writes a heap profile each time the live heap reaches
// a new high, so that the file left at the end shows where memory went at
// the run's peak. It is a developer aid behind the hidden --memprofile flag.
type peakHeapProfiler struct {
	path string
	done chan struct{}
	end  chan struct{}
}

func startPeakHeapProfiler(path string) *peakHeapProfiler {
	p := &peakHeapProfiler{path: path, done: make(chan struct{}), end: make(chan struct{})}
	runtime.MemProfileRate = 64 << 10
	go p.loop()
	return p
}

func (p *peakHeapProfiler) loop() {
	defer close(p.end)
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			if peak == 0 { // a run shorter than a tick: profile it at its end
				p.write()
			}
			return
		case <-t.C:
		}
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > peak+peak/20 {
			peak = v
			p.write()
		}
	}
}

func (p *peakHeapProfiler) write() {
	f, err := os.Create(p.path)
	if err != nil {
		return
	}
	pprof.Lookup("heap").WriteTo(f, 0)
	f.Close()
}

func (p *peakHeapProfiler) stop() {
	close(p.done)
	<-p.end
}

// profileFlags are the hidden developer flags of the commands worth
// profiling (analyze, report, index check).
type profileFlags struct {
	CPUProfile string `name:"cpuprofile" hidden:"" help:"Write a CPU profile to FILE (for developers)." placeholder:"FILE"`
	MemProfile string `name:"memprofile" hidden:"" help:"Write a heap profile taken at the live heap's peak to FILE (for developers)." placeholder:"FILE"`
}

// start starts the profiles asked for and returns what stops them and
// writes them out.
func (f profileFlags) start() (stop func(), err error) {
	return startProfiles(f.CPUProfile, f.MemProfile)
}

// startProfiles starts the developer profiles asked for ("" for none)
// and returns what stops them and writes them out.
func startProfiles(cpu, mem string) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return stop, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return stop, err
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if mem != "" {
		stops = append(stops, startPeakHeapProfiler(mem).stop)
	}
	return stop, nil
}
