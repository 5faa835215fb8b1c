package exposure

import "fmt"

// Level is how much of a recording reached an actor, or a person's
// highest exposure. Levels order by severity: Full > Partial > Metadata >
// Undeterminable > None, so the highest level of a person is the maximum.
type Level uint8

const (
	// None: the logs cover the period and show no exposure.
	None Level = iota
	// Undeterminable: the recording existed while no log covers the
	// server, and no log shows it fetched in full. No evidence is not
	// evidence of no access.
	Undeterminable
	// Metadata: the name was seen (directory listing, HEAD, 304, an empty
	// 200), so the phone number in it, but no audio bytes.
	Metadata
	// Partial: some audio bytes were delivered.
	Partial
	// Full: every audio byte was delivered.
	Full
)

var levelNames = [...]string{"none", "undeterminable", "metadata", "partial", "full"}

// String returns the level's name as written in outputs.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", l)
}

// ParseLevel returns the level with the given name.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), nil
		}
	}
	return None, fmt.Errorf("exposure: unknown level %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	*l = v
	return err
}
