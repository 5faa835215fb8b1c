package realserver_test

import (
	"fmt"
	"time"

	rs "github.com/forensiclog/forensics/internal/realserver"
)

func ExampleLuhnDigit() {
	// 121212-1212 is the Swedish Tax Agency's test person Tolvan Tolvansson.
	fmt.Printf("%c\n", rs.LuhnDigit("121212121"))
	// Output: 2
}

func ExamplePersonnummer() {
	// Birth numbers 980-999 are reserved for test persons.
	p := rs.Personnummer(time.Date(1978, 3, 14, 0, 0, 0, 0, time.UTC), 1)
	fmt.Println(p[:9], rs.LuhnValid(p[2:8]+p[9:]))
	// Output: 19780314- true
}
