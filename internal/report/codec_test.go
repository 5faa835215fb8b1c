package report

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRecordRoundTrip writes calls and list rows to the spool format and
// reads them back: the same values, empty lists as nil (as gob gave
// them), zero times zero.
func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(2016, 3, 4, 5, 6, 7, 8_000_000, time.FixedZone("", 3600))
	calls := []callIn{
		{},
		{Subject: "191212121212", CallID: "c-1", Started: at, Level: "full", Role: "caller", Phone: "+46701740665", Region: "Stockholm"},
		{Subject: "x\x00y", CallID: "åäö", Started: time.Unix(-5, 0), Level: "none", Role: "patient"},
	}
	rows := []notifyRow{
		{},
		{ID: "191212121212", IDGiven: "19121212-1212", Kind: "personnummer", Child: true, Level: "partial", OnGap: true,
			Roles: []string{"caller", "patient"}, CallsAll: 3, Calls: calls[1:], OtherRegions: []string{"Sörmland"},
			ActorCategories: []string{"unknown", "crawler"}, FirstExposure: at},
		{ID: "z", CallsAll: -1, Calls: calls[:1]},
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w := &recordWriter{w: bw}
	for i := range calls {
		if err := w.putCall(&calls[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range rows {
		if err := w.putRow(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	r := &recordReader{r: bufio.NewReader(bytes.NewReader(buf.Bytes()))}
	var gotCalls []callIn
	for range calls {
		var c callIn
		if err := r.getCall(&c); err != nil {
			t.Fatal(err)
		}
		gotCalls = append(gotCalls, c)
	}
	var gotRows []notifyRow
	for range rows {
		var row notifyRow
		if err := r.getRow(&row); err != nil {
			t.Fatal(err)
		}
		gotRows = append(gotRows, row)
	}
	var c callIn
	if err := r.getCall(&c); !errors.Is(err, io.EOF) {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
	opt := cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && a.IsZero() == b.IsZero() })
	if d := cmp.Diff(calls, gotCalls, opt); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	want := rows
	want[0].Roles, want[0].OtherRegions = nil, nil
	if d := cmp.Diff(want, gotRows, opt, cmp.AllowUnexported(callIn{})); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
}

// TestRecordTruncated reads a spool cut short: an error, never a row.
func TestRecordTruncated(t *testing.T) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w := &recordWriter{w: bw}
	row := notifyRow{ID: "191212121212", Roles: []string{"caller"}, Calls: []callIn{{CallID: "c"}}}
	if err := w.putRow(&row); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	whole := buf.Bytes()
	for n := 1; n < len(whole); n++ {
		r := &recordReader{r: bufio.NewReader(bytes.NewReader(whole[:n]))}
		var got notifyRow
		if err := r.getRow(&got); err == nil || errors.Is(err, io.EOF) {
			t.Errorf("cut at %d of %d bytes: error %v, want a malformed or unexpected-EOF error", n, len(whole), err)
		}
	}
	// A record whose fields end early.
	var short bytes.Buffer
	short.Write([]byte{2, 5, 'a'})
	r := &recordReader{r: bufio.NewReader(&short)}
	var got callIn
	if err := r.getCall(&got); !errors.Is(err, errBadRecord) {
		t.Errorf("short fields: %v, want errBadRecord", err)
	}
}
