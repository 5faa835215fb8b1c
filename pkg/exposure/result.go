package exposure

import "time"

// The rows below are the engine's outputs. They hold personal data
// (identity and phone numbers) and are meant for the outputs made for it:
// never log them. Field tags name the columns in Parquet and JSON.

// ExposureRow is one subject x recording x actor with a level above None.
// A recording that is Undeterminable has one row per subject with an empty
// actor: anyone may have fetched it while no log was watching.
type ExposureRow struct {
	SubjectID      string    `parquet:"subject_id" json:"subject_id"`
	SubjectKind    string    `parquet:"subject_kind" json:"subject_kind"`
	Child          bool      `parquet:"child" json:"child"`
	Role           string    `parquet:"role" json:"role"`
	CallID         string    `parquet:"call_id" json:"call_id"`
	Path           string    `parquet:"path" json:"path"`
	Region         string    `parquet:"region" json:"region"`
	CallerPhone    string    `parquet:"caller_phone" json:"caller_phone"`
	Level          string    `parquet:"level" json:"level"`
	BytesDelivered int64     `parquet:"bytes_delivered" json:"bytes_delivered"`
	Coverage       float64   `parquet:"coverage" json:"coverage"`
	Requests       int64     `parquet:"requests" json:"requests"`
	FirstSeen      time.Time `parquet:"first_seen,timestamp(millisecond),optional" json:"first_seen,omitzero"`
	LastSeen       time.Time `parquet:"last_seen,timestamp(millisecond),optional" json:"last_seen,omitzero"`
	ViaListing     bool      `parquet:"via_listing" json:"via_listing"`
	PriorCopy      bool      `parquet:"prior_copy" json:"prior_copy"`
	InGap          bool      `parquet:"in_gap" json:"in_gap"`
	Uncertain      string    `parquet:"uncertain" json:"uncertain"`
	ActorIP        string    `parquet:"actor_ip" json:"actor_ip"`
	ActorUA        string    `parquet:"actor_ua" json:"actor_ua"`
	ActorLabel     string    `parquet:"actor_label" json:"actor_label"`
	ActorCategory  string    `parquet:"actor_category" json:"actor_category"`
	Country        string    `parquet:"country" json:"country"`
	City           string    `parquet:"city" json:"city"`
	ASN            int64     `parquet:"asn" json:"asn"`
	ASOrg          string    `parquet:"as_org" json:"as_org"`
	UAClass        string    `parquet:"ua_class" json:"ua_class"`
	UAName         string    `parquet:"ua_name" json:"ua_name"`
	Evidence       []string  `parquet:"evidence,list" json:"evidence"`
	EvidenceMore   int64     `parquet:"evidence_more" json:"evidence_more"`
}

// PersonRow is one subject: the notification list.
type PersonRow struct {
	SubjectID         string    `parquet:"subject_id" json:"subject_id"`
	SubjectKind       string    `parquet:"subject_kind" json:"subject_kind"`
	Child             bool      `parquet:"child" json:"child"`
	Level             string    `parquet:"level" json:"level"`
	Roles             []string  `parquet:"roles,list" json:"roles"`
	Calls             int64     `parquet:"calls" json:"calls"`
	CallsExposed      int64     `parquet:"calls_exposed" json:"calls_exposed"`
	CallsFull         int64     `parquet:"calls_full" json:"calls_full"`
	CallsPartial      int64     `parquet:"calls_partial" json:"calls_partial"`
	CallsMetadata     int64     `parquet:"calls_metadata" json:"calls_metadata"`
	CallsUndet        int64     `parquet:"calls_undeterminable" json:"calls_undeterminable"`
	Regions           []string  `parquet:"regions,list" json:"regions"`
	Phones            []string  `parquet:"phones,list" json:"phones"`
	FirstExposure     time.Time `parquet:"first_exposure,timestamp(millisecond),optional" json:"first_exposure,omitzero"`
	Actors            int64     `parquet:"actors" json:"actors"`
	ActorCategories   []string  `parquet:"actor_categories,list" json:"actor_categories"`
	VerdictRestsOnGap bool      `parquet:"verdict_rests_on_gap" json:"verdict_rests_on_gap"`
}

// RecordingRow is one recording of the index with its verdict.
type RecordingRow struct {
	Path        string    `parquet:"path" json:"path"`
	CallID      string    `parquet:"call_id" json:"call_id"`
	Region      string    `parquet:"region" json:"region"`
	CallerPhone string    `parquet:"caller_phone" json:"caller_phone"`
	StartedAt   time.Time `parquet:"started_at,timestamp(millisecond),optional" json:"started_at,omitzero"`
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

// ActorRow is one actor.
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

// Result is everything Finish decides.
type Result struct {
	Exposures  []ExposureRow
	Persons    []PersonRow
	Recordings []RecordingRow
	Actors     []ActorRow
	Coverage   Coverage
	Summary    Summary
	// Overlaps are runs of records that repeat the end of the previous
	// input of a rotated set; they were counted once.
	Overlaps []Overlap
}
