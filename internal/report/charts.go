package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// The charts are inline SVG written here: no script, no network, text
// that a reader can select and a printer prints. Every bar carries its
// number, and fills differ by pattern as well as colour, so that a page
// printed in black and white still reads.

// svgDefs holds the fill patterns the charts refer to; the page includes
// it once.
const svgDefs = `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="p-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="2.5" height="6" fill="#e8590c"/></pattern>
<pattern id="p-dots" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff3bf"/><circle cx="2.5" cy="2.5" r="1.4" fill="#7a5200"/></pattern>
<pattern id="p-cross" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#eaeef2"/><path d="M0 0L6 6M6 0L0 6" stroke="#57606a" stroke-width="1"/></pattern>
<pattern id="p-kids" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="5" height="5" fill="#fff"/><rect width="2" height="5" fill="#1b1f24"/></pattern>
<pattern id="p-gap" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="2" height="6" fill="#b3261e"/></pattern>
</defs></svg>`

// levelFill is the fill of a level's bars.
var levelFill = map[string]string{
	"full":           "#b3261e",
	"partial":        "url(#p-hatch)",
	"metadata":       "url(#p-dots)",
	"undeterminable": "url(#p-cross)",
	"none":           "#fff",
}

type svg struct {
	b    strings.Builder
	w, h int
}

func newSVG(w, h int, title string) *svg {
	s := &svg{w: w, h: h}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="system-ui, sans-serif" font-size="12">`, w, h, w, h, esc(title))
	fmt.Fprintf(&s.b, `<title>%s</title>`, esc(title))
	s.text(0, 15, title, `font-weight="700" font-size="14"`)
	return s
}

func esc(s string) string { return html.EscapeString(s) }

func (s *svg) text(x, y float64, t string, attrs string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" %s>%s</text>`, num(x), num(y), attrs, esc(t))
}

func (s *svg) rect(x, y, w, h float64, fill string, extra string) {
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#1b1f24" stroke-width="0.6" %s/>`, num(x), num(y), num(w), num(h), fill, extra)
}

func (s *svg) line(x1, y1, x2, y2 float64, attrs string) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" %s/>`, num(x1), num(y1), num(x2), num(y2), attrs)
}

func (s *svg) done() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String())
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// legend draws swatches with labels in one row from x at y.
func (s *svg) legend(x, y float64, items [][2]string) {
	for _, it := range items {
		s.rect(x, y-10, 14, 12, it[0], "")
		s.text(x+19, y, it[1], "")
		x += 19 + float64(7*len([]rune(it[1]))) + 18
	}
}

// levelsChart draws persons (adults and children) and recordings per
// level as horizontal bars.
func levelsChart(t lang, sc *scope) template.HTML {
	const labelW, barW, rowH = 140.0, 380.0, 20.0
	rows := len(levelNames)
	h := int(34 + 2*(22+float64(rows)*rowH) + 30)
	s := newSVG(720, h, t.get("chart.levels"))
	var maxP, maxR int64 = 1, 1
	for _, l := range levelNames {
		maxP = max(maxP, sc.PersonsByLevel[l])
		maxR = max(maxR, sc.RecordingsByLevel[l])
	}
	y := 40.0
	panel := func(title string, max int64, val func(string) (int64, int64)) {
		s.text(0, y, title, `font-weight="600"`)
		y += 8
		for _, l := range levelNames {
			total, kids := val(l)
			s.text(labelW-8, y+14, t.level(l), `text-anchor="end"`)
			wAll := barW * float64(total) / float64(max)
			wKids := barW * float64(kids) / float64(max)
			if total > 0 {
				s.rect(labelW, y+3, wAll-wKids, rowH-6, levelFill[l], "")
				if kids > 0 {
					s.rect(labelW+wAll-wKids, y+3, wKids, rowH-6, "url(#p-kids)", "")
				}
			}
			label := strconv.FormatInt(total, 10)
			if kids >= 0 && title == t.get("chart.persons") {
				label += " (" + t.get("chart.children") + " " + strconv.FormatInt(kids, 10) + ")"
			}
			s.text(labelW+wAll+6, y+14, label, "")
			y += rowH
		}
		y += 14
	}
	panel(t.get("chart.persons"), maxP, func(l string) (int64, int64) { return sc.PersonsByLevel[l], sc.ChildrenByLevel[l] })
	panel(t.get("chart.recordings"), maxR, func(l string) (int64, int64) { return sc.RecordingsByLevel[l], -1 })
	s.legend(labelW, float64(h-8), [][2]string{{"#b3261e", t.level("full")}, {"url(#p-hatch)", t.level("partial")}, {"url(#p-dots)", t.level("metadata")}, {"url(#p-cross)", t.level("undeterminable")}, {"url(#p-kids)", t.get("chart.children")}})
	return s.done()
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten and
// returns it with its tick step.
func niceMax(v int64) (top, step int64) {
	if v <= 0 {
		return 1, 1
	}
	p := int64(1)
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			top = m * p
			break
		}
	}
	step = top / 5
	if step == 0 {
		step = 1
	}
	if top/step < 2 {
		step = max(1, top/2)
	}
	return top, step
}

// timeChart draws the accesses per day or week, stacked by level.
func timeChart(t lang, d *data) template.HTML {
	unit := t.get("chart.week")
	if !d.Weekly {
		unit = t.get("chart.day")
	}
	const left, right, top, bottom = 48.0, 12.0, 34.0, 58.0
	W, H := 720, 260
	s := newSVG(W, H, fmt.Sprintf(t.get("chart.time"), unit))
	var peak int64
	for _, b := range d.Buckets {
		peak = max(peak, b.Counts[0]+b.Counts[1]+b.Counts[2])
	}
	ymax, step := niceMax(peak)
	plotW, plotH := float64(W)-left-right, float64(H)-top-bottom
	for v := int64(0); v <= ymax; v += step {
		y := top + plotH - plotH*float64(v)/float64(ymax)
		s.line(left, y, left+plotW, y, `stroke="#d0d7de" stroke-width="0.6"`)
		s.text(left-6, y+4, strconv.FormatInt(v, 10), `text-anchor="end"`)
	}
	s.text(12, top+plotH/2, t.get("chart.count"), fmt.Sprintf(`text-anchor="middle" transform="rotate(-90 12 %s)"`, num(top+plotH/2)))
	n := len(d.Buckets)
	if n > 0 {
		bw := plotW / float64(n)
		every := max(1, int(math.Ceil(float64(n)*80/plotW)))
		for i, b := range d.Buckets {
			x := left + float64(i)*bw
			y := top + plotH
			total := b.Counts[0] + b.Counts[1] + b.Counts[2]
			for l := 2; l >= 0; l-- {
				if b.Counts[l] == 0 {
					continue
				}
				hgt := plotH * float64(b.Counts[l]) / float64(ymax)
				y -= hgt
				s.rect(x+bw*0.12, y, bw*0.76, hgt, levelFill[levelNames[l]], "")
			}
			if total > 0 && bw >= 14 {
				s.text(x+bw/2, y-3, strconv.FormatInt(total, 10), `text-anchor="middle" font-size="10"`)
			}
			if i%every == 0 {
				s.line(x+bw/2, top+plotH, x+bw/2, top+plotH+4, `stroke="#1b1f24"`)
				s.text(x+bw/2, top+plotH+16, b.Start.Format("2006-01-02"), `text-anchor="middle" font-size="10"`)
			}
		}
	}
	s.line(left, top+plotH, left+plotW, top+plotH, `stroke="#1b1f24"`)
	lbl := t.get("th.week")
	if !d.Weekly {
		lbl = t.get("th.day")
	}
	s.text(left+plotW/2, top+plotH+32, lbl, `text-anchor="middle"`)
	s.legend(left, float64(H-6), [][2]string{
		{"#b3261e", fmt.Sprintf("%s %d", t.level("full"), d.Accesses["full"])},
		{"url(#p-hatch)", fmt.Sprintf("%s %d", t.level("partial"), d.Accesses["partial"])},
		{"url(#p-dots)", fmt.Sprintf("%s %d", t.level("metadata"), d.Accesses["metadata"])},
	})
	return s.done()
}

// coverageChart draws one lane per log source and one for all logs on a
// time axis over the exposure window, gaps hatched, the window marked.
func coverageChart(t lang, d *data) template.HTML {
	const left, right = 190.0, 16.0
	lanes := len(d.Sources) + 1
	laneH := 20.0
	top := 58.0
	H := int(top + float64(lanes)*laneH + 58)
	W := 720
	s := newSVG(W, H, t.get("chart.cov"))
	from, to := d.S.Window.Start, d.S.Window.End
	for _, src := range d.Sources {
		if !src.From.IsZero() && (from.IsZero() || src.From.Before(from)) {
			from = src.From
		}
		if src.To.After(to) {
			to = src.To
		}
	}
	if from.IsZero() || !to.After(from) {
		s.text(0, 40, t.get("unknown"), "")
		return s.done()
	}
	plotW := float64(W) - left - right
	x := func(tm time.Time) float64 {
		return left + plotW*float64(tm.Sub(from))/float64(to.Sub(from))
	}
	wid := func(a, b time.Time) float64 { return math.Max(1.2, x(b)-x(a)) }
	// The window, as a bracket above the lanes.
	ws, we := x(d.S.Window.Start), x(d.S.Window.End)
	s.line(ws, 36, we, 36, `stroke="#1b1f24" stroke-width="2"`)
	s.line(ws, 30, ws, 42, `stroke="#1b1f24" stroke-width="2"`)
	s.line(we, 30, we, 42, `stroke="#1b1f24" stroke-width="2"`)
	s.text((ws+we)/2, 31, t.get("chart.window")+": "+dateIn(d.S.Window.Start, d.opts.TZ)+" – "+dateIn(d.S.Window.End, d.opts.TZ), `text-anchor="middle" font-size="11"`)
	y := top
	for _, src := range d.Sources {
		s.text(left-8, y+14, shorten(src.Source, 28), `text-anchor="end" font-size="11"`)
		s.rect(left, y+3, plotW, laneH-6, "#fff", `stroke-opacity="0.3"`)
		for _, sp := range src.spans {
			s.rect(x(sp.Start), y+3, wid(sp.Start, sp.End), laneH-6, "#1b1f24", "")
		}
		for _, g := range src.gaps {
			s.rect(x(g.Start), y+3, wid(g.Start, g.End), laneH-6, "url(#p-gap)", "")
		}
		y += laneH
	}
	s.text(left-8, y+14, t.get("chart.anylog"), `text-anchor="end" font-weight="700" font-size="11"`)
	s.rect(ws, y+3, we-ws, laneH-6, "#1b1f24", "")
	for _, u := range d.Uncovered {
		s.rect(x(u.Start), y+3, wid(u.Start, u.End), laneH-6, "url(#p-gap)", "")
	}
	y += laneH
	// Year ticks.
	s.line(left, y+4, left+plotW, y+4, `stroke="#1b1f24"`)
	loc := d.opts.TZ
	for yr := from.In(loc).Year() + 1; yr <= to.In(loc).Year(); yr++ {
		tx := x(time.Date(yr, 1, 1, 0, 0, 0, 0, loc))
		s.line(tx, y+4, tx, y+9, `stroke="#1b1f24"`)
		s.text(tx, y+21, strconv.Itoa(yr), `text-anchor="middle" font-size="11"`)
	}
	s.legend(left, float64(H-6), [][2]string{{"#1b1f24", t.get("chart.covered")}, {"url(#p-gap)", t.get("chart.gap") + " " + humanDuration(d.Uncov)}})
	return s.done()
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// barsChart draws counts as labelled horizontal bars.
func barsChart(title string, width int, rows []countRow, unit string, fill func(string) string) template.HTML {
	const rowH = 20.0
	labelW := 110.0
	for _, r := range rows {
		labelW = max(labelW, 16+6.5*float64(len([]rune(shorten(r.Name, 34)))))
	}
	barW := float64(width) - labelW - 80
	h := int(30 + float64(len(rows))*rowH + 8)
	s := newSVG(width, h, title)
	var peak int64 = 1
	for _, r := range rows {
		peak = max(peak, r.Count)
	}
	y := 26.0
	for _, r := range rows {
		s.text(labelW-8, y+14, shorten(r.Name, 34), `text-anchor="end"`)
		w := barW * float64(r.Count) / float64(peak)
		s.rect(labelW, y+3, w, rowH-6, fill(r.Name), "")
		s.text(labelW+w+6, y+14, strconv.FormatInt(r.Count, 10)+" "+unit, "")
		y += rowH
	}
	return s.done()
}

func categoryFill(trusted func(string) bool) func(string) string {
	return func(name string) string {
		switch {
		case name == "press":
			return "#b3261e"
		case trusted(name):
			return "#fff"
		case name == "crawler":
			return "url(#p-dots)"
		}
		return "url(#p-hatch)"
	}
}
