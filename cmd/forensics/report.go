package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // --tz works where the system has no zone database

	"github.com/forensiclog/forensics/internal/report"
)

// ReportCmd is "forensics report DIR": the reports again from an output
// directory, without the logs.
type ReportCmd struct {
	Dir             string   `arg:"" help:"Output directory of an analysis (persons.parquet, summary.json, manifest.json ...)." type:"existingdir" placeholder:"DIR"`
	Lang            string   `help:"Language of the report and letters: sv (Swedish, the authority's) or en." enum:"sv,en" default:"sv"`
	TZ              string   `name:"tz" help:"Time zone the times are shown in, with their offset (IANA name)." default:"Europe/Stockholm" placeholder:"ZONE"`
	Controller      []string `help:"Data controller, for the Art. 33 drafts and the letters: REGION=NAME names a region's own (repeat it per region, REGION as in the index), NAME alone the whole's." sep:"none" placeholder:"[REGION=]NAME"`
	Contact         []string `help:"Contact point (DPO), for the Art. 33 drafts and the letters: REGION=CONTACT or CONTACT, as --controller." sep:"none" placeholder:"[REGION=]CONTACT"`
	TrustedCategory []string `help:"Actor categories whose access was not an exposure (as given to analyze)." default:"authorized,internal" placeholder:"CATEGORY"`
	Letter          string   `help:"Art. 34 letter template (Go text/template, Markdown) instead of the shipped one; see internal/report/letter_sv.md.tmpl for the fields." type:"existingfile" placeholder:"FILE"`
	Separator       string   `help:"CSV field separator: ';' (Excel in a Swedish locale), ',' or 'tab'." default:";" placeholder:"CHAR"`
	Title           string   `help:"Title of the report; default: a title for the language." placeholder:"TEXT"`

	profileFlags `embed:""`
}

// Validate checks the separator and the zone.
func (c *ReportCmd) Validate() error {
	if _, err := c.comma(); err != nil {
		return err
	}
	if _, err := time.LoadLocation(c.TZ); err != nil {
		return fmt.Errorf("--tz: unknown time zone %q", c.TZ)
	}
	return nil
}

func (c *ReportCmd) comma() (rune, error) {
	switch c.Separator {
	case ";", ",", "|":
		return rune(c.Separator[0]), nil
	case "tab", "\t":
		return '\t', nil
	}
	return 0, fmt.Errorf("--separator: want ';', ',', '|' or 'tab'")
}

// Run renders the reports.
func (c *ReportCmd) Run(log *slog.Logger) error {
	if _, err := os.Stat(filepath.Join(c.Dir, "persons.parquet")); err != nil {
		return errors.New("no persons.parquet in " + c.Dir + ": give the output directory of an analysis")
	}
	stopProfiles, err := c.profileFlags.start()
	if err != nil {
		return err
	}
	defer stopProfiles()
	loc, _ := time.LoadLocation(c.TZ)
	comma, _ := c.comma()
	opts := report.Options{
		Lang: c.Lang, TZ: loc, Title: c.Title,
		TrustedCategories: trustedCategories(c.TrustedCategory), Comma: comma, Tool: "forensics", Version: version,
	}
	opts.Controller, opts.Controllers = perRegion(c.Controller)
	opts.Contact, opts.Contacts = perRegion(c.Contact)
	if c.Letter != "" {
		b, err := os.ReadFile(c.Letter)
		if err != nil {
			return err
		}
		opts.Letter = string(b)
	}
	opts.Log = log
	if err := report.Render(c.Dir, opts); err != nil {
		return err
	}
	log.Info("reports written", "dir", c.Dir, "files", "report.html, report.md, notify/, letters/")
	return nil
}

// perRegion splits the values of --controller or --contact into the
// whole's ("NAME") and each region's ("REGION=NAME"); the last given wins.
func perRegion(vals []string) (whole string, byRegion map[string]string) {
	for _, v := range vals {
		region, name, ok := strings.Cut(v, "=")
		if !ok {
			whole = v
			continue
		}
		if byRegion == nil {
			byRegion = map[string]string{}
		}
		byRegion[strings.TrimSpace(region)] = strings.TrimSpace(name)
	}
	return whole, byRegion
}

// trustedCategories turns the flag into the list ("none" trusts no one).
func trustedCategories(flag []string) []string {
	out := []string{}
	for _, c := range flag {
		if c != "none" {
			out = append(out, c)
		}
	}
	return out
}

// writeReports renders the reports into dir, the directory analyze wrote
// its outputs to, and keeps their digests for the manifest: report.md's,
// and one per folder ("notify/", "letters/", see dirSHA256).
func (a *analysis) writeReports(dir string, log *slog.Logger) error {
	opts := a.reportOptions()
	opts.Log = log
	if err := report.Render(dir, opts); err != nil {
		return err
	}
	a.reportSums = map[string]string{}
	if sum, err := fileSHA256(filepath.Join(dir, "report.md")); err == nil {
		a.reportSums["report.md"] = sum
	}
	for _, sub := range []string{"notify", "letters"} {
		if _, err := os.Stat(filepath.Join(dir, sub)); err != nil {
			continue
		}
		sum, err := dirSHA256(filepath.Join(dir, sub))
		if err != nil {
			return err
		}
		a.reportSums[sub+"/"] = sum
	}
	return nil
}

// dirSHA256 digests a folder of outputs: SHA-256 over a line per file,
// in lexical order, "path<TAB>sha256-of-the-file", paths relative to dir
// with '/'. The manifest gives it under the folder's name with a
// trailing slash.
func dirSHA256(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		sum, err := fileSHA256(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\t%s\n", filepath.ToSlash(rel), sum)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// reportOptions are the options analyze renders its reports with: what it
// knows of the run, so that the report needs no manifest.
func (a *analysis) reportOptions() report.Options {
	o := report.Options{
		Lang:              "sv",
		TrustedCategories: trustedCategories(a.cmd.TrustedCategory),
		IndexRecordings:   a.indexLen, IndexSHA256: a.indexSum,
		Tool: "forensics", Version: version, Demo: a.cmd.demo,
		Problems: a.problems,
	}
	o.Controller, o.Controllers = perRegion(a.cmd.Controller)
	o.Contact, o.Contacts = perRegion(a.cmd.Contact)
	if loc, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		o.TZ = loc
	}
	names := make([]string, 0, len(a.inputs)+1)
	for _, in := range a.inputs {
		names = append(names, in.Name)
	}
	names = append(names, a.cmd.Index)
	rel := report.RelativeNames(names)
	o.Inputs = []report.InputInfo{}
	for i, in := range a.inputs {
		o.Inputs = append(o.Inputs, report.InputInfo{Name: rel[i], Format: in.Format, Lines: in.Lines, Rejected: in.Rejected, SHA256: in.SHA256})
	}
	o.IndexName = rel[len(rel)-1]
	return o
}
