package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// gen holds what every chunk shares: the configuration, the clients and
// the distinct-count bitmaps.
type gen struct {
	cfg    Config
	days   int64
	all    []client
	byKind [nKinds][]int
	stats  struct {
		persons, children bitmap // by person key
		requested         bitmap // by recording
		clients           bitmap // by client id
	}
}

// Stats describes what was generated: the figures to compare with the
// incident, and the counts the tests check against the files.
type Stats struct {
	Recordings          int   `json:"recordings"`
	Subjects            int   `json:"subjects"` // (call, subject) pairs in the index
	Persons             int   `json:"persons"`  // distinct identity numbers
	Children            int   `json:"children"` // persons under 18 at one of their calls
	Samordningsnummer   int   `json:"samordningsnummer"`
	Lines               int   `json:"lines"`
	Bytes               int64 `json:"bytes"`
	Clients             int   `json:"clients"` // distinct client addresses in the log
	ClientsIPv6         int   `json:"clients_ipv6"`
	UserAgents          int   `json:"user_agents"`          // distinct
	RecordingRequests   int   `json:"recording_requests"`   // requests for index paths, not 404
	RecordingsRequested int   `json:"recordings_requested"` // distinct recordings among them
	Recording404        int   `json:"recording_404"`        // requests for recordings not yet there
	Deliveries          int   `json:"deliveries"`           // 200/206 of recordings with bytes
	FullGets            int   `json:"full_gets"`            // 200 of recordings
	Partial             int   `json:"partial"`              // 206
	Heads               int   `json:"heads"`
	NotModified         int   `json:"not_modified"`    // 304
	NotFound            int   `json:"not_found"`       // every 404
	Listings            int   `json:"listings"`        // GET 200 of a folder
	DayListings         int   `json:"day_listings"`    // of a day folder (they show recordings)
	SortedListings      int   `json:"sorted_listings"` // with ?C=..;O=..
}

// Generate writes index.csv and access.log into dir and returns what they
// hold.
func Generate(cfg Config, dir string) (Stats, error) {
	if cfg.Scale == 0 {
		cfg.Scale = 1
	}
	if err := cfg.valid(); err != nil {
		return Stats{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, err
	}
	g := &gen{cfg: cfg, days: recTo - recFrom}
	g.stats.persons = newBitmap(keySpace)
	g.stats.children = newBitmap(keySpace)
	g.stats.requested = newBitmap(cfg.Recordings)
	g.stats.clients = newBitmap(cfg.Clients)
	g.clients()

	var st Stats
	nIndex := (cfg.Recordings + chunkLines - 1) / chunkLines
	idx, err := writeChunks(filepath.Join(dir, "index.csv"), indexHeader, nIndex, cfg.workers(), func(c int, buf []byte) ([]byte, chunkStats) {
		var cs chunkStats
		for i := c * chunkLines; i < min((c+1)*chunkLines, cfg.Recordings); i++ {
			buf = g.appendIndexRow(buf, i, &cs)
		}
		return buf, cs
	})
	if err != nil {
		return st, err
	}
	total := cfg.Lines * cfg.Scale
	nLog := (total + chunkLines - 1) / chunkLines
	lg, err := writeChunks(filepath.Join(dir, "access.log"), "", nLog, cfg.workers(), g.writeLogChunk)
	if err != nil {
		return st, err
	}
	st = Stats{
		Recordings:          cfg.Recordings,
		Subjects:            idx.subjects,
		Persons:             g.stats.persons.count(),
		Children:            g.stats.children.count(),
		Samordningsnummer:   g.stats.persons.countOdd(),
		Lines:               lg.lines,
		Bytes:               lg.bytes,
		Clients:             g.stats.clients.count(),
		RecordingRequests:   lg.recordingRequests,
		RecordingsRequested: g.stats.requested.count(),
		Recording404:        lg.recording404,
		Deliveries:          lg.deliveries,
		FullGets:            lg.full,
		Partial:             lg.partial,
		Heads:               lg.heads,
		NotModified:         lg.notModified,
		NotFound:            lg.notFound,
		Listings:            lg.listings,
		DayListings:         lg.dayListings,
		SortedListings:      lg.sortedListings,
	}
	uas := map[string]bool{}
	for i := range g.all {
		if g.stats.clients.has(i) {
			uas[g.all[i].ua] = true
			if g.all[i].v6 {
				st.ClientsIPv6++
			}
		}
	}
	st.UserAgents = len(uas)
	return st, nil
}

// writeChunks writes header and then chunks 0..n-1, made by workers in
// parallel, in order.
func writeChunks(name, header string, n, workers int, produce func(c int, buf []byte) ([]byte, chunkStats)) (chunkStats, error) {
	var total chunkStats
	f, err := os.Create(name)
	if err != nil {
		return total, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(header)
	type result struct {
		buf []byte
		st  chunkStats
	}
	// Each chunk has its own channel; chunk c goes to worker c % workers, so
	// at most 2 chunks per worker are in memory.
	outs := make([]chan result, n)
	for c := range outs {
		outs[c] = make(chan result, 1)
	}
	free := make(chan []byte, 2*workers)
	for range 2 * workers {
		free <- make([]byte, 0, chunkLines*256)
	}
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := wk; c < n; c += workers {
				buf := <-free
				b, st := produce(c, buf[:0])
				outs[c] <- result{b, st}
			}
		}()
	}
	var werr error
	for c := range n {
		r := <-outs[c]
		if werr == nil {
			_, werr = w.Write(r.buf)
		}
		total.add(r.st)
		free <- r.buf
	}
	wg.Wait()
	if werr == nil {
		werr = w.Flush()
	}
	if err := f.Close(); werr == nil {
		werr = err
	}
	return total, werr
}

// String prints the stats as a table.
func (s Stats) String() string {
	var b strings.Builder
	row := func(k string, v any) { fmt.Fprintf(&b, "%-22s %v\n", k, v) }
	row("recordings", s.Recordings)
	row("subjects", s.Subjects)
	row("persons", s.Persons)
	row("children", s.Children)
	row("samordningsnummer", s.Samordningsnummer)
	row("lines", s.Lines)
	row("bytes", s.Bytes)
	row("clients", s.Clients)
	row("clients_ipv6", s.ClientsIPv6)
	row("user_agents", s.UserAgents)
	row("recording_requests", s.RecordingRequests)
	row("recordings_requested", s.RecordingsRequested)
	row("recording_404", s.Recording404)
	row("deliveries", s.Deliveries)
	row("full_gets", s.FullGets)
	row("partial", s.Partial)
	row("heads", s.Heads)
	row("not_modified", s.NotModified)
	row("not_found", s.NotFound)
	row("listings", s.Listings)
	row("day_listings", s.DayListings)
	row("sorted_listings", s.SortedListings)
	return b.String()
}
