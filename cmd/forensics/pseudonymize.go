package main

// Pseudonymized outputs ("forensics analyze --pseudonymize KEY_FILE").
//
// The response team needs the real numbers to notify people; an IT
// contractor or an auditor who checks the analysis does not. With
// --pseudonymize, every subject and phone number in the output rows is
// replaced by a keyed pseudonym before anything is written, so that the
// outputs can be shared beyond the team while rows still join.
//
// # Making a key
//
//	(umask 077; head -c 32 /dev/urandom | base64 > pseudonym.key)
//
// The key is the file's bytes, without a trailing newline: here 44
// base64 characters carrying 256 random bits. It is never decoded, so any
// file of 32 to 1024 bytes will do, but only a random one protects
// anything: Swedish phone numbers and personal identity numbers are few
// enough to try them all, so whoever holds the key and a pseudonymized
// file can recover every number by guessing. Keep the key with the
// response team, never with the outputs; keep it (mode 0600) as long as
// outputs made with it must be linked again, and destroy it when they
// need not be.

import (
	"net/netip"

	"github.com/forensiclog/forensics/internal/report"

	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/forensiclog/forensics/pkg/exposure"
)

// Bounds on the key file's length. The lower bound is 256 bits when the
// bytes are random; the upper one catches a wrong file (an index, a log)
// given by mistake.
const (
	pseudonymKeyMin = 32
	pseudonymKeyMax = 1024
)

// Domain separation: each kind of value is hashed under its own prefix,
// so that a subject and a phone number with the same digits get unrelated
// pseudonyms, and the pseudonym prefix says which kind a value is.
const (
	subjectDomain = "subject:" // + exposure.Identity.ID(): 12-digit form, or as given
	phoneDomain   = "phone:"   // + E.164 ("+46701234567"), or as given when not valid
	keyIDDomain   = "key-id:"  // nothing appended: names the key, reveals nothing of it

	subjectPrefix = "p_"
	// Actor "addresses" that are none (host names, garbage in %h).
	hostDomain  = "host:"
	hostPrefix  = "h_"
	phonePrefix = "t_"

	// pseudonymChars is the length of a pseudonym after its prefix: 20
	// base32 characters, the first 100 bits of the HMAC.
	pseudonymChars = 20
)

// pseudonymEncoding is lowercase base32 (RFC 4648 alphabet) without
// padding. Its digits are 2 to 7 only, so a pseudonym never holds a digit
// run that could be mistaken for, or match, a phone or identity number.
var pseudonymEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// loadPseudonymKey reads the key for --pseudonymize: the file's bytes
// with one trailing newline ("\n" or "\r\n") removed, so that editors
// that add or drop a final newline do not change the pseudonyms.
//
// It refuses a key shorter than 32 bytes, a file longer than 1024 bytes
// (not a key file), and, except on Windows, a file that group or others
// may read or write (as ssh refuses a private key): whoever reads the key
// can undo the pseudonyms by trying every phone number. Make a key with
//
//	(umask 077; head -c 32 /dev/urandom | base64 > pseudonym.key)
//
// or fix an existing one with "chmod 600 pseudonym.key". Errors name the
// file and lengths, never the key's bytes.
func loadPseudonymKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("pseudonym key %s: not a regular file", path)
	}
	if perm := st.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("pseudonym key %s: group or others may access it (mode %04o); run chmod 600 on it", path, perm)
	}
	b, err := io.ReadAll(io.LimitReader(f, pseudonymKeyMax+3))
	if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	switch {
	case len(b) > pseudonymKeyMax:
		return nil, fmt.Errorf("pseudonym key %s: longer than %d bytes, not a key file", path, pseudonymKeyMax)
	case len(b) < pseudonymKeyMin:
		return nil, fmt.Errorf("pseudonym key %s: %d bytes, need at least %d; make one with: head -c 32 /dev/urandom | base64 > KEY_FILE",
			path, len(b), pseudonymKeyMin)
	}
	return b, nil
}

// pseudonymKeyID names a key without revealing it: 8 characters of
// HMAC-SHA256(key, "key-id:"). Put it in the manifest so that recipients
// can tell whether two sets of outputs were made with the same key, and
// so can be joined.
func pseudonymKeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, keyIDDomain)
	return pseudonymEncoding.EncodeToString(m.Sum(nil))[:8]
}

// pseudonymScheme describes the scheme for the manifest.
const pseudonymScheme = `HMAC-SHA256(key, "subject:"+id) -> "p_"+20 base32 chars; HMAC-SHA256(key, "phone:"+E.164) -> "t_"+20 base32 chars`

// pseudonymize replaces, in place, the personal numbers in res with keyed
// pseudonyms (the typed exposure.IdentityNumber and exposure.Phone
// values, revealed only to be hashed), so that the outputs can be shared beyond the response team.
//
// # Scheme
//
// A pseudonym is a prefix and the first 20 characters (100 bits) of the
// lowercase, unpadded base32 form of an HMAC-SHA256 under the key:
//
//	subject: "p_" + base32(HMAC-SHA256(key, "subject:" + SubjectID))[:20]
//	phone:   "t_" + base32(HMAC-SHA256(key, "phone:" + E.164))[:20]
//
// SubjectID is the identity's key (exposure.Identity.ID: the 12-digit
// YYYYMMDDNNNC form when known, else the identifier as given); a phone is
// the E.164 form the index loader made, or the number as given when the
// phone metadata rejected it. The same value under the same key gives the
// same pseudonym in every file and every run; under another key, an
// unrelated one, so outputs made with different keys cannot be linked.
// Without the key nothing can be recovered or confirmed; with it, a
// number can be confirmed by trying it, which for phone and identity
// numbers means all of them can: the key must stay secret.
//
// 100 bits make collisions negligible: for n distinct values of one kind
// the chance that any two share a pseudonym is about n²/2^101, below
// 10^-16 for ten million persons (the 2019 leak held some 57,000 phone
// numbers and 2.7 million calls).
//
// # What is replaced
//
//   - SubjectID of ExposureRow and PersonRow, by its subject pseudonym;
//     SubjectIDGiven, by the subject pseudonym of the number as given
//     (the same as SubjectID's when it was given in the 12-digit form).
//   - CallerPhone of ExposureRow and RecordingRow, and every entry of
//     PersonRow.Phones, by its phone pseudonym.
//   - In Path (ExposureRow, RecordingRow) and CallID: every unbroken digit
//     run that is the caller's phone in any usual written form (E.164
//     digits with or without '+', 00-international, 46-prefixed, national
//     with trunk 0, or bare national), and the number
//     exposure.PhoneFromFileName reads from the file name when that
//     differs from the caller's, by that phone's pseudonym; and every
//     10- or 12-digit run, or YYMMDD-NNNC / YYYYMMDD-NNNC form, that is a
//     valid personnummer or samordningsnummer, by its subject pseudonym
//     (with the recording's date deciding the century, as the loader
//     does, so that it equals the subject's SubjectID pseudonym). The
//     rewrite depends on the path and the caller's phone only, so a
//     recording's path is the same in exposures and recordings, stays
//     unique, and still joins; other characters stay as they were.
//
// Levels, times, counts, regions, actors and evidence (input:line) are
// left as they were; ActorRow and Summary hold no subject's number and
// are not touched.
//
// The engine writes exposures and recordings in index order, which owes
// nothing to the numbers, but sorts persons by SubjectID, which would keep
// the order of the real numbers (for personnummer: birth dates) in the
// outputs. pseudonymize therefore sorts persons again by pseudonym, so that
// row order reveals nothing either.
//
// Limits: numbers written with separators inside a file name
// ("070-174 06 65") are not found, nor are numbers other than the
// caller's phone and identity numbers (a callback number in a call ID,
// say). Actor IPs and user agents are personal data of the actors, not of
// the subjects, and are kept for the contractor to check attribution.
func pseudonymize(res *exposure.Result, key []byte) {
	rp := newRowPseudonymizer(key)
	for i := range res.Recordings {
		rp.recording(&res.Recordings[i])
	}
	for i := range res.Exposures {
		rp.exposure(&res.Exposures[i])
	}
	for i := range res.Persons {
		rp.person(&res.Persons[i])
	}
	slices.SortFunc(res.Persons, func(a, b exposure.PersonRow) int {
		return strings.Compare(a.SubjectID.Reveal(), b.SubjectID.Reveal())
	})
}

// A rowPseudonymizer rewrites rows one at a time, as they stream out: the
// rewrite of a row depends on that row alone (its call date gives a
// 10-digit identity number in a path its century), so memory stays flat.
// Persons are put in an order that owes nothing to the numbers by the
// engine (exposure.Options.PersonOrder, see personOrder).
type rowPseudonymizer struct {
	p *pseudonymizer
	// Exposure rows come in runs of one recording: the last path and
	// call ID rewrites are kept.
	lastIn, lastOut string
	lastCaller      exposure.Phone
	lastAt          time.Time
}

func newRowPseudonymizer(key []byte) *rowPseudonymizer {
	return &rowPseudonymizer{p: newPseudonymizer(key)}
}

// scrub rewrites a path or call ID, remembering the last one.
func (rp *rowPseudonymizer) scrub(s string, caller exposure.Phone, at time.Time) string {
	if !hasDigitRun(s, 6) {
		return s
	}
	if s == rp.lastIn && caller == rp.lastCaller && at.Equal(rp.lastAt) {
		return rp.lastOut
	}
	out, _ := rp.p.scrub(s, caller, at)
	rp.lastIn, rp.lastCaller, rp.lastAt, rp.lastOut = s, caller, at, out
	return out
}

func (rp *rowPseudonymizer) recording(r *exposure.RecordingRow) {
	r.Path = rp.scrub(r.Path, r.CallerPhone, r.StartedAt)
	r.CallID, _ = rp.p.scrub(r.CallID, r.CallerPhone, r.StartedAt)
	r.CallerPhone = rp.p.phone(r.CallerPhone)
}

func (rp *rowPseudonymizer) exposure(e *exposure.ExposureRow) {
	e.Path = rp.scrub(e.Path, e.CallerPhone, e.StartedAt)
	if hasDigitRun(e.CallID, 6) {
		e.CallID, _ = rp.p.scrub(e.CallID, e.CallerPhone, e.StartedAt)
	}
	e.SubjectID = rp.p.subject(e.SubjectID)
	e.SubjectIDGiven = rp.p.subject(e.SubjectIDGiven)
	e.CallerPhone = rp.p.phone(e.CallerPhone)
	e.ActorIP = rp.actorIP(e.ActorIP)
	e.ActorUA = rp.userAgent(e.ActorUA)
	e.UAName = rp.userAgent(e.UAName)
}

// actorIP pseudonymizes an actor "address" that is none (a logged host
// name, or garbage in the client field, which may hold a number); an
// address stays, for the contractor to check attribution.
func (rp *rowPseudonymizer) actorIP(s string) string {
	if s == "" {
		return s
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return s
	}
	return rp.p.token(rp.p.subjects, hostPrefix, hostDomain, s)
}

// userAgent masks the runs of six or more digits in a user agent (a
// client may put any number there), as the report does.
func (rp *rowPseudonymizer) userAgent(s string) string {
	if !hasDigitRun(s, 6) {
		return s
	}
	return report.ScrubNumbers(s)
}

func (rp *rowPseudonymizer) actor(a *exposure.ActorRow) {
	a.ActorIP = rp.actorIP(a.ActorIP)
	a.ActorUA = rp.userAgent(a.ActorUA)
	a.UAName = rp.userAgent(a.UAName)
	for i, ua := range a.UserAgents {
		a.UserAgents[i] = rp.userAgent(ua)
	}
}

func (rp *rowPseudonymizer) listing(l *exposure.ListingRow) {
	l.ActorIP = rp.actorIP(l.ActorIP)
	l.ActorUA = rp.userAgent(l.ActorUA)
}

func (rp *rowPseudonymizer) person(pr *exposure.PersonRow) {
	pr.SubjectID = rp.p.subject(pr.SubjectID)
	pr.SubjectIDGiven = rp.p.subject(pr.SubjectIDGiven)
	for j, ph := range pr.Phones {
		pr.Phones[j] = rp.p.phone(ph)
	}
	slices.Sort(pr.Phones)
}

// personOrder orders persons as their pseudonyms sort (by the first 12
// characters: 60 bits), so that the persons output keeps no order of the
// real numbers.
func personOrder(key []byte) func(string) uint64 {
	p := newPseudonymizer(key)
	return func(id string) uint64 {
		p.mac.Reset()
		io.WriteString(p.mac, subjectDomain)
		io.WriteString(p.mac, id)
		p.sum = p.mac.Sum(p.sum[:0])
		bits := binary.BigEndian.Uint64(p.sum)
		var k uint64
		for i := range 12 {
			v := bits >> (59 - 5*i) & 31
			// The alphabet's ASCII order: "2".."7" (values 26-31) sort
			// before "a".."z" (0-25).
			if v < 26 {
				v += 6
			} else {
				v -= 26
			}
			k = k<<5 | v
		}
		return k
	}
}

// A pseudonymizer computes pseudonyms under one key. It is not safe for
// concurrent use.
type pseudonymizer struct {
	mac hash.Hash
	sum []byte
	enc []byte
	// Memos per domain, value -> pseudonym: rows repeat subjects and
	// phones many times.
	subjects, phones map[string]string
	// The last caller scrub saw, with its runs and pseudonym: exposure
	// rows come in runs of one recording.
	lastCaller      exposure.Phone
	lastCallerRuns  []string
	lastCallerToken string
}

// pseudonymMemoMax bounds each memo; it starts afresh when full, so that
// memory stays flat however many subjects there are.
const pseudonymMemoMax = 1 << 16

func newPseudonymizer(key []byte) *pseudonymizer {
	return &pseudonymizer{
		mac:      hmac.New(sha256.New, key),
		enc:      make([]byte, pseudonymEncoding.EncodedLen(sha256.Size)),
		subjects: map[string]string{},
		phones:   map[string]string{},
	}
}

// token returns prefix + the pseudonym of domain+value, remembered in
// memo.
func (p *pseudonymizer) token(memo map[string]string, prefix, domain, value string) string {
	if t, ok := memo[value]; ok {
		return t
	}
	p.mac.Reset()
	io.WriteString(p.mac, domain)
	io.WriteString(p.mac, value)
	p.sum = p.mac.Sum(p.sum[:0])
	pseudonymEncoding.Encode(p.enc, p.sum)
	t := prefix + string(p.enc[:pseudonymChars])
	if len(memo) >= pseudonymMemoMax {
		clear(memo)
	}
	memo[value] = t
	return t
}

// subject returns the pseudonym of an identity number (a person's key,
// or a number as given); "" stays "".
func (p *pseudonymizer) subject(id exposure.IdentityNumber) exposure.IdentityNumber {
	if id == "" {
		return ""
	}
	return exposure.IdentityNumber(p.token(p.subjects, subjectPrefix, subjectDomain, id.Reveal()))
}

// phone returns the pseudonym of a phone number; "" stays "".
func (p *pseudonymizer) phone(ph exposure.Phone) exposure.Phone {
	if ph == "" {
		return ""
	}
	return exposure.Phone(p.token(p.phones, phonePrefix, phoneDomain, ph.Reveal()))
}

// phoneRuns returns the digit runs in which phone (E.164, or a number as
// given) may stand in a file name: for "+46701234567" they are
// 46701234567, 0046701234567, 0701234567 and 701234567. Runs shorter
// than 6 digits are not returned: they would hit dates and times.
func phoneRuns(ph exposure.Phone) []string {
	phone := ph.Reveal()
	if phone == "" {
		return nil
	}
	var d []byte
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; '0' <= c && c <= '9' {
			d = append(d, c)
		}
	}
	if len(d) < 6 {
		return nil
	}
	digits := string(d)
	runs := []string{digits}
	if phone[0] == '+' {
		runs = append(runs, "00"+digits)
		if nat, ok := strings.CutPrefix(digits, "46"); ok && len(nat) >= 6 {
			runs = append(runs, "0"+nat, nat)
		}
	}
	return runs
}

// scrub rewrites s (a path or a call ID) as pseudonymize documents: runs
// of the caller's phone, or of the phone in the file name, become phone
// pseudonyms, and valid identity numbers subject pseudonyms. ref is the
// recording's date for a 10-digit identity number's century; zero when
// unknown. short reports whether a 10-digit identity number was replaced,
// whose pseudonym depends on ref.
func (p *pseudonymizer) scrub(s string, caller exposure.Phone, ref time.Time) (out string, short bool) {
	if !hasDigitRun(s, 6) {
		return s, false
	}
	type cand struct {
		runs  []string
		token string
	}
	var cands []cand
	if caller != "" {
		if caller != p.lastCaller || p.lastCallerToken == "" {
			p.lastCaller, p.lastCallerRuns, p.lastCallerToken = caller, phoneRuns(caller), string(p.phone(caller))
		}
		cands = append(cands, cand{p.lastCallerRuns, p.lastCallerToken})
	}
	// The phone the file name holds, when it may differ from the
	// caller's: libphonenumber's validation is the costly part of all
	// this, so it runs only when the name has a candidate run that is
	// not the caller's.
	if len(cands) == 0 || otherPhoneCandidate(s, cands[0].runs) {
		if fn, ok := exposure.PhoneFromFileName(s); ok && exposure.Phone(fn) != caller {
			cands = append(cands, cand{phoneRuns(exposure.Phone(fn)), string(p.phone(exposure.Phone(fn)))})
		}
	}
	var b strings.Builder
	last := 0 // s[last:i] is still to copy
	for i, j := digitRun(s, 0); i < len(s); i, j = digitRun(s, i) {
		run := s[i:j]
		rep, end := "", j
		for _, c := range cands {
			if slices.Contains(c.runs, run) {
				rep = c.token
				break
			}
		}
		if rep == "" {
			// An identity number: a 10- or 12-digit run, or 6 or 8
			// digits, '-' or '+', and 4 more.
			num := run
			if (len(run) == 6 || len(run) == 8) && j+5 <= len(s) && (s[j] == '-' || s[j] == '+') &&
				isDigits(s[j+1:j+5]) && (j+5 == len(s) || !isDigit(s[j+5])) {
				num, end = s[i:j+5], j+5
			}
			if n := digitCount(num); n == 10 || n == 12 {
				if id := exposure.ParseIdentity(num, ref); id.Valid() {
					rep = string(p.subject(exposure.IdentityNumber(id.ID())))
					short = short || n == 10
				}
			}
		}
		if rep == "" {
			i = j
			continue
		}
		// A '+' written before an international run goes with it.
		start := i
		if start > last && s[start-1] == '+' && rep[0] == phonePrefix[0] {
			start--
		}
		b.WriteString(s[last:start])
		b.WriteString(rep)
		last, i = end, end
	}
	if last == 0 {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), short
}

// otherPhoneCandidate reports whether the base name of s holds a digit
// run, not among known, that exposure.PhoneFromFileName would try as a
// phone number: 0046 or 46 and enough digits, or a single trunk 0 and 8
// to 11 digits. It mirrors the rules documented there.
func otherPhoneCandidate(s string, known []string) bool {
	if i := strings.LastIndexAny(s, "/\\"); i >= 0 {
		s = s[i+1:]
	}
	for i, j := digitRun(s, 0); i < len(s); i, j = digitRun(s, j) {
		run := s[i:j]
		n := len(run)
		intl := strings.HasPrefix(run, "0046") && n >= 11 && n <= 15 ||
			strings.HasPrefix(run, "46") && n >= 9 && n <= 13
		nat := n >= 8 && n <= 11 && run[0] == '0' && run[1] != '0'
		if (intl || nat) && !slices.Contains(known, run) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitRun returns the bounds of the first run of digits in s at or after
// from: s[i:j]; i is len(s) when there is none.
func digitRun(s string, from int) (i, j int) {
	i = from
	for i < len(s) && !isDigit(s[i]) {
		i++
	}
	j = i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return i, j
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// hasDigitRun reports whether s holds a run of at least n digits.
func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
