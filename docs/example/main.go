// Command example is the README's library program: it reads a recording
// index and one access log (any compression, format detected) and prints
// the persons to notify. main_test.go keeps the README's copy equal.
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: example INDEX LOG")
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		log.Fatal(err)
	}
}

func run(indexFile, logFile string) error {
	ix, err := exposure.LoadIndex(indexFile, exposure.IndexOptions{})
	if err != nil {
		return err // the index cannot be read at all
	}
	for _, e := range ix.Errors() {
		log.Print(e) // a row left out or kept in part: row and column, never a value
	}
	r, err := logparse.Open(logFile) // any compression; format detected
	if err != nil {
		return err
	}
	defer r.Close()
	r.ReuseRecord = true // Observe copies what it keeps

	eng := exposure.NewEngine(ix, exposure.Options{})
	defer eng.Close() // removes spilled runs if we return before Collect
	shard := eng.NewShard()
	for rec, err := range r.All() {
		if err != nil {
			log.Print(err) // a *logparse.ParseError: one bad line, by position and kind
			continue
		}
		shard.Observe(rec)
	}
	if err := r.Err(); err != nil {
		// The input ended early (I/O error, file cut short): the verdicts
		// would rest on missing records.
		return fmt.Errorf("%s could not be read in full: %w", logFile, err)
	}
	st := r.Stats()
	log.Printf("%s: %d lines, %d records, %d rejected", logFile, st.Lines, st.Records, st.Rejected)

	res, err := eng.Collect(shard) // Finish with a Sink writes rows out instead
	if err != nil {
		return err
	}
	for _, p := range res.Persons {
		if p.Level != "none" {
			// Reveal: this output is the notification list. Printed any
			// other way, p.SubjectID shows masked (19800101-****).
			fmt.Println(p.SubjectID.Reveal(), p.Level)
		}
	}
	fmt.Println(res.Summary.PersonsNotify, "persons to notify")
	return nil
}
