// Command forensics reads web-server access logs and decides which
// recordings of a leaked recording server were fetched, by whom, and which
// persons must be notified.
//
// Usage:
//
//	forensics analyze [--index FILE] [--out DIR] [LOG...]
//	forensics report [--lang sv|en] [--tz ZONE] DIR
//	forensics parse [--format F] [--out FILE.parquet] LOG...
//
// Run "forensics --help" for the flags.
package main

import (
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
	Report  ReportCmd  `cmd:"" help:"Render the reports (HTML, Markdown, per-region notification lists, letters) again from an output directory."`
	Analyze AnalyzeCmd `cmd:"" default:"withargs" help:"Decide which recordings and persons were exposed (runs the bundled demo without arguments)."`
}

func main() {
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("forensics"),
		kong.Description("Forensic analysis of web-server access logs for a leaked recording server."),
		kong.UsageOnError(),
		kong.Vars{"version": version},
		// Usage errors exit 1 (kong's own code is 80), as documented.
		kong.Exit(func(code int) {
			if code == 80 {
				code = exitFailure
			}
			os.Exit(code)
		}),
	)
	level := slog.LevelInfo
	if cli.Quiet {
		level = slog.LevelError
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := ctx.Run(logger); err != nil {
		// Errors carry positions, never line contents or personal data.
		os.Stderr.WriteString("forensics: " + err.Error() + "\n")
		os.Exit(exitCode(err))
	}
}
