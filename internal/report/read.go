package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/forensiclog/forensics/pkg/exposure"
)

// The row types below name only the columns the reports read. parquet-go's
// generic reader fills a column the file lacks with its zero value, so
// the reports read outputs of older and newer engines alike.

// personIn is a row of persons.parquet.
type personIn struct {
	SubjectID       string    `parquet:"subject_id"`
	SubjectIDGiven  string    `parquet:"subject_id_given"`
	SubjectKind     string    `parquet:"subject_kind"`
	Child           bool      `parquet:"child"`
	Level           string    `parquet:"level"`
	Roles           []string  `parquet:"roles,list"`
	Calls           int64     `parquet:"calls"`
	Regions         []string  `parquet:"regions,list"`
	Phones          []string  `parquet:"phones,list"`
	FirstExposure   time.Time `parquet:"first_exposure,timestamp(millisecond),optional"`
	ActorCategories []string  `parquet:"actor_categories,list"`
	OnGap           bool      `parquet:"verdict_rests_on_gap"`
}

// exposureIn is a row of exposures.parquet.
type exposureIn struct {
	SubjectID     string    `parquet:"subject_id"`
	Role          string    `parquet:"role"`
	CallID        string    `parquet:"call_id"`
	Path          string    `parquet:"path"`
	Region        string    `parquet:"region"`
	CallerPhone   string    `parquet:"caller_phone"`
	Level         string    `parquet:"level"`
	StartedAt     time.Time `parquet:"started_at,timestamp(millisecond),optional"`
	FirstSeen     time.Time `parquet:"first_seen,timestamp(millisecond),optional"`
	LastSeen      time.Time `parquet:"last_seen,timestamp(millisecond),optional"`
	ViaListing    bool      `parquet:"via_listing"`
	InGap         bool      `parquet:"in_gap"`
	Uncertain     string    `parquet:"uncertain"`
	ActorIP       string    `parquet:"actor_ip"`
	ActorUA       string    `parquet:"actor_ua"`
	ActorCategory string    `parquet:"actor_category"`
}

// recordingIn is a row of recordings.parquet.
type recordingIn struct {
	Path        string    `parquet:"path"`
	CallID      string    `parquet:"call_id"`
	Region      string    `parquet:"region"`
	CallerPhone string    `parquet:"caller_phone"`
	StartedAt   time.Time `parquet:"started_at,timestamp(millisecond),optional"`
	Level       string    `parquet:"level"`
	InGap       bool      `parquet:"in_gap"`
	Uncertain   string    `parquet:"uncertain"`
}

// actorIn is a row of actors.parquet.
type actorIn struct {
	ActorIP           string    `parquet:"actor_ip"`
	Label             string    `parquet:"actor_label"`
	Category          string    `parquet:"actor_category"`
	Country           string    `parquet:"country"`
	City              string    `parquet:"city"`
	ASN               int64     `parquet:"asn"`
	ASOrg             string    `parquet:"as_org"`
	UAClass           string    `parquet:"ua_class"`
	UAName            string    `parquet:"ua_name"`
	FirstSeen         time.Time `parquet:"first_seen,timestamp(millisecond),optional"`
	LastSeen          time.Time `parquet:"last_seen,timestamp(millisecond),optional"`
	Requests          int64     `parquet:"requests"`
	ListingViews      int64     `parquet:"listing_views"`
	RecordingsFull    int64     `parquet:"recordings_full"`
	RecordingsPartial int64     `parquet:"recordings_partial"`
	RecordingsMeta    int64     `parquet:"recordings_metadata"`
	RecordingsListed  int64     `parquet:"recordings_listed"`
	Persons           int64     `parquet:"persons"`
}

// coverageIn is a row of coverage.parquet.
type coverageIn struct {
	Source string    `parquet:"source"`
	Kind   string    `parquet:"kind"`
	Start  time.Time `parquet:"start,timestamp(millisecond)"`
	End    time.Time `parquet:"end,timestamp(millisecond)"`
}

// rowReader streams the rows of one Parquet file in batches.
type rowReader[T any] struct {
	f    *os.File
	r    *parquet.GenericReader[T]
	buf  []T
	i, n int
	name string
	err  error
}

// openRows opens the Parquet file name in dir. A missing file gives an
// error wrapping os.ErrNotExist.
func openRows[T any](dir, name string) (*rowReader[T], error) {
	f, pf, err := openParquet(dir, name)
	if err != nil {
		return nil, err
	}
	return &rowReader[T]{f: f, r: parquet.NewGenericReader[T](pf), buf: make([]T, 1024), name: name}, nil
}

// openParquet opens the Parquet file name in dir: the file, to close, and
// its Parquet view. A missing file gives an error wrapping
// os.ErrNotExist.
func openParquet(dir, name string) (*os.File, *parquet.File, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, nil, fmt.Errorf("report: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("report: %w", err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("report: %s: %w", name, err)
	}
	return f, pf, nil
}

// Next returns the next row, valid until the call after next, or false at
// the end or on an error (see Err).
func (r *rowReader[T]) Next() (*T, bool) {
	if r.i == r.n {
		if r.err != nil {
			return nil, false
		}
		clear(r.buf)
		n, err := r.r.Read(r.buf)
		r.i, r.n = 0, n
		if err != nil && !errors.Is(err, io.EOF) {
			r.err = fmt.Errorf("report: %s: %w", r.name, err)
		} else if err != nil {
			r.err = io.EOF
		}
		if n == 0 {
			return nil, false
		}
	}
	r.i++
	return &r.buf[r.i-1], true
}

// NumRows returns the number of rows of the file.
func (r *rowReader[T]) NumRows() int64 { return r.r.NumRows() }

// Err returns the read error that stopped Next, nil at a clean end.
func (r *rowReader[T]) Err() error {
	if errors.Is(r.err, io.EOF) {
		return nil
	}
	return r.err
}

// Close releases the file.
func (r *rowReader[T]) Close() error {
	r.r.Close()
	return r.f.Close()
}

// manifestIn is the part of manifest.json the reports use.
type manifestIn struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	Demo    bool   `json:"demo"`
	Index   struct {
		Path       string `json:"path"`
		SHA256     string `json:"sha256"`
		Recordings int    `json:"recordings"`
	} `json:"index"`
	Problems []string `json:"problems"`
	Inputs   []struct {
		Name     string `json:"name"`
		Format   string `json:"format"`
		Lines    int64  `json:"lines"`
		Rejected int64  `json:"rejected"`
		SHA256   string `json:"sha256"`
	} `json:"inputs"`
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("report: %s: %w", filepath.Base(path), err)
	}
	return nil
}

func readSummary(dir string) (exposure.Summary, error) {
	var s exposure.Summary
	err := readJSON(filepath.Join(dir, "summary.json"), &s)
	return s, err
}
