package dataset

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// IndexRecording is one recording of an exported index
// (recordings.parquet): its keys as the engine matches requests on them.
type IndexRecording struct {
	// Rec is the recording's number in index order.
	Rec int64 `parquet:"rec"`
	// Path is the path as the index gives it; PathKey the key requests
	// are matched on (dataset column path_key); Folder the key of the
	// folder that holds it (dataset column listing_folder).
	Path    string `parquet:"path"`
	PathKey string `parquet:"path_key"`
	Folder  string `parquet:"folder,dict"`
	// Name is the entry's name in its folder's listing (the key's last
	// segment) and NameLower the same lower-cased as Caddy sorts names.
	Name      string `parquet:"name"`
	NameLower string `parquet:"name_lower"`
	CallID    string `parquet:"call_id"`
	// StartedAt and AvailableAt (the call's end, when the file appeared)
	// in UTC; NULL when the index gives no usable start.
	StartedAt   *time.Time `parquet:"started_at,optional,timestamp(microsecond)"`
	DurationS   float64    `parquet:"duration_s"`
	AvailableAt *time.Time `parquet:"available_at,optional,timestamp(microsecond)"`
	// AvailableUS is AvailableAt in Unix microseconds (rounded up: a
	// listing at that microsecond saw the file only if it was there).
	AvailableUS *int64 `parquet:"available_us,optional"`
	// SizeBytes is NULL when the index gives no usable size.
	SizeBytes   *int64 `parquet:"size_bytes,optional"`
	Region      string `parquet:"region,dict"`
	CallerPhone string `parquet:"caller_phone"`
	Subjects    int64  `parquet:"subjects"`
}

// IndexSubject is one subject of one recording (subjects.parquet).
type IndexSubject struct {
	Rec int64 `parquet:"rec"`
	// Subject is the subject's place among the recording's, from 0: a
	// person's first subject row in (rec, subject) order gives
	// persons.parquet its subject_id_given and subject_kind.
	Subject int64  `parquet:"subject"`
	PathKey string `parquet:"path_key"`
	// SubjectID is the identity as the engine writes it in exposure rows;
	// SubjectIDGiven the number as this recording's index row gave it;
	// PersonID the person's (persons.parquet's subject_id), equal for
	// every spelling of one person.
	SubjectID      string `parquet:"subject_id"`
	SubjectIDGiven string `parquet:"subject_id_given"`
	PersonID       string `parquet:"person_id"`
	SubjectKind    string `parquet:"subject_kind,dict"`
	Role           string `parquet:"role,dict"`
	Child          bool   `parquet:"child"`
}

// IndexFolder is one folder of an exported index (folders.parquet): every
// folder that holds a recording directly or below it, the root included.
type IndexFolder struct {
	// Folder is the folder's key (exposure.Index.FolderPath: a trailing
	// slash); Parent the key of the folder that holds it (NULL for the
	// root); Name its name in the parent's listing.
	Folder    string  `parquet:"folder"`
	Parent    *string `parquet:"parent,optional"`
	Name      string  `parquet:"name"`
	NameLower string  `parquet:"name_lower"`
}

// ExportIndex writes the index as dir/recordings.parquet (one row per
// recording), dir/subjects.parquet (one row per subject of a recording)
// and dir/folders.parquet (one row per folder). The first two hold
// personal data: files mode 0600.
func ExportIndex(ix *exposure.Index, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	recs, err := parquetout.Create[IndexRecording](filepath.Join(dir, "recordings.parquet"))
	if err != nil {
		return err
	}
	defer recs.Abort()
	subs, err := parquetout.Create[IndexSubject](filepath.Join(dir, "subjects.parquet"))
	if err != nil {
		return err
	}
	defer subs.Abort()
	for i := range ix.Len() {
		r := ix.Recording(i)
		key := ix.Key(i)
		name := key[strings.LastIndexByte(key, '/')+1:]
		row := IndexRecording{
			Rec: int64(i), Path: r.Path, PathKey: key, Folder: ix.FolderPath(ix.FolderOf(i)), Name: name, NameLower: strings.ToLower(name),
			CallID: r.CallID, DurationS: r.Duration.Seconds(), Region: r.Region, CallerPhone: r.CallerPhone.Reveal(),
			Subjects: int64(len(r.Subjects)),
		}
		if !r.StartedAt.IsZero() {
			st := r.StartedAt.UTC()
			row.StartedAt = &st
		}
		if a := ix.AvailableAt(i); a != math.MinInt64 {
			t := time.Unix(0, a).UTC()
			us := a / 1000
			if a%1000 > 0 {
				us++
			}
			row.AvailableAt, row.AvailableUS = &t, &us
		}
		if r.Size >= 0 {
			row.SizeBytes = &r.Size
		}
		if err := recs.Write(row); err != nil {
			return err
		}
		for k, s := range r.Subjects {
			if err := subs.Write(IndexSubject{
				Rec: int64(i), Subject: int64(k), PathKey: row.PathKey,
				SubjectID: s.ID.ID(), SubjectIDGiven: s.ID.Given, PersonID: ix.Person(int(s.Person)).ID(),
				SubjectKind: s.ID.Kind.String(), Role: s.Role, Child: s.ID.Child(r.StartedAt),
			}); err != nil {
				return err
			}
		}
	}
	if err := recs.Close(); err != nil {
		return err
	}
	if err := subs.Close(); err != nil {
		return err
	}
	dirs, err := parquetout.Create[IndexFolder](filepath.Join(dir, "folders.parquet"))
	if err != nil {
		return err
	}
	defer dirs.Abort()
	for f := range ix.NumFolders() {
		k := ix.FolderPath(f)
		row := IndexFolder{Folder: k}
		if k != "/" {
			t := strings.TrimSuffix(k, "/")
			i := strings.LastIndexByte(t, '/')
			parent := t[:i+1]
			row.Parent, row.Name = &parent, t[i+1:]
			row.NameLower = strings.ToLower(row.Name)
		}
		if err := dirs.Write(row); err != nil {
			return err
		}
	}
	return dirs.Close()
}
