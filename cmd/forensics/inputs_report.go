package main

import (
	"encoding/base64"
	"log/slog"
	"unicode/utf8"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// File names are kept exactly in the manifest: JSON cannot hold bytes
// that are not UTF-8 (a name written by a Latin-1 system, say), so a name
// that is not valid UTF-8 is written escaped in "name" (each bad byte as
// U+FFFD) and exactly, base64-encoded, in "name_b64", from which the raw
// bytes are recovered (base64 -d).

// skippedReport is a file a folder walk found and did not read: a named
// pipe, a device or a socket.
type skippedReport struct {
	Name    string `json:"name"`
	NameB64 string `json:"name_b64,omitempty"`
	Kind    string `json:"kind"`
}

// rawName returns the base64 of name when name is not valid UTF-8, else "".
func rawName(name string) string {
	if utf8.ValidString(name) {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(name))
}

// noteInputNames sets name_b64 on the inputs whose names are not UTF-8.
func (a *analysis) noteInputNames() {
	for i := range a.inputs {
		a.inputs[i].NameB64 = rawName(a.inputs[i].Name)
	}
}

// skippedInputs reports the files the folder walks skipped, on stderr and
// for the manifest.
func skippedInputs(log *slog.Logger, skipped []logparse.SkippedInput) []skippedReport {
	var out []skippedReport
	for _, s := range skipped {
		log.Warn("file in a log folder skipped: not a regular file", "input", s.Name, "kind", s.Kind)
		out = append(out, skippedReport{Name: s.Name, NameB64: rawName(s.Name), Kind: s.Kind})
	}
	return out
}
