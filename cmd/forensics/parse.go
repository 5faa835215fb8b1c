package main

import (
	"errors"
	"log/slog"
)

// ParseCmd is "forensics parse". (Being written; owned by the parse work.)
type ParseCmd struct {
	Logs []string `arg:"" optional:"" help:"Log files, directories or globs; - for standard input."`
}

// Run runs the command.
func (c *ParseCmd) Run(log *slog.Logger) error { return errors.New("parse: not built yet") }
