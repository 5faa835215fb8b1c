package main

import (
	"errors"
	"path/filepath"
	"slices"

	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// outputSink writes the engine's rows to their Parquet files as Finish
// decides them, each file encoded by its own goroutine; with a key, each
// row is pseudonymized on its way out. It implements exposure.Sink.
type outputSink struct {
	exposures  *parquetout.Async[exposure.ExposureRow]
	recordings *parquetout.Async[exposure.RecordingRow]
	listings   *parquetout.Async[exposure.ListingRow]
	persons    *parquetout.Async[exposure.PersonRow]
	actors     *parquetout.Async[exposure.ActorRow]
	ps         *rowPseudonymizer // nil: no pseudonyms
	rows       map[string]int64  // rows written, by file
}

// sinkFiles are the Parquet files the sink writes.
var sinkFiles = []string{"exposures.parquet", "recordings.parquet", "listings.parquet", "persons.parquet", "actors.parquet"}

func openOutputSink(dir string, key []byte) (*outputSink, error) {
	s := &outputSink{rows: map[string]int64{}}
	if key != nil {
		s.ps = newRowPseudonymizer(key)
	}
	var err error
	if s.exposures, err = parquetout.CreateAsync[exposure.ExposureRow](filepath.Join(dir, "exposures.parquet")); err != nil {
		return nil, err
	}
	if s.recordings, err = parquetout.CreateAsync[exposure.RecordingRow](filepath.Join(dir, "recordings.parquet")); err != nil {
		s.abort()
		return nil, err
	}
	if s.listings, err = parquetout.CreateAsync[exposure.ListingRow](filepath.Join(dir, "listings.parquet")); err != nil {
		s.abort()
		return nil, err
	}
	if s.persons, err = parquetout.CreateAsync[exposure.PersonRow](filepath.Join(dir, "persons.parquet")); err != nil {
		s.abort()
		return nil, err
	}
	if s.actors, err = parquetout.CreateAsync[exposure.ActorRow](filepath.Join(dir, "actors.parquet")); err != nil {
		s.abort()
		return nil, err
	}
	return s, nil
}

// Exposure writes a copy of the row (the engine reuses its slices).
func (s *outputSink) Exposure(r *exposure.ExposureRow) error {
	row := *r
	row.Evidence = slices.Clone(r.Evidence)
	if s.ps != nil {
		s.ps.exposure(&row)
	}
	s.rows["exposures"]++
	return s.exposures.Write(&row)
}

func (s *outputSink) Recording(r *exposure.RecordingRow) error {
	row := *r
	if s.ps != nil {
		s.ps.recording(&row)
	}
	s.rows["recordings"]++
	return s.recordings.Write(&row)
}

func (s *outputSink) Listing(r *exposure.ListingRow) error {
	row := *r
	row.Evidence = slices.Clone(r.Evidence)
	if s.ps != nil {
		s.ps.listing(&row)
	}
	s.rows["listings"]++
	return s.listings.Write(&row)
}

func (s *outputSink) Person(r *exposure.PersonRow) error {
	row := *r
	row.Roles = slices.Clone(r.Roles)
	row.Regions = slices.Clone(r.Regions)
	row.Phones = slices.Clone(r.Phones)
	row.ActorCategories = slices.Clone(r.ActorCategories)
	if s.ps != nil {
		s.ps.person(&row)
	}
	s.rows["persons"]++
	return s.persons.Write(&row)
}

func (s *outputSink) Actor(r *exposure.ActorRow) error {
	row := *r
	row.UserAgents = slices.Clone(r.UserAgents)
	if s.ps != nil {
		s.ps.actor(&row)
	}
	s.rows["actors"]++
	return s.actors.Write(&row)
}

// close finishes every file; on the first error the rest are aborted.
func (s *outputSink) close() error {
	var errs []error
	closeOne := func(c interface{ Close() error }) {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	closeOne(s.exposures)
	closeOne(s.recordings)
	closeOne(s.listings)
	closeOne(s.persons)
	closeOne(s.actors)
	return errors.Join(errs...)
}

// abort removes every file begun.
func (s *outputSink) abort() {
	s.exposures.Abort()
	s.recordings.Abort()
	s.listings.Abort()
	s.persons.Abort()
	s.actors.Abort()
}
