package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/forensiclog/forensics/internal/report"
	decision "github.com/forensiclog/forensics/sql"
)

// SQLCmd is "forensics sql": the decision SQL over a request dataset and
// an exported index, printed, or run with a DuckDB found on PATH.
type SQLCmd struct {
	Dataset         string   `arg:"" name:"DATASET" help:"Dataset directory written by 'forensics parse --dataset'."`
	IndexDir        string   `arg:"" name:"INDEX" help:"Directory written by 'forensics index export'."`
	Listing         string   `enum:"asof,band" default:"asof" help:"How the first listing after a file appeared is found: asof (DuckDB's ASOF JOIN) or band (a band join and MIN, for Spark and Trino)."`
	Gap             int64    `placeholder:"MINUTES" help:"Coverage gap threshold in minutes (as analyze --gap); default: chosen from the traffic as analyze does."`
	ExposedFrom     string   `placeholder:"TIME" help:"Start of the exposure window, RFC 3339 (as analyze)."`
	ExposedTo       string   `placeholder:"TIME" help:"End of the exposure window, RFC 3339 (as analyze)."`
	ActorKey        string   `help:"What makes an actor, as analyze: ip, or ip+ua to split per user agent." enum:"ip,ip+ua" default:"ip"`
	TrustedCategory []string `default:"authorized,internal" help:"Actor categories whose access is no exposure (as analyze); 'none' for none."`
	Out             string   `placeholder:"DIR" help:"End the script by writing the outputs to DIR as recordings.parquet, persons.parquet, exposures.parquet and listings.parquet, as analyze names them (with --run, DIR is created); without it the script ends with a summary."`
	MemoryLimit     string   `name:"memory-limit" placeholder:"SIZE" help:"Start the script with DuckDB's SET memory_limit (e.g. 1GB): past it DuckDB spills to disk. Default: DuckDB's (80% of the machine's memory)."`
	TempDir         string   `name:"temp-dir" placeholder:"DIR" help:"Start the script with DuckDB's SET temp_directory: where it spills (13.6 GB at most, sampled, on the benchmark's incident at 1GB). Default: DuckDB's (.tmp in the working directory)."`
	Execute         bool     `name:"run" help:"Run the SQL with the DuckDB command line (--duckdb) and print its level counts; without --run the SQL is printed."`
	DuckDB          string   `name:"duckdb" default:"duckdb" placeholder:"CMD" help:"With --run: the DuckDB command line, a name looked up on PATH or a path; it is given -batch -bail and the script on standard input; its errors are passed on with runs of 6 or more digits (identity and phone numbers a message may quote) replaced by #."`
}

// Script returns the whole DuckDB script: sources, decision, DuckDB's
// tables, then a summary or, with --out, the outputs written.
func (c *SQLCmd) Script() (string, error) {
	lit := func(flag, s string) (string, error) {
		if s == "" {
			return "NULL", nil
		}
		t, err := parseWhen(s)
		if err != nil {
			return "", fmt.Errorf("--%s: %w", flag, err)
		}
		return strconv.FormatInt(t.UnixMicro(), 10), nil
	}
	from, err := lit("exposed-from", c.ExposedFrom)
	if err != nil {
		return "", err
	}
	to, err := lit("exposed-to", c.ExposedTo)
	if err != nil {
		return "", err
	}
	gap := "NULL"
	if c.Gap > 0 {
		gap = strconv.FormatInt(c.Gap, 10)
	}
	end := decision.Summary
	if c.Out != "" {
		end = decision.DuckDBCopy(c.Out)
	}
	var trusted []string
	for _, t := range c.TrustedCategory {
		if t != "none" {
			trusted = append(trusted, t)
		}
	}
	return decision.DuckDBSettings(c.MemoryLimit, c.TempDir) + decision.DuckDBSourcesKeyed(c.Dataset, c.IndexDir, gap, from, to, trusted, c.ActorKey) + "\n" +
		decision.Decision(c.Listing) + "\n" + decision.DuckDBTables() + "\n" + end, nil
}

// Run prints or runs the script.
func (c *SQLCmd) Run(log *slog.Logger, std *stdio) error {
	script, err := c.Script()
	if err != nil {
		return err
	}
	if !c.Execute {
		_, err := io.WriteString(std.Out, script)
		return err
	}
	// No DuckDB is no result: fail, rather than print a script where
	// a caller of --run expects level counts.
	duck, err := exec.LookPath(c.DuckDB)
	if err != nil {
		return fmt.Errorf("--run: no DuckDB command %q found (install the DuckDB CLI, or name it with --duckdb; without --run the SQL is printed)", c.DuckDB)
	}
	if c.Out != "" {
		if err := os.MkdirAll(c.Out, 0o755); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	log.Debug("running the decision SQL", "duckdb", duck)
	cmd := exec.Command(duck, "-batch", "-bail")
	cmd.Stdin = strings.NewReader(script)
	// DuckDB's errors can quote a value of the data (a conversion error
	// names the string it could not convert), and a value can be an
	// identity or phone number: its standard error is passed on with
	// such numbers taken out.
	stderr := &scrubLines{w: std.Err}
	cmd.Stdout, cmd.Stderr = std.Out, stderr
	err = cmd.Run()
	stderr.flush()
	if err != nil {
		return errors.New("--run: duckdb failed: " + err.Error())
	}
	return nil
}

// scrubLines writes what it is given to w line by line, each line with
// its runs of 6 or more digits replaced (report.ScrubNumbers).
type scrubLines struct {
	w    io.Writer
	line []byte // a line not ended yet
}

func (s *scrubLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.line = append(s.line, p...)
			break
		}
		s.line = append(s.line, p[:i+1]...)
		p = p[i+1:]
		if _, err := io.WriteString(s.w, report.ScrubNumbers(string(s.line))); err != nil {
			return n, err
		}
		s.line = s.line[:0]
	}
	return n, nil
}

// flush writes the last line when it had no line end.
func (s *scrubLines) flush() {
	if len(s.line) > 0 {
		io.WriteString(s.w, report.ScrubNumbers(string(s.line)))
		s.line = nil
	}
}
