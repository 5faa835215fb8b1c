package realserver_test

import (
	"fmt"
	"time"

	rs "github.com/forensiclog/forensics/internal/realserver"

	"github.com/forensiclog/forensics/internal/luhn"
)

func ExamplePersonnummer() {
	// Birth numbers 980-999 are reserved for test persons.
	p := rs.Personnummer(time.Date(1978, 3, 14, 0, 0, 0, 0, time.UTC), 1)
	fmt.Println(p[:9], luhn.Valid(p[2:8]+p[9:]))
	// Output: 19780314- true
}
