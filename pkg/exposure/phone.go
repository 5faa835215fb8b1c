package exposure

import (
	"path"
	"strconv"
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
	if nat, ok := swedishNational(s); ok && seValid(nat) {
		return "+46" + nat, true
	}
	return parsePhone(s)
}

// swedishNational reads the common written forms of a Swedish number
// ("070-123 45 67", "+46 70-123 45 67", "0046 8-123 456 78", "08123456")
// by hand: an optional '+', digits with single spaces or dashes between
// them, starting with +46, 0046 or a trunk 0 before a non-zero digit. It
// returns the national significant number's digits, or false for any
// other form (left to libphonenumber).
func swedishNational(s string) (string, bool) {
	var buf [20]byte
	d := buf[:0]
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			if len(d) == len(buf) {
				return "", false
			}
			d = append(d, c)
		case c == '+' && i == 0:
			plus = true
		case (c == ' ' || c == '-') && i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]):
		default:
			return "", false
		}
	}
	var nat []byte
	switch {
	case plus && len(d) > 2 && d[0] == '4' && d[1] == '6':
		nat = d[2:]
	case !plus && len(d) > 4 && string(d[:4]) == "0046":
		nat = d[4:]
	case !plus && len(d) > 1 && d[0] == '0' && d[1] != '0':
		nat = d[1:]
	default:
		return "", false
	}
	return string(nat), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// seValid reports whether libphonenumber accepts nat, a Swedish national
// significant number of digits only, as valid: through seNumbers, the
// automaton built from libphonenumber's own patterns for SE, or through
// libphonenumber itself should that fail to build.
func seValid(nat string) bool {
	if a := seNumbers(); a != nil {
		return a.valid(nat)
	}
	n, err := strconv.ParseUint(nat, 10, 64)
	if err != nil {
		return false
	}
	cc := int32(46)
	return phonenumbers.IsValidNumber(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n})
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
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
// Swedish national number is read as country code 46.
func normalizeDigitRun(d string, plus bool) (string, bool) {
	n, ok := normalizeDigitRunNum(d, plus)
	if !ok {
		return "", false
	}
	return e164(n), true
}

// e164 writes the E.164 form of a number given as the digits after '+'.
func e164(n uint64) string {
	var b [24]byte
	b[0] = '+'
	return string(appendUint(b[:1], n))
}

// e164Num returns the digits of an E.164 string as a number.
func e164Num(s string, ok bool) (uint64, bool) {
	if !ok || len(s) < 2 || s[0] != '+' {
		return 0, false
	}
	var n uint64
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) || i > 19 {
			return 0, false
		}
		n = n*10 + uint64(s[i]-'0')
	}
	return n, n != 0
}

// normalizeDigitRunNum is normalizeDigitRun with the E.164 digits as a
// number.
func normalizeDigitRunNum(d string, plus bool) (uint64, bool) {
	var nat string
	switch {
	case plus && strings.HasPrefix(d, "46"):
		nat = d[2:]
	case plus:
		return e164Num(parsePhone("+" + d))
	case strings.HasPrefix(d, "0046"):
		nat = d[4:]
	case strings.HasPrefix(d, "00"):
		return e164Num(parsePhone("+" + d[2:]))
	case strings.HasPrefix(d, "46") && len(d) >= 9:
		nat = d[2:]
	case strings.HasPrefix(d, "0"):
		nat = d[1:]
	default:
		return e164Num(parsePhone(d))
	}
	// A Swedish national significant number: no trunk 0, 6 to 11 digits.
	if len(nat) < 6 || len(nat) > 11 || nat[0] == '0' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(nat); i++ {
		n = n*10 + uint64(nat[i]-'0')
	}
	if !seValid(nat) {
		return 0, false
	}
	return 46*pow10(len(nat)) + n, true
}

func pow10(k int) uint64 {
	p := uint64(1)
	for range k {
		p *= 10
	}
	return p
}

// isSwedish reports whether E.164 digits n carry country code 46.
func isSwedish(n uint64) bool {
	for n >= 100 {
		n /= 10
	}
	return n == 46
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
	return phoneFromFileName(name)
}

func phoneFromFileName(name string) (string, bool) {
	n, ok := phoneFromFileNameNum(name)
	if !ok {
		return "", false
	}
	return e164(n), true
}

// phoneFromFileNameNum is phoneFromFileName with the E.164 digits as a
// number.
func phoneFromFileNameNum(name string) (uint64, bool) {
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
				if n, ok := normalizeDigitRunNum(run, false); ok && isSwedish(n) {
					return n, true
				}
			}
			if pass == 1 && !isIntlPhoneRun(run) && len(run) >= 8 && len(run) <= 11 && run[0] == '0' && run[1] != '0' {
				if len(run) == 10 && run[1] != '7' && ParseIdentity(run, time.Time{}).Valid() {
					continue
				}
				if n, ok := normalizeDigitRunNum(run, false); ok {
					return n, true
				}
			}
		}
	}
	return 0, false
}

// isIntlPhoneRun reports whether a digit run may be a Swedish number with
// its country code (0046... or 46...).
func isIntlPhoneRun(run string) bool {
	return strings.HasPrefix(run, "0046") && len(run) >= 11 && len(run) <= 15 ||
		strings.HasPrefix(run, "46") && len(run) >= 9 && len(run) <= 13
}

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
