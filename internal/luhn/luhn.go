// Package luhn is the one Luhn check of the module: the check digit of a
// Swedish personal identity number (personnummer, samordningsnummer) over
// its nine digits YYMMDDNNN, weights 2,1,2,1,... from the left, digit
// sums of the products; the century never enters it. pkg/exposure checks
// numbers with it; the generators of test and demo data make numbers
// with it.
package luhn

// check returns the check value (0-9) of d, whose elements are digits
// offset by zero ('0' for ASCII, 0 for values).
func check[T ~string | ~[]byte](d T, zero byte) byte {
	sum := 0
	for i := 0; i < len(d); i++ {
		v := int(d[i] - zero)
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return byte((10 - sum%10) % 10)
}

// Check returns the check digit's value (0-9) for digit values (0-9),
// without allocating.
func Check(values []byte) byte { return check(values, 0) }

// Digit returns the check digit, as an ASCII digit, that follows the
// ASCII digits (YYMMDDNNN). It panics on a non-digit.
func Digit(digits string) byte {
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			panic("luhn: Digit on a non-digit")
		}
	}
	return '0' + check(digits, '0')
}

// Valid reports whether ten is ten ASCII digits (YYMMDDNNNC) whose last is
// the check digit of the others.
func Valid(ten string) bool {
	if len(ten) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if ten[i] < '0' || ten[i] > '9' {
			return false
		}
	}
	return '0'+check(ten[:9], '0') == ten[9]
}
