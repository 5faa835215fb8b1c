package realserver

import (
	"fmt"
	"time"
)

// LuhnDigit returns the check digit that makes digits followed by it pass
// the Luhn test, with weights 2,1,2,1,... from the left as personnummer
// use them (the nine digits YYMMDDNNN). It panics on a non-digit.
func LuhnDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			panic("realserver: LuhnDigit on a non-digit")
		}
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// LuhnValid reports whether a ten-digit personnummer body (YYMMDDNNNC)
// carries a correct check digit.
func LuhnValid(ten string) bool {
	if len(ten) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if ten[i] < '0' || ten[i] > '9' {
			return false
		}
	}
	return LuhnDigit(ten[:9]) == ten[9]
}

// Personnummer returns a fictitious, Luhn-valid personnummer in the
// twelve-digit form YYYYMMDD-NNNC for a birth date and a serial. The birth
// number NNN is 980+serial%20: the Swedish Tax Agency reserves 980-999 for
// test persons, so no real person carries these numbers.
func Personnummer(birth time.Time, serial int) string {
	nnn := 980 + (serial%20+20)%20
	body := fmt.Sprintf("%02d%02d%02d%03d", birth.Year()%100, int(birth.Month()), birth.Day(), nnn)
	return fmt.Sprintf("%04d%02d%02d-%03d%c", birth.Year(), int(birth.Month()), birth.Day(), nnn, LuhnDigit(body))
}

// FictionalPhone returns the n-th Swedish mobile number of the series
// 070-174 06 05 to 070-174 06 99 that the Swedish Post and Telecom
// Authority reserves for fiction, in E.164 form (+46701740605).
func FictionalPhone(n int) string {
	return fmt.Sprintf("+4670174%04d", 605+(n%95+95)%95)
}
