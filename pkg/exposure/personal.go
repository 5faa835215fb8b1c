package exposure

import (
	"fmt"
	"log/slog"
)

// Personal numbers in the engine's rows are typed, so that they cannot
// be printed by accident: an IdentityNumber or a Phone masks itself in
// String, in every fmt verb (%v, %+v, %#v, %s, %q, %x, ...), in
// LogValue (log/slog) and in MarshalText (encoding/json, YAML). Reveal
// returns the whole value; call it only where the value is meant to go
// (an output file made for personal data, a pseudonymizer).

// An IdentityNumber is a subject's identity number in an output row: the
// person's key (Identity.ID: the 12-digit form YYYYMMDDNNNC when known,
// else the identifier as given) or the number as the index gave it
// (Identity.Given). It is personal data: every printed form is masked (a
// valid number keeps its birth date, "19800101-****"); Reveal returns it.
type IdentityNumber string

// String returns the masked form: the date part of a number in one of
// the personnummer forms followed by "-****" ("19800101-****",
// "800101-****"), "****" for anything else, "" for "".
func (n IdentityNumber) String() string {
	s := string(n)
	if s == "" {
		return ""
	}
	digits := func(t string) bool {
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return false
			}
		}
		return true
	}
	for _, date := range []int{8, 6} {
		switch {
		case len(s) == date+4 && digits(s),
			len(s) == date+5 && digits(s[:date]) && (s[date] == '-' || s[date] == '+') && digits(s[date+1:]):
			return s[:date] + "-****"
		}
	}
	return "****"
}

// Format implements fmt.Formatter: every verb prints the masked form
// (%#v as exposure.IdentityNumber("19800101-****")).
func (n IdentityNumber) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, "exposure.IdentityNumber", n.String())
}

// LogValue implements slog.LogValuer with the masked form.
func (n IdentityNumber) LogValue() slog.Value { return slog.StringValue(n.String()) }

// MarshalText implements encoding.TextMarshaler with the masked form.
func (n IdentityNumber) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// Reveal returns the whole number.
func (n IdentityNumber) Reveal() string { return string(n) }

// A Phone is a phone number in E.164 form (or as given, when not a valid
// number). It is personal data: every printed form masks all but the
// last two digits; Reveal returns it.
type Phone string

// String returns the number with all but its last two digits masked, as
// "+*********67". It returns "" for the empty Phone.
func (p Phone) String() string { return MaskPhone(string(p)) }

// Format implements fmt.Formatter: every verb prints the masked form
// (%#v as exposure.Phone("+*********67")).
func (p Phone) Format(f fmt.State, verb rune) { formatMasked(f, verb, "exposure.Phone", p.String()) }

// LogValue implements slog.LogValuer with the masked form.
func (p Phone) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalText implements encoding.TextMarshaler with the masked form.
func (p Phone) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Reveal returns the full number.
func (p Phone) Reveal() string { return string(p) }

// formatMasked prints masked for any verb: quoted for %q, as a Go
// expression for %#v, else as %s would (width and flags kept).
func formatMasked(f fmt.State, verb rune, typ, masked string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "%s(%q)", typ, masked)
	case verb == 'q':
		fmt.Fprintf(f, fmt.FormatString(f, 'q'), masked)
	default:
		fmt.Fprintf(f, fmt.FormatString(f, 's'), masked)
	}
}
