package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// AnalyzeCmd is "forensics analyze": the main job.
type AnalyzeCmd struct {
	Index       string            `help:"Recording index: CSV, JSON Lines or Parquet (path, call_id, started_at, duration_s, size_bytes, region, caller_phone, subjects)." placeholder:"FILE" type:"existingfile"`
	IndexFormat string            `help:"Index format; default: from the file name." enum:"csv,jsonl,parquet," default:""`
	Column      map[string]string `help:"Map an index column to ours, e.g. --column path=file_name." placeholder:"OURS=THEIRS"`
	Out         string            `help:"Output directory; default: a new forensics-out-<time> directory here." placeholder:"DIR"`
	Format      string            `help:"Log format for every input: a name (see 'forensics parse --help'), apache:<LogFormat> or nginx:<log_format>; default: detected per input." placeholder:"F"`

	StripPrefix string `help:"Server URL path prefix to remove before matching the index (e.g. /public)." placeholder:"PREFIX"`
	AddPrefix   string `help:"Prefix to add to request paths after stripping, to match index paths." placeholder:"PREFIX"`
	FoldCase    bool   `help:"Match paths case-insensitively (servers on case-insensitive file systems)."`

	ActorKey        string   `help:"What makes an actor: ip, or ip+ua to split per user agent." enum:"ip,ip+ua" default:"ip"`
	TrustedProxy    []string `help:"Proxy address or CIDR whose X-Forwarded-For is trusted (repeatable), as nginx realip / Apache mod_remoteip." placeholder:"CIDR"`
	GeoIPCity       string   `name:"geoip-city" help:"GeoIP2/GeoLite2/DB-IP City database (.mmdb), ideally from the time of the incident." type:"existingfile" placeholder:"DB"`
	GeoIPASN        string   `name:"geoip-asn" help:"GeoIP2/GeoLite2/DB-IP ASN database (.mmdb)." type:"existingfile" placeholder:"DB"`
	Actors          string   `help:"Known actors (YAML or CSV): CIDRs and user-agent patterns -> label, category." type:"existingfile" placeholder:"FILE"`
	TrustedCategory []string `help:"Actor categories whose access is not an exposure (the controller's own systems); their rows are kept, labelled. Give 'none' to trust no one." default:"authorized,internal" placeholder:"CATEGORY"`

	Gap         time.Duration `help:"Shortest silence in a log source that counts as a coverage gap; default: chosen from the traffic." placeholder:"DURATION"`
	ExposedFrom string        `help:"Start of the exposure window (RFC 3339 or YYYY-MM-DD); default: the first recording." placeholder:"TIME"`
	ExposedTo   string        `help:"End of the exposure window (RFC 3339 or YYYY-MM-DD); default: the last log line." placeholder:"TIME"`
	HeaderBytes int64         `help:"Bytes subtracted from wire byte counts (%O, $bytes_sent) for response headers." default:"150"`
	Workers     int           `help:"Parallel workers; default: all cores." default:"0"`
	ShardMemory bytesFlag     `name:"shard-memory" help:"Memory each worker holds for the requests it has seen before it spills sorted runs to --temp-dir (e.g. 64MiB, 1GiB)." default:"64MiB" placeholder:"SIZE"`
	MemoryLimit bytesFlag     `name:"memory-limit" help:"Soft limit of the heap: the garbage collector works harder as the heap nears it (Go's GOMEMLIMIT, which takes precedence when set). 0: none." default:"900MiB" placeholder:"SIZE"`
	NoReports   bool          `name:"no-reports" help:"Write the data files only (Parquet, summary, manifest); render the reports, lists and letters later with 'forensics report DIR'."`
	TempDir     string        `help:"Directory for the spilled runs (recording and actor numbers, times, line numbers: no personal data); default: the system's temporary directory." placeholder:"DIR"`
	Controller  []string      `help:"Data controller, for the Art. 33 drafts and the letters: REGION=NAME names a region's own (repeat it per region), NAME alone the whole's." sep:"none" placeholder:"[REGION=]NAME"`
	Contact     []string      `help:"Contact point (DPO), for the Art. 33 drafts and the letters: REGION=CONTACT or CONTACT, as --controller." sep:"none" placeholder:"[REGION=]CONTACT"`

	Pseudonymize string `help:"Replace subject IDs and phone numbers in all outputs with keyed pseudonyms (HMAC-SHA256), to share them beyond the response team. KEY_FILE: at least 32 random bytes, mode 0600 (head -c 32 /dev/urandom | base64 > KEY_FILE); keep it, and never send it with the outputs." type:"existingfile" placeholder:"KEY_FILE"`
	pseudonymKey []byte

	profileFlags `embed:""`

	Logs []string `arg:"" optional:"" help:"Log files, directories or globs (rotated and compressed sets welcome); - for standard input." placeholder:"LOG"`

	demo  bool
	quiet bool
	std   *stdio
}

// Validate checks flags that depend on each other.
func (c *AnalyzeCmd) Validate() error {
	if c.Index == "" && len(c.Logs) > 0 {
		return errors.New("--index is required when logs are given (run with no arguments for the demo)")
	}
	if c.Index != "" && len(c.Logs) == 0 {
		return errors.New("no logs given")
	}
	if c.Format != "" {
		if _, err := logparse.ParseFormat(c.Format); err != nil {
			return err
		}
	}
	for _, t := range []string{c.ExposedFrom, c.ExposedTo} {
		if t != "" {
			if _, err := parseWhen(t); err != nil {
				return err
			}
		}
	}
	if _, err := exposure.ParsePrefixes(c.TrustedProxy); err != nil {
		return fmt.Errorf("--trusted-proxy: %w", err)
	}
	return nil
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad time %q: want RFC 3339 or YYYY-MM-DD", s)
}

// Run runs the analysis.
func (c *AnalyzeCmd) Run(log *slog.Logger, std *stdio) error {
	c.std = std
	c.quiet = !log.Enabled(context.Background(), slog.LevelInfo)
	if c.Index == "" && len(c.Logs) == 0 {
		if err := c.useDemo(log); err != nil {
			return err
		}
	}
	if c.Pseudonymize != "" {
		key, err := loadPseudonymKey(c.Pseudonymize)
		if err != nil {
			return err
		}
		c.pseudonymKey = key
	}
	if c.Out == "" {
		c.Out = "forensics-out-" + time.Now().UTC().Format("20060102T150405Z")
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if os.Getenv("GOMEMLIMIT") == "" && c.MemoryLimit > 0 {
		debug.SetMemoryLimit(int64(c.MemoryLimit))
	}
	started := time.Now()
	// --out first: locked and proven writable before any input is read;
	// a signal from here on removes what the run wrote.
	watch := watchInterrupt()
	defer watch.stop()
	out, err := watch.open(c.Out)
	if err != nil {
		return err
	}
	defer out.Close()
	stopProfiles, err := c.profileFlags.start()
	if err != nil {
		return err
	}
	defer stopProfiles()

	run, err := c.setup(log)
	if err != nil {
		return err
	}
	defer run.close()
	// The engine is let go before the reports (see analysis.release): the
	// interrupt handler reaches it through live, not a method value.
	var live atomic.Pointer[exposure.Engine]
	live.Store(run.engine)
	watch.atInterrupt(func() error {
		if e := live.Load(); e != nil {
			return e.Close()
		}
		return nil
	})

	if err := run.readLogs(log); err != nil {
		return err
	}
	run.problems = run.checkInputs(log)
	run.noteInputNames()
	run.skippedReports = skippedInputs(log, run.skipped)
	// Every output goes into the staging directory (see outdir.go): the
	// rows as the engine decides them, then the rest, the manifest last.
	staging := out.Staging()
	sink, err := openOutputSink(staging, c.pseudonymKey)
	if err != nil {
		return err
	}
	// The engine writes the rows of the data files as it decides them.
	decided := phase(log, "deciding")
	rep, err := run.engine.Finish(sink, run.shards...)
	if err != nil {
		sink.abort()
		return err
	}
	if err := sink.close(); err != nil {
		return fmt.Errorf("write outputs: %w", err)
	}
	decided("persons", rep.Summary.PersonsTotal, "to_notify", rep.Summary.PersonsNotify)
	if p := run.checkMatches(log, rep.Summary.Engine); p != "" {
		run.problems = append(run.problems, p)
	}
	if to := rep.Summary.LogsTo; c.ExposedTo == "" && to.After(time.Now().Add(24*time.Hour)) {
		// A clock jump in one line would stretch the window to it.
		log.Warn("a log line is dated in the future: the exposure window ends there; set --exposed-to", "logs_to", to.Format(time.RFC3339))
	}
	run.noteOverlaps(log, rep.Overlaps)
	live.Store(nil)
	run.release()
	if c.pseudonymKey != nil {
		log.Info("outputs pseudonymized", "key_id", pseudonymKeyID(c.pseudonymKey))
	}
	written := phase(log, "writing", "reports", !c.NoReports)
	if err := run.write(staging, rep, started, log); err != nil {
		return err
	}
	written()
	if err := out.Commit(manifestName, previousOutputs(c.Out)); err != nil {
		return err
	}
	printSummary(std.Out, c.Out, rep.Summary)
	if len(run.problems) > 0 {
		return &verdictError{run.problems, run.partial}
	}
	if run.partial {
		return errPartialInput
	}
	return nil
}

// useDemo points the command at the bundled demo incident.
func (c *AnalyzeCmd) useDemo(log *slog.Logger) error {
	dir, err := findDemo()
	if err != nil {
		return err
	}
	c.demo = true
	c.Index = filepath.Join(dir, "index.csv")
	c.Logs = []string{filepath.Join(dir, "logs")}
	if _, err := os.Stat(filepath.Join(dir, "actors.yaml")); err == nil && c.Actors == "" {
		c.Actors = filepath.Join(dir, "actors.yaml")
	}
	if _, err := os.Stat(filepath.Join(dir, "geoip", "city.mmdb")); err == nil && c.GeoIPCity == "" {
		c.GeoIPCity = filepath.Join(dir, "geoip", "city.mmdb")
		c.GeoIPASN = filepath.Join(dir, "geoip", "asn.mmdb")
	}
	// The demo's reverse proxy (documented in fixtures/README.md) is
	// listed in its truth file.
	if b, err := os.ReadFile(filepath.Join(dir, "expected.json")); err == nil && len(c.TrustedProxy) == 0 {
		var truth struct {
			TrustedProxies []string `json:"trusted_proxies"`
		}
		if json.Unmarshal(b, &truth) == nil {
			c.TrustedProxy = truth.TrustedProxies
		}
	}
	log.Info("no arguments: analysing the bundled demo incident", "dir", dir)
	return nil
}

// findDemo looks for fixtures/demo from the working directory upwards, so
// that "go run ./cmd/forensics" works anywhere in the repository.
func findDemo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		cand := filepath.Join(dir, "fixtures", "demo")
		if st, err := os.Stat(filepath.Join(cand, "index.csv")); err == nil && !st.IsDir() {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no arguments and no fixtures/demo found here or above: give --index and logs")
		}
		dir = parent
	}
}
