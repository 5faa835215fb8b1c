package logparse

import (
	"bytes"
	"errors"
	"fmt"
)

// ComposeFormat reads lines that docker compose prefixed with the name of
// the service that wrote them ("caddy  | {...}", "web-1  | 192.0.2.1 - -
// ..."), as "docker compose logs" and "docker-compose up" print them: it
// strips the prefix and parses the rest in Inner. Its name is "compose:"
// followed by Inner's name, which ParseFormat accepts
// ("compose:caddy").
//
// The prefix is a service name (letters, digits, "_", ".", "-"), spaces, a
// "|" and one space, with or without the colour codes compose adds on a
// terminal. Lines without it are rejected with ErrLiteral: the log of
// another service in the same output, or a line compose wrapped. Errors
// point into the whole line (their columns count the prefix). Detect
// chooses a ComposeFormat when most lines carry the prefix, and detects
// Inner from the lines without it.
type ComposeFormat struct {
	Inner Format
}

// Name returns "compose:" and the inner format's name.
func (f ComposeFormat) Name() string { return "compose:" + f.Inner.Name() }

// NewParser returns a parser for one input.
func (f ComposeFormat) NewParser() Parser {
	return &composeParser{inner: f.Inner.NewParser()}
}

// Splittable reports whether Inner is.
func (f ComposeFormat) Splittable() bool { return isSplittable(f.Inner) }

func init() {
	registerStyle("compose", func(spec string) (Format, error) {
		inner, err := ParseFormat(spec)
		if err != nil {
			return nil, err
		}
		return ComposeFormat{Inner: inner}, nil
	})
}

type composeParser struct {
	inner Parser
}

func (p *composeParser) Parse(line []byte, rec *Record) error {
	n := composePrefix(line)
	if n < 0 {
		if isBlank(line) {
			return ErrSkip
		}
		return errAt(0, ErrLiteral)
	}
	err := p.inner.Parse(line[n:], rec)
	var le *lineError
	if errors.As(err, &le) {
		le.col += n
	}
	return err
}

// composePrefix returns the length of docker compose's "name  | " prefix
// at the start of line (colour codes included), or -1.
func composePrefix(line []byte) int {
	i := skipANSI(line, 0)
	start := i
	for i < len(line) {
		c := line[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || (i > start && (c == '_' || c == '.' || c == '-')) {
			i++
			continue
		}
		break
	}
	if i == start || i >= len(line) || line[i] != ' ' {
		return -1
	}
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i >= len(line) || line[i] != '|' {
		return -1
	}
	i = skipANSI(line, i+1)
	if i >= len(line) || line[i] != ' ' {
		return -1
	}
	return i + 1
}

// skipANSI skips the colour codes ("\x1b[36m") at line[i:].
func skipANSI(line []byte, i int) int {
	for i+2 < len(line) && line[i] == 0x1b && line[i+1] == '[' {
		j := i + 2
		for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == ';') {
			j++
		}
		if j >= len(line) || line[j] != 'm' {
			return i
		}
		i = j + 1
	}
	return i
}

// composeSamples returns the samples without their compose prefixes when
// at least half of their non-blank lines carry one, and how many do; nil
// otherwise.
func composeSamples(samples [][]byte) ([][]byte, int, int) {
	with, total := 0, 0
	for _, s := range samples {
		for line := range bytes.Lines(s) {
			if isBlank(bytes.TrimRight(line, "\r\n")) {
				continue
			}
			total++
			if composePrefix(line) >= 0 {
				with++
			}
		}
	}
	if with == 0 || 2*with < total {
		return nil, with, total
	}
	out := make([][]byte, len(samples))
	for k, s := range samples {
		var b []byte
		for line := range bytes.Lines(s) {
			if n := composePrefix(line); n >= 0 {
				line = line[n:]
			}
			b = append(b, line...)
		}
		out[k] = b
	}
	return out, with, total
}

// detectCompose detects the format inside compose-prefixed samples.
func detectCompose(inner [][]byte, with, total int, formats []Format) (Format, Detection, [][]Candidate, error) {
	f, d, per, err := detectSamples(inner, formats)
	why := fmt.Sprintf("%d of %d lines carry docker compose's \"service | \" prefix, read without it", with, total)
	if err != nil {
		return nil, d, per, fmt.Errorf("%w (%s)", err, why)
	}
	f = ComposeFormat{Inner: f}
	d.Format = f.Name()
	d.Reason = why + "; " + d.Reason
	return f, d, per, nil
}
