package exposure

import "time"

// The rows below are the engine's outputs. They hold personal data
// (identity and phone numbers), typed as IdentityNumber and Phone so that
// a row printed, logged or put in an error shows them masked; a writer
// of the outputs made for them calls Reveal. Field tags name the columns
// in Parquet and JSON (JSON masks them too: see MarshalText).

// ExposureRow is one subject x recording x actor with a level above None,
// from direct requests. Two kinds of rows have an empty actor: a recording
// that is Undeterminable has one row per subject (anyone may have fetched
// it while no log was watching), and a recording whose name a directory
// listing showed after it existed has one listing row per subject
// (ViaListing, level metadata; FirstSeen and LastSeen are the first and
// last such listing, Requests their number; who listed the folder is in
// the ListingRow table).
type ExposureRow struct {
	// SubjectID is the person's key (Identity.ID); SubjectIDGiven the
	// number as this call's index row gave it (Identity.Given).
	SubjectID      IdentityNumber `parquet:"subject_id" json:"subject_id"`
	SubjectIDGiven IdentityNumber `parquet:"subject_id_given" json:"subject_id_given"`
	SubjectKind    string         `parquet:"subject_kind" json:"subject_kind"`
	Child          bool           `parquet:"child" json:"child"`
	Role           string         `parquet:"role" json:"role"`
	CallID         string         `parquet:"call_id" json:"call_id"`
	Path           string         `parquet:"path" json:"path"`
	Region         string         `parquet:"region" json:"region"`
	CallerPhone    Phone          `parquet:"caller_phone" json:"caller_phone"`
	StartedAt      time.Time      `parquet:"started_at,timestamp(millisecond),optional" json:"started_at,omitzero"`
	Level          string         `parquet:"level" json:"level"`
	BytesDelivered int64          `parquet:"bytes_delivered" json:"bytes_delivered"`
	Coverage       float64        `parquet:"coverage" json:"coverage"`
	Requests       int64          `parquet:"requests" json:"requests"`
	FirstSeen      time.Time      `parquet:"first_seen,timestamp(millisecond),optional" json:"first_seen,omitzero"`
	LastSeen       time.Time      `parquet:"last_seen,timestamp(millisecond),optional" json:"last_seen,omitzero"`
	ViaListing     bool           `parquet:"via_listing" json:"via_listing"`
	PriorCopy      bool           `parquet:"prior_copy" json:"prior_copy"`
	InGap          bool           `parquet:"in_gap" json:"in_gap"`
	Uncertain      string         `parquet:"uncertain" json:"uncertain"`
	ActorIP        string         `parquet:"actor_ip" json:"actor_ip"`
	ActorUA        string         `parquet:"actor_ua" json:"actor_ua"`
	ActorLabel     string         `parquet:"actor_label" json:"actor_label"`
	ActorCategory  string         `parquet:"actor_category" json:"actor_category"`
	Country        string         `parquet:"country" json:"country"`
	City           string         `parquet:"city" json:"city"`
	ASN            int64          `parquet:"asn" json:"asn"`
	ASOrg          string         `parquet:"as_org" json:"as_org"`
	UAClass        string         `parquet:"ua_class" json:"ua_class"`
	UAName         string         `parquet:"ua_name" json:"ua_name"`
	Evidence       []string       `parquet:"evidence,list" json:"evidence"`
	EvidenceMore   int64          `parquet:"evidence_more" json:"evidence_more"`
	// ListingActors and ListingCategories: on a listing row, the distinct
	// actors that listed the recording's folder after the file existed,
	// and their categories.
	ListingActors     int64    `parquet:"listing_actors" json:"listing_actors"`
	ListingCategories []string `parquet:"listing_categories,list" json:"listing_categories"`
}

// PersonRow is one subject: the notification list. Regions and Phones
// come from all the person's calls, whatever their level: the caller's
// number of each call is a contact number for every subject of it (a
// child patient is reached through the parent who called). Actors counts
// the distinct actors, not trusted, whose direct requests exposed the
// person; listings are counted in ListingActors.
type PersonRow struct {
	// SubjectID is the person's key (Identity.ID); SubjectIDGiven the
	// number as the first index row naming the person gave it.
	SubjectID         IdentityNumber `parquet:"subject_id" json:"subject_id"`
	SubjectIDGiven    IdentityNumber `parquet:"subject_id_given" json:"subject_id_given"`
	SubjectKind       string         `parquet:"subject_kind" json:"subject_kind"`
	Child             bool           `parquet:"child" json:"child"`
	Level             string         `parquet:"level" json:"level"`
	Roles             []string       `parquet:"roles,list" json:"roles"`
	Calls             int64          `parquet:"calls" json:"calls"`
	CallsExposed      int64          `parquet:"calls_exposed" json:"calls_exposed"`
	CallsFull         int64          `parquet:"calls_full" json:"calls_full"`
	CallsPartial      int64          `parquet:"calls_partial" json:"calls_partial"`
	CallsMetadata     int64          `parquet:"calls_metadata" json:"calls_metadata"`
	CallsUndet        int64          `parquet:"calls_undeterminable" json:"calls_undeterminable"`
	Regions           []string       `parquet:"regions,list" json:"regions"`
	Phones            []Phone        `parquet:"phones,list" json:"phones"`
	FirstExposure     time.Time      `parquet:"first_exposure,timestamp(millisecond),optional" json:"first_exposure,omitzero"`
	Actors            int64          `parquet:"actors" json:"actors"`
	ActorCategories   []string       `parquet:"actor_categories,list" json:"actor_categories"`
	VerdictRestsOnGap bool           `parquet:"verdict_rests_on_gap" json:"verdict_rests_on_gap"`
	// ListingActors is the largest number of distinct actors that saw one
	// of the person's recordings in a directory listing.
	ListingActors int64 `parquet:"listing_actors" json:"listing_actors"`
}

// RecordingRow is one recording of the index with its verdict.
type RecordingRow struct {
	Path        string    `parquet:"path" json:"path"`
	CallID      string    `parquet:"call_id" json:"call_id"`
	Region      string    `parquet:"region" json:"region"`
	CallerPhone Phone     `parquet:"caller_phone" json:"caller_phone"`
	StartedAt   time.Time `parquet:"started_at,timestamp(millisecond),optional" json:"started_at,omitzero"`
	AvailableAt time.Time `parquet:"available_at,timestamp(millisecond),optional" json:"available_at,omitzero"`
	Folder      string    `parquet:"folder" json:"folder"`
	SizeBytes   int64     `parquet:"size_bytes" json:"size_bytes"`
	Subjects    int64     `parquet:"subjects" json:"subjects"`
	Level       string    `parquet:"level" json:"level"`
	MaxCoverage float64   `parquet:"max_coverage" json:"max_coverage"`
	Actors      int64     `parquet:"actors" json:"actors"`
	Requests    int64     `parquet:"requests" json:"requests"`
	FirstSeen   time.Time `parquet:"first_seen,timestamp(millisecond),optional" json:"first_seen,omitzero"`
	InGap       bool      `parquet:"in_gap" json:"in_gap"`
	Uncertain   string    `parquet:"uncertain" json:"uncertain"`
}

// ActorRow is one actor. RecordingsFull, RecordingsPartial and
// RecordingsMeta count its direct requests' levels; RecordingsListed the
// recordings its directory listings showed (available by its last listing
// of each folder). Persons counts the distinct persons its direct requests
// reached, at any level.
type ActorRow struct {
	ActorIP           string    `parquet:"actor_ip" json:"actor_ip"`
	ActorUA           string    `parquet:"actor_ua" json:"actor_ua"`
	Label             string    `parquet:"actor_label" json:"actor_label"`
	Category          string    `parquet:"actor_category" json:"actor_category"`
	Country           string    `parquet:"country" json:"country"`
	City              string    `parquet:"city" json:"city"`
	ASN               int64     `parquet:"asn" json:"asn"`
	ASOrg             string    `parquet:"as_org" json:"as_org"`
	UAClass           string    `parquet:"ua_class" json:"ua_class"`
	UAName            string    `parquet:"ua_name" json:"ua_name"`
	UserAgents        []string  `parquet:"user_agents,list" json:"user_agents"`
	FirstSeen         time.Time `parquet:"first_seen,timestamp(millisecond),optional" json:"first_seen,omitzero"`
	LastSeen          time.Time `parquet:"last_seen,timestamp(millisecond),optional" json:"last_seen,omitzero"`
	Requests          int64     `parquet:"requests" json:"requests"`
	ListingViews      int64     `parquet:"listing_views" json:"listing_views"`
	RecordingsFull    int64     `parquet:"recordings_full" json:"recordings_full"`
	RecordingsPartial int64     `parquet:"recordings_partial" json:"recordings_partial"`
	RecordingsMeta    int64     `parquet:"recordings_metadata" json:"recordings_metadata"`
	RecordingsListed  int64     `parquet:"recordings_listed" json:"recordings_listed"`
	BytesDelivered    int64     `parquet:"bytes_delivered" json:"bytes_delivered"`
	Persons           int64     `parquet:"persons" json:"persons"`
}

// CoverageRow is one covered span or gap of a log source, or an uncovered
// part of the exposure window (Source "*").
type CoverageRow struct {
	Source    string    `parquet:"source" json:"source"`
	Kind      string    `parquet:"kind" json:"kind"` // "span", "gap" or "uncovered"
	Start     time.Time `parquet:"start,timestamp(millisecond)" json:"start"`
	End       time.Time `parquet:"end,timestamp(millisecond)" json:"end"`
	DurationS int64     `parquet:"duration_s" json:"duration_s"`
}

// Summary holds the counts a report needs. It holds no personal data.
type Summary struct {
	PersonsByLevel     map[string]int64 `json:"persons_by_level"`
	ChildrenByLevel    map[string]int64 `json:"children_by_level"`
	SubjectsByKind     map[string]int64 `json:"subjects_by_kind"`
	RecordingsByLevel  map[string]int64 `json:"recordings_by_level"`
	RecordingsTotal    int64            `json:"recordings_total"`
	PersonsTotal       int64            `json:"persons_total"`
	PersonsNotify      int64            `json:"persons_to_notify"`
	PersonsOnGap       int64            `json:"persons_verdict_rests_on_gap"`
	PersonsAlsoInGap   int64            `json:"persons_exposed_and_in_gap"`
	PhonesExposed      int64            `json:"phone_numbers_exposed"`
	Actors             int64            `json:"actors"`
	ActorsByCategory   map[string]int64 `json:"actors_by_category"`
	ActorsByCountry    map[string]int64 `json:"actors_by_country"`
	FirstExposure      time.Time        `json:"first_exposure,omitzero"`
	LastExposure       time.Time        `json:"last_exposure,omitzero"`
	Window             Interval         `json:"exposure_window"`
	LogsFrom           time.Time        `json:"logs_from,omitzero"`
	LogsTo             time.Time        `json:"logs_to,omitzero"`
	Gap                string           `json:"gap_threshold"`
	GapReason          string           `json:"gap_reason"`
	UncoveredSeconds   int64            `json:"uncovered_seconds"`
	UncoveredIntervals int64            `json:"uncovered_intervals"`
	Engine             Stats            `json:"engine"`
}

// ListingRow is one actor's listings of one folder of the index. With
// recordings.parquet it rebuilds every listing pair: a recording of the
// folder was shown to the actor if it was available at or before Last.
type ListingRow struct {
	Folder        string    `parquet:"folder" json:"folder"`
	ActorIP       string    `parquet:"actor_ip" json:"actor_ip"`
	ActorUA       string    `parquet:"actor_ua" json:"actor_ua"`
	ActorLabel    string    `parquet:"actor_label" json:"actor_label"`
	ActorCategory string    `parquet:"actor_category" json:"actor_category"`
	First         time.Time `parquet:"first,timestamp(millisecond),optional" json:"first,omitzero"`
	Last          time.Time `parquet:"last,timestamp(millisecond),optional" json:"last,omitzero"`
	Listings      int64     `parquet:"listings" json:"listings"`
	Shown         int64     `parquet:"shown" json:"shown"`
	Evidence      []string  `parquet:"evidence,list" json:"evidence"`
	EvidenceMore  int64     `parquet:"evidence_more" json:"evidence_more"`
}

// A Sink receives the rows Finish decides, table by table, as they are
// made: exposures and recordings in index order, listings by folder,
// persons by subject ID (or Options.PersonOrder), actors by key. A row
// passed to a method is valid only during the call: the engine reuses it.
// An error stops Finish and is returned by it. Methods are called from one
// goroutine.
type Sink interface {
	Exposure(*ExposureRow) error
	Recording(*RecordingRow) error
	Listing(*ListingRow) error
	Person(*PersonRow) error
	Actor(*ActorRow) error
}

// Report is what Finish returns besides the rows: the counts, the coverage
// and the overlaps found.
type Report struct {
	Coverage Coverage
	Summary  Summary
	// Overlaps are runs of records that repeat the end of the previous
	// input of a rotated set; they were counted once.
	Overlaps []Overlap
}

// Result is everything Finish decides, held in memory: for tests and
// small inputs. At scale use Finish with a Sink that writes rows out.
type Result struct {
	Exposures  []ExposureRow
	Persons    []PersonRow
	Recordings []RecordingRow
	Actors     []ActorRow
	Listings   []ListingRow
	Coverage   Coverage
	Summary    Summary
	// Overlaps are runs of records that repeat the end of the previous
	// input of a rotated set; they were counted once.
	Overlaps []Overlap
}

// collector is a Sink that keeps every row in a Result.
type collector struct{ res *Result }

func (c collector) Exposure(r *ExposureRow) error {
	c.res.Exposures = append(c.res.Exposures, cloneExposure(r))
	return nil
}
func (c collector) Recording(r *RecordingRow) error {
	c.res.Recordings = append(c.res.Recordings, *r)
	return nil
}
func (c collector) Listing(r *ListingRow) error {
	row := *r
	row.Evidence = append([]string{}, r.Evidence...)
	c.res.Listings = append(c.res.Listings, row)
	return nil
}
func (c collector) Person(r *PersonRow) error {
	row := *r
	row.Roles = append([]string{}, r.Roles...)
	row.Regions = append([]string{}, r.Regions...)
	row.Phones = append([]Phone{}, r.Phones...)
	row.ActorCategories = append([]string{}, r.ActorCategories...)
	c.res.Persons = append(c.res.Persons, row)
	return nil
}
func (c collector) Actor(r *ActorRow) error {
	row := *r
	row.UserAgents = append([]string{}, r.UserAgents...)
	c.res.Actors = append(c.res.Actors, row)
	return nil
}

func cloneExposure(r *ExposureRow) ExposureRow {
	row := *r
	row.Evidence = append([]string{}, r.Evidence...)
	row.ListingCategories = append([]string{}, r.ListingCategories...)
	return row
}
