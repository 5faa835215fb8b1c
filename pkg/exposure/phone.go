package exposure

import (
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// phoneRegion is the default region for numbers without a country code.
const phoneRegion = "SE"

// NormalizePhone returns the E.164 form ("+46701234567") of a phone
// number written in any usual way: "070-123 45 67", "0046701234567",
// "+46 70-123 45 67", or the bare "46701234567" seen in file names.
// Numbers without a country code are Swedish. It reports false when the
// libphonenumber metadata does not accept the number as valid.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	// Fast path for what indexes usually hold: digits only, or "+" and
	// digits.
	if d, ok := phoneDigits(s); ok {
		return normalizeDigitRun(d, s[0] == '+', nil)
	}
	return parsePhone(s)
}

// phoneDigits returns s without a leading '+' when s holds only digits
// after it.
func phoneDigits(s string) (string, bool) {
	d := strings.TrimPrefix(s, "+")
	if d == "" || len(d) > 17 {
		return "", false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return "", false
		}
	}
	return d, true
}

// normalizeDigitRun normalises a run of digits, with plus set when it
// was written after a '+'. A run starting with 46 and too long for a
// Swedish national number is read as country code 46. memo, when not
// nil, remembers verdicts on Swedish national numbers.
func normalizeDigitRun(d string, plus bool, memo *phoneMemo) (string, bool) {
	var nat string
	switch {
	case plus && strings.HasPrefix(d, "46"):
		nat = d[2:]
	case plus:
		return parsePhone("+" + d)
	case strings.HasPrefix(d, "0046"):
		nat = d[4:]
	case strings.HasPrefix(d, "00"):
		return parsePhone("+" + d[2:])
	case strings.HasPrefix(d, "46") && len(d) >= 9:
		nat = d[2:]
	case strings.HasPrefix(d, "0"):
		nat = d[1:]
	default:
		return parsePhone(d)
	}
	// A Swedish national significant number: no trunk 0, 6 to 11 digits.
	if len(nat) < 6 || len(nat) > 11 || nat[0] == '0' {
		return "", false
	}
	var n uint64
	for i := 0; i < len(nat); i++ {
		n = n*10 + uint64(nat[i]-'0')
	}
	if !memo.valid(n) {
		return "", false
	}
	return "+46" + nat, true
}

// A phoneMemo remembers which Swedish national numbers libphonenumber
// accepts, for loaders that see one caller many times. The nil memo
// remembers nothing. It is not safe for concurrent use.
type phoneMemo struct {
	seen map[uint64]bool
}

// phoneMemoMax bounds a phoneMemo; it starts afresh when full.
const phoneMemoMax = 1 << 16

func (m *phoneMemo) valid(n uint64) bool {
	if m != nil {
		if v, ok := m.seen[n]; ok {
			return v
		}
	}
	cc := int32(46)
	v := phonenumbers.IsValidNumber(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n})
	if m != nil {
		if m.seen == nil || len(m.seen) >= phoneMemoMax {
			m.seen = make(map[uint64]bool)
		}
		m.seen[n] = v
	}
	return v
}

// parsePhone parses s with libphonenumber, Swedish by default.
func parsePhone(s string) (string, bool) {
	num, err := phonenumbers.Parse(s, phoneRegion)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// PhoneFromFileName extracts a Swedish phone number from a recording's
// file name, such as "C123_46701234567.mp3" or
// "20190201-0930_0701234567.wav", and returns it in E.164 form. Any
// directory part is ignored.
//
// Only unbroken runs of digits are considered, and only those that start
// with 0046, 46 or a single 0 and that libphonenumber accepts as valid
// Swedish numbers; runs with a country code win over runs with the
// national prefix, then the first in the name wins. Dates and times
// ("20190201", "0930") do not start that way or are too short. A 10-digit
// run starting with 0 that is also a valid personnummer (a child born in
// the 2000s) is not taken for a phone number unless it has a mobile
// prefix (07).
func PhoneFromFileName(name string) (string, bool) {
	return phoneFromFileName(name, nil)
}

func phoneFromFileName(name string, memo *phoneMemo) (string, bool) {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	// First the runs with a country code, then those with the national
	// prefix: a call id such as C01234567 is not validated for nothing.
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < len(name); {
			if name[i] < '0' || name[i] > '9' {
				i++
				continue
			}
			j := i
			for j < len(name) && '0' <= name[j] && name[j] <= '9' {
				j++
			}
			run := name[i:j]
			i = j
			if pass == 0 && isIntlPhoneRun(run) {
				if e, ok := normalizeDigitRun(run, false, memo); ok && strings.HasPrefix(e, "+46") {
					return e, true
				}
			}
			if pass == 1 && !isIntlPhoneRun(run) && len(run) >= 8 && len(run) <= 11 && run[0] == '0' && run[1] != '0' {
				if len(run) == 10 && run[1] != '7' && ParseIdentity(run, time.Time{}).Valid() {
					continue
				}
				if e, ok := normalizeDigitRun(run, false, memo); ok {
					return e, true
				}
			}
		}
	}
	return "", false
}

// isIntlPhoneRun reports whether a digit run may be a Swedish number with
// its country code (0046... or 46...).
func isIntlPhoneRun(run string) bool {
	return strings.HasPrefix(run, "0046") && len(run) >= 11 && len(run) <= 15 ||
		strings.HasPrefix(run, "46") && len(run) >= 9 && len(run) <= 13
}

// A Phone is a phone number in E.164 form. It is personal data: String
// and LogValue mask all but the last two digits; Reveal shows it.
type Phone string

// String returns the number with all but its last two digits masked, as
// "+*********67". It returns "" for the empty Phone.
func (p Phone) String() string { return MaskPhone(string(p)) }

// LogValue implements slog.LogValuer with the masked form.
func (p Phone) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalText implements encoding.TextMarshaler with the masked form.
func (p Phone) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Reveal returns the full number.
func (p Phone) Reveal() string { return string(p) }

// MaskPhone masks every digit of s but the last two, keeping other
// characters ("+46 70-123 45 67" gives "+** **-*** ** 67").
func MaskPhone(s string) string {
	b := []byte(s)
	keep := 2
	for i := len(b) - 1; i >= 0; i-- {
		if '0' <= b[i] && b[i] <= '9' {
			if keep > 0 {
				keep--
				continue
			}
			b[i] = '*'
		}
	}
	return string(b)
}
