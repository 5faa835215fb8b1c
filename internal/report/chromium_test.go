package report

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forensiclog/forensics/internal/testutil"
)

// chromium returns the path of a Chromium binary, skipping the test when
// there is none, or failing it in CI (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testutil.InCI() {
		t.Fatal("chromium is not installed (CI is set): apt-get install -y chromium")
	}
	t.Skip("chromium is not installed: apt-get install -y chromium to render the report in a browser")
	return ""
}

// runChromium runs headless Chromium on the page with extra arguments and
// returns its standard output. No network: the page must need none.
func runChromium(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// writeDemoReport writes the demo's report into a temporary directory.
func writeDemoReport(t *testing.T) string {
	t.Helper()
	res, meta := demoResult(t)
	page := filepath.Join(t.TempDir(), "report.html")
	if err := Write(page, res, meta); err != nil {
		t.Fatal(err)
	}
	return page
}

// TestChromiumScreenshot renders the demo's report in headless Chromium
// and checks that the screenshot is a PNG of the expected size with
// content on it (not a blank or an error page). Set REPORT_SCREENSHOT to a
// file name to keep the screenshot for a look.
func TestChromiumScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	bin := chromium(t)
	page := writeDemoReport(t)
	shot := filepath.Join(t.TempDir(), "report.png")
	runChromium(t, bin, page, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %dx%d, want 1280x2000", b.Dx(), b.Dy())
	}
	st := pixelStats(img)
	t.Logf("screenshot: luma mean %.1f, variance %.1f, dark pixels %.2f %%, coloured %.2f %%", st.mean, st.variance, 100*st.dark, 100*st.coloured)
	// A blank page has no variance; an error page has a little text. The
	// report's first screen has text, tables and red summary cards.
	if st.variance < 200 {
		t.Errorf("screenshot looks blank: luma variance %.1f", st.variance)
	}
	if st.dark < 0.01 {
		t.Errorf("screenshot has too little text: %.3f %% dark pixels", 100*st.dark)
	}
	if st.coloured < 0.0005 {
		t.Errorf("screenshot has no colour (the summary cards are red): %.3f %%", 100*st.coloured)
	}
	if keep := os.Getenv("REPORT_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Error(err)
		}
	}
}

type pixelStatsResult struct {
	mean, variance float64
	dark, coloured float64 // shares of pixels
}

func pixelStats(img image.Image) pixelStatsResult {
	b := img.Bounds()
	var n, sum, sumSq, dark, coloured float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r8, g8, b8 := float64(r>>8), float64(g>>8), float64(bl>>8)
			l := 0.299*r8 + 0.587*g8 + 0.114*b8
			n++
			sum += l
			sumSq += l * l
			if l < 100 {
				dark++
			}
			if r8-g8 > 60 && r8-b8 > 60 {
				coloured++
			}
		}
	}
	mean := sum / n
	return pixelStatsResult{mean: mean, variance: sumSq/n - mean*mean, dark: dark / n, coloured: coloured / n}
}

// TestChromiumDOM loads the demo's report in headless Chromium, dumps the
// DOM it built and checks the summary's figures are in it: the page parses
// as the template meant it.
func TestChromiumDOM(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	bin := chromium(t)
	page := writeDemoReport(t)
	dom := string(runChromium(t, bin, page, "--dump-dom"))
	res, _ := demoResult(t)
	s := res.Summary
	var kids int64
	for l, n := range s.ChildrenByLevel {
		if l != "none" {
			kids += n
		}
	}
	want := []string{
		`id="persons-to-notify">` + itoa(s.PersonsNotify) + `<`,
		`id="children-to-notify">` + itoa(kids) + `<`,
		`id="phones-exposed">` + itoa(s.PhonesExposed) + `<`,
		`id="actors-total">` + itoa(s.Actors) + `<`,
		"personuppgiftsincident",
	}
	for _, l := range []string{"full", "partial", "metadata", "undeterminable", "none"} {
		i := strings.Index(dom, `<tr id="level-`+l+`">`)
		if i < 0 {
			t.Errorf("DOM lacks the row of level %s", l)
			continue
		}
		row := dom[i : i+strings.Index(dom[i:], "</tr>")]
		if !strings.Contains(row, `<td class="n">`+itoa(s.PersonsByLevel[l])+`</td>`) {
			t.Errorf("DOM row of level %s lacks its %d persons", l, s.PersonsByLevel[l])
		}
	}
	for _, w := range want {
		if !strings.Contains(dom, w) {
			t.Errorf("DOM lacks %q", w)
		}
	}
	for _, sec := range []string{"summary", "imy", "actors", "coverage", "method", "notice"} {
		if !strings.Contains(dom, `<section id="`+sec+`">`) {
			t.Errorf("DOM lacks section %s", sec)
		}
	}
}

// TestPixelStats checks that the screenshot checks tell a blank page from
// one with text.
func TestPixelStats(t *testing.T) {
	blank := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if st := pixelStats(blank); st.variance != 0 || st.dark != 0 || st.coloured != 0 {
		t.Errorf("blank page: %+v", st)
	}
	text := image.NewRGBA(image.Rect(0, 0, 100, 100))
	copy(text.Pix, blank.Pix)
	for y := 10; y < 20; y++ {
		for x := 0; x < 100; x++ {
			text.Set(x, y, color.RGBA{0xb3, 0x26, 0x1e, 0xff})
		}
	}
	if st := pixelStats(text); st.variance < 200 || st.dark < 0.09 || st.coloured < 0.09 {
		t.Errorf("page with a red band: %+v", st)
	}
}
