package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"

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
	Execute         bool     `name:"run" help:"Run the SQL with the DuckDB command line (--duckdb) and print its level counts; without --run the SQL is printed."`
	DuckDB          string   `name:"duckdb" default:"duckdb" placeholder:"CMD" help:"With --run: the DuckDB command line, a name looked up on PATH or a path; it is given -batch -bail and the script on standard input."`
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
	return decision.DuckDBSourcesKeyed(c.Dataset, c.IndexDir, gap, from, to, trusted, c.ActorKey) + "\n" +
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
	cmd.Stdout, cmd.Stderr = std.Out, std.Err
	if err := cmd.Run(); err != nil {
		return errors.New("--run: duckdb failed: " + err.Error())
	}
	return nil
}
