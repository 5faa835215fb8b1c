package logparse

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A Format is a log format: a name and a way to make parsers for it.
// Formats are immutable and safe for concurrent use; compile a format
// string once and share the Format.
type Format interface {
	// Name is the format's name as ParseFormat accepts it.
	Name() string
	// NewParser returns a parser for one input.
	NewParser() Parser
}

// A Parser parses the lines of one input. It may keep state from line to
// line (a W3C #Fields header) and is not safe for concurrent use.
type Parser interface {
	// Parse parses line, without its line terminator, into rec, which the
	// caller has reset. It returns ErrSkip for a line that holds no request
	// by design (a comment, a header directive, a blank line), and another
	// error for a line it cannot parse; that error must not hold the line's
	// contents.
	Parse(line []byte, rec *Record) error
}

// ErrSkip is returned by a Parser for a line that holds no request by
// design: a blank line, a comment, a header directive (W3C #Fields), a CSV
// header. The Reader counts the line in Stats.Skipped and goes on; it is
// never returned by Read. Compare with ==.
var ErrSkip = errors.New("logparse: skip line")

// A Format may implement Splittable to say whether it parses each line
// independently of the lines before it, so that ParallelReader may split
// one input at line boundaries and read its parts in parallel. A format
// that does not implement it is never split: a parser that keeps state
// from line to line (a W3C #Fields header) would read a chunk without the
// header that governs it.
type Splittable interface {
	Splittable() bool
}

var (
	formatsByName  = map[string]func() Format{}
	formatsByStyle = map[string]func(spec string) (Format, error){}
)

// register adds a built-in format by name. Called from init functions only.
func register(name string, f func() Format) {
	if _, dup := formatsByName[name]; dup {
		panic("logparse: format registered twice: " + name)
	}
	formatsByName[name] = f
}

// registerStyle adds a format-string compiler reached as "style:spec"
// ("apache:%h %l ...", "nginx:$remote_addr ..."). Called from init only.
func registerStyle(style string, compile func(spec string) (Format, error)) {
	formatsByStyle[style] = compile
}

// FormatNames returns the names of the built-in formats, sorted, followed
// by the format-string styles as "style:".
func FormatNames() []string {
	var names []string
	for n := range formatsByName {
		names = append(names, n)
	}
	slices.Sort(names)
	var styles []string
	for s := range formatsByStyle {
		styles = append(styles, s+":")
	}
	slices.Sort(styles)
	return append(names, styles...)
}

// ParseFormat returns the format that spec names: a built-in name such as
// "combined" (see FormatNames), or a format string behind its style, as in
// "apache:%h %l %u %t \"%r\" %>s %b" or "nginx:$remote_addr [$time_local]".
// Format strings are compiled once here; an unknown directive is an error.
func ParseFormat(spec string) (Format, error) {
	if f, ok := formatsByName[spec]; ok {
		return f(), nil
	}
	if style, rest, ok := strings.Cut(spec, ":"); ok {
		if compile, ok := formatsByStyle[style]; ok {
			f, err := compile(rest)
			if err != nil {
				return nil, fmt.Errorf("logparse: %s format: %w", style, err)
			}
			return f, nil
		}
	}
	return nil, fmt.Errorf("logparse: %w %q (known: %s)", ErrUnknownFormat, spec, strings.Join(FormatNames(), ", "))
}

// A FormatStringError reports a bad format string at a byte position.
type FormatStringError struct {
	Pos int    // 0-based byte position in the format string
	Msg string // what is wrong
}

func (e *FormatStringError) Error() string {
	return fmt.Sprintf("position %d: %s", e.Pos, e.Msg)
}
