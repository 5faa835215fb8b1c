package main

import (
	"errors"
	"log/slog"
)

// AnalyzeCmd is "forensics analyze". (Being written.)
type AnalyzeCmd struct {
	Logs []string `arg:"" optional:"" help:"Log files, directories or globs; - for standard input."`
}

// Run runs the command.
func (c *AnalyzeCmd) Run(log *slog.Logger) error { return errors.New("analyze: not built yet") }
