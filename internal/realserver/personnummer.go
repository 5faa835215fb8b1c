package realserver

import (
	"fmt"
	"time"

	"github.com/forensiclog/forensics/internal/luhn"
)

// Personnummer returns a fictitious, Luhn-valid personnummer in the
// twelve-digit form YYYYMMDD-NNNC for a birth date and a serial. The birth
// number NNN is 980+serial%20: the Swedish Tax Agency reserves 980-999 for
// test persons, so no real person carries these numbers.
func Personnummer(birth time.Time, serial int) string {
	nnn := 980 + (serial%20+20)%20
	body := fmt.Sprintf("%02d%02d%02d%03d", birth.Year()%100, int(birth.Month()), birth.Day(), nnn)
	return fmt.Sprintf("%04d%02d%02d-%03d%c", birth.Year(), int(birth.Month()), birth.Day(), nnn, luhn.Digit(body))
}

// FictionalPhone returns the n-th Swedish mobile number of the series
// 070-174 06 05 to 070-174 06 99 that the Swedish Post and Telecom
// Authority reserves for fiction, in E.164 form (+46701740605).
func FictionalPhone(n int) string {
	return fmt.Sprintf("+4670174%04d", 605+(n%95+95)%95)
}
