package main

import (
	"time"
	_ "time/tzdata" // Europe/Stockholm must resolve on every machine

	_ "github.com/forensiclog/forensics/internal/parquetindex" // Parquet indexes for exposure.LoadIndex
)

// indexZone is the zone of index times written without an offset: the
// call platform's, Swedish time.
var indexZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err)
	}
	return loc
}()
