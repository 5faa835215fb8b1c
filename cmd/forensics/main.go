// Command forensics reads web-server access logs and decides which
// recordings of a leaked recording server were fetched, by whom, and which
// persons must be notified.
//
// Usage:
//
//	forensics analyze [--index FILE] [--out DIR] [LOG...]
//	forensics report [--lang sv|en] [--tz ZONE] DIR
//	forensics parse [--format F] [--out FILE.parquet | --dataset DIR] LOG...
//	forensics index export --index FILE --out DIR
//	forensics sql [--run] DATASET INDEX
//
// Run "forensics --help" for the flags.
package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/alecthomas/kong"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// CLI is the command line.
type CLI struct {
	Version kong.VersionFlag `help:"Print the version and exit."`
	Quiet   bool             `short:"q" help:"Only print errors on stderr."`

	Parse   ParseCmd   `cmd:"" help:"Parse access logs into normalized records (JSON lines or Parquet)."`
	Index   IndexCmd   `cmd:"" help:"Export a recording index as Parquet for SQL."`
	SQL     SQLCmd     `cmd:"" name:"sql" help:"Print (or run with DuckDB) the SQL that decides the verdicts over a request dataset (parse --dataset) and an exported index."`
	Report  ReportCmd  `cmd:"" help:"Render the reports (HTML, Markdown, per-region notification lists, letters) again from an output directory."`
	Analyze AnalyzeCmd `cmd:"" default:"withargs" help:"Decide which recordings and persons were exposed (runs the bundled demo without arguments)."`
}

// stdio is where a command reads standard input and writes its data (Out)
// and its progress (Err); its messages go through the *slog.Logger, which
// writes to Err too. Commands never use os.Stdin, os.Stdout or os.Stderr.
type stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

func main() {
	os.Exit(run(os.Args[1:], &stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}

// exitRequest carries kong's exit (after --help, --version or a usage
// error) out of the parser, so that run returns instead of exiting.
type exitRequest struct{ code int }

// run runs the command line args with std and returns the exit status.
// It is the command, whole: main calls it, and so do the tests.
func run(args []string, std *stdio) (code int) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exitRequest)
			if !ok {
				panic(r)
			}
			code = e.code
		}
	}()
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("forensics"),
		kong.Description("Forensic analysis of web-server access logs for a leaked recording server."),
		kong.UsageOnError(),
		kong.Vars{"version": version},
		kong.Writers(std.Out, std.Err),
		kong.Bind(std),
		// Usage errors exit 1 (kong's own code is 80), as documented.
		kong.Exit(func(code int) {
			if code == 80 {
				code = exitFailure
			}
			panic(exitRequest{code})
		}),
	)
	if err != nil {
		panic(err) // the CLI struct is wrong: a programming error
	}
	ctx, err := parser.Parse(args)
	parser.FatalIfErrorf(err)
	level := slog.LevelInfo
	if cli.Quiet {
		level = slog.LevelError
	}
	logger := slog.New(slog.NewTextHandler(std.Err, &slog.HandlerOptions{Level: level}))
	if err := ctx.Run(logger); err != nil {
		// Errors carry positions, never line contents or personal data.
		io.WriteString(std.Err, "forensics: "+err.Error()+"\n")
		return exitCode(err)
	}
	return 0
}
