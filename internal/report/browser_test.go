package report

// The HTML reports in a real headless Chromium (Debian's chromium, which CI
// installs): the page loads without console errors, the SVG charts render
// with the expected number of bars and lines, nothing is requested but the
// file itself, print media keeps backgrounds light, and a screenshot is kept
// as a test artifact ($CASEFILE_ARTIFACTS, else the test's temporary
// folder). Chromium is driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: NUL-separated JSON on file descriptors 3 and
// 4), which needs no client library and opens no port.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/testtools"
)

const chromiumPath = "/usr/bin/chromium"

type cdpMessage struct {
	ID        int                       `json:"id,omitempty"`
	Method    string                    `json:"method,omitempty"`
	Params    json.RawMessage           `json:"params,omitempty"`
	Result    json.RawMessage           `json:"result,omitempty"`
	Error     *struct{ Message string } `json:"error,omitempty"`
	SessionID string                    `json:"sessionId,omitempty"`
}

// browser is a headless Chromium with a DevTools connection on a pipe.
type browser struct {
	t      *testing.T
	cmd    *exec.Cmd
	in     *os.File // Chromium reads commands from here (its fd 3)
	out    *os.File // and writes responses and events here (its fd 4)
	rd     *bufio.Reader
	id     int
	events []cdpMessage
	stderr bytes.Buffer
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromiumPath
	testtools.RequireFile(t, exe)
	profile := t.TempDir()
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+profile,
		"--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
		"--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, evW}
	b := &browser{t: t, cmd: cmd, in: cmdW, out: evR, rd: bufio.NewReader(evR)}
	cmd.Stderr = &b.stderr
	// A HOME of its own, so Chromium leaves the user's alone.
	cmd.Env = append(os.Environ(), "HOME="+profile)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	cmdR.Close()
	evW.Close()
	t.Cleanup(b.close)
	return b
}

func (b *browser) close() {
	if b.cmd.Process == nil {
		return
	}
	b.send("", "Browser.close", nil)
	done := make(chan struct{})
	go func() {
		_ = b.cmd.Wait() // exits by Browser.close or the kill below
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
	b.in.Close()
	b.out.Close()
}

func (b *browser) send(session, method string, params any) int {
	b.id++
	m := map[string]any{"id": b.id, "method": method}
	if params != nil {
		m["params"] = params
	}
	if session != "" {
		m["sessionId"] = session
	}
	data, err := json.Marshal(m)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.in.Write(append(data, 0)); err != nil {
		b.t.Fatalf("sending %s: %v (chromium stderr: %s)", method, err, b.stderr.String())
	}
	return b.id
}

// read reads the next message, failing the test after timeout.
func (b *browser) read(deadline time.Time) cdpMessage {
	b.t.Helper()
	if err := b.out.SetReadDeadline(deadline); err != nil {
		b.t.Fatal(err)
	}
	data, err := b.rd.ReadBytes(0)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			b.t.Fatalf("chromium did not answer in time (stderr: %s)", tail(b.stderr.String()))
		}
		b.t.Fatalf("reading from chromium: %v (stderr: %s)", err, tail(b.stderr.String()))
	}
	var m cdpMessage
	if err := json.Unmarshal(data[:len(data)-1], &m); err != nil {
		b.t.Fatalf("chromium sent %q: %v", data, err)
	}
	return m
}

// call sends a command and waits for its result, keeping the events that
// arrive meanwhile.
func (b *browser) call(session, method string, params any, result any) {
	b.t.Helper()
	id := b.send(session, method, params)
	deadline := time.Now().Add(60 * time.Second)
	for {
		m := b.read(deadline)
		if m.ID == 0 {
			b.events = append(b.events, m)
			continue
		}
		if m.ID != id {
			continue
		}
		if m.Error != nil {
			b.t.Fatalf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				b.t.Fatalf("%s result %s: %v", method, m.Result, err)
			}
		}
		return
	}
}

// waitEvent waits for an event of the session.
func (b *browser) waitEvent(session, method string) {
	b.t.Helper()
	for _, e := range b.events {
		if e.Method == method && e.SessionID == session {
			return
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		m := b.read(deadline)
		if m.ID != 0 {
			continue
		}
		b.events = append(b.events, m)
		if m.Method == method && m.SessionID == session {
			return
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// page opens url in a new tab with the DevTools domains that report errors
// and requests enabled, and waits for the load event.
func (b *browser) page(url string) string {
	var target struct{ TargetID string }
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	s := att.SessionID
	for _, d := range []string{"Page.enable", "Runtime.enable", "Log.enable", "Network.enable"} {
		b.call(s, d, map[string]any{}, nil)
	}
	b.call(s, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil)
	b.call(s, "Page.navigate", map[string]any{"url": url}, nil)
	b.waitEvent(s, "Page.loadEventFired")
	// Let late errors and requests arrive.
	b.call(s, "Runtime.evaluate", map[string]any{"expression": "new Promise(r => setTimeout(r, 300))", "awaitPromise": true}, nil)
	return s
}

func (b *browser) eval(session, expr string, out any) {
	b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct{ Text string } `json:"exceptionDetails"`
	}
	b.call(session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if res.ExceptionDetails != nil {
		b.t.Fatalf("evaluating %s: %s", expr, res.ExceptionDetails.Text)
	}
	if err := json.Unmarshal(res.Result.Value, out); err != nil {
		b.t.Fatalf("evaluating %s: %v (%s)", expr, err, res.Result.Value)
	}
}

// problems lists console errors, exceptions and requests other than the
// page itself seen in the session.
func (b *browser) problems(session, url string) []string {
	var out []string
	for _, e := range b.events {
		if e.SessionID != session {
			continue
		}
		switch e.Method {
		case "Runtime.exceptionThrown":
			out = append(out, "exception: "+string(e.Params))
		case "Runtime.consoleAPICalled":
			var p struct{ Type string }
			if err := json.Unmarshal(e.Params, &p); err != nil {
				out = append(out, "unreadable "+e.Method+" event: "+err.Error())
			}
			if p.Type == "error" || p.Type == "assert" || p.Type == "warning" {
				out = append(out, "console "+p.Type+": "+string(e.Params))
			}
		case "Log.entryAdded":
			var p struct {
				Entry struct{ Level, Text, URL string }
			}
			if err := json.Unmarshal(e.Params, &p); err != nil {
				out = append(out, "unreadable "+e.Method+" event: "+err.Error())
			}
			if p.Entry.Level == "error" || p.Entry.Level == "warning" {
				out = append(out, "log "+p.Entry.Level+": "+p.Entry.Text+" "+p.Entry.URL)
			}
		case "Network.requestWillBeSent":
			var p struct{ Request struct{ URL string } }
			if err := json.Unmarshal(e.Params, &p); err != nil {
				out = append(out, "unreadable "+e.Method+" event: "+err.Error())
			}
			if p.Request.URL != url {
				out = append(out, "network request: "+p.Request.URL)
			}
		case "Network.loadingFailed":
			out = append(out, "loading failed: "+string(e.Params))
		}
	}
	return out
}

func (b *browser) screenshot(session, path string) {
	b.t.Helper()
	var metrics struct {
		CSSContentSize struct{ Width, Height float64 } `json:"cssContentSize"`
	}
	b.call(session, "Page.getLayoutMetrics", map[string]any{}, &metrics)
	var shot struct{ Data string }
	b.call(session, "Page.captureScreenshot", map[string]any{
		"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": metrics.CSSContentSize.Width, "height": metrics.CSSContentSize.Height, "scale": 1},
	}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		b.t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// artifactDir is where screenshots and PDFs are kept: $CASEFILE_ARTIFACTS,
// else a new folder under the system temporary folder that outlives the
// test (its path is logged).
func artifactDir(t *testing.T) string {
	if d := os.Getenv("CASEFILE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d, err := os.MkdirTemp("", "casefile-report-artifacts-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("artifacts (screenshots, PDFs) kept in %s; set CASEFILE_ARTIFACTS to choose the folder", d)
	return d
}

// chartStats is what the page says about each chart.
type chartStats struct {
	ID      string  `json:"id"`
	SVGs    int     `json:"svgs"`
	Width   float64 `json:"width"`
	Height  float64 `json:"height"`
	Bars    int     `json:"bars"`
	Lines   int     `json:"lines"`
	Nonzero int     `json:"nonzero"` // bars and lines with a rendered box
	Empty   bool    `json:"empty"`
}

const chartProbe = `Array.from(document.querySelectorAll('figure.chart')).map(f => {
  const svg = f.querySelector('svg'); const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const marks = Array.from(f.querySelectorAll('rect.bar, path.line'));
  return {id: f.id, svgs: f.querySelectorAll('svg').length, width: r.width, height: r.height,
    bars: f.querySelectorAll('rect.bar').length, lines: f.querySelectorAll('path.line').length,
    nonzero: marks.filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length,
    empty: !!f.querySelector('text.empty')};
})`

// darkProbe lists HTML elements larger than a legend swatch whose
// background is dark (chart marks are SVG fills, not backgrounds).
const darkProbe = `Array.from(document.querySelectorAll('body, body *')).filter(e => {
  if (e instanceof SVGElement) return false;
  const r = e.getBoundingClientRect(); if (r.width < 24 || r.height < 24) return false;
  const m = getComputedStyle(e).backgroundColor.match(/rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/);
  if (!m || (m[4] !== undefined && +m[4] === 0)) return false;
  return (0.2126*m[1] + 0.7152*m[2] + 0.0722*m[3]) / 255 < 0.6;
}).map(e => e.tagName + '.' + e.getAttribute('class'))`

// TestHTMLInChromium loads every HTML report in headless Chromium.
func TestHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	b := startBrowser(t)
	recs, cfg := loadDir(t, examplesDir)
	tr := Trends(recs, cfg, TrendOptions{Now: goldenNow, Stamp: goldenStamp})
	rv, err := Review(recs, cfg, ReviewOptions{Period: "2026-H2", Now: goldenNow, Stamp: goldenStamp, CostThreshold: 10000})
	if err != nil {
		t.Fatal(err)
	}
	log := Log(recs, cfg, LogOptions{Now: goldenNow, Stamp: goldenStamp})
	au, err := Audit(recs, cfg, AuditOptions{Now: goldenNow, Stamp: goldenStamp})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	art := artifactDir(t)
	pages := []struct {
		name   string
		write  func(io.Writer) error
		trends *TrendReport
	}{
		{"trends", tr.HTML, tr},
		{"review", rv.HTML, rv.Trends},
		{"log", log.HTML, nil},
		{"audit", au.HTML, nil},
	}
	// The probe itself first: a page that makes a request and logs an
	// error must be caught, or a clean result would mean nothing.
	t.Run("probe", func(t *testing.T) {
		b.t = t
		path := filepath.Join(dir, "probe.html")
		page := `<!doctype html><title>probe</title><img src="http://192.0.2.1/pixel.png"><script>console.error("probe error")</script>`
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		url := "file://" + path
		got := strings.Join(b.problems(b.page(url), url), "\n")
		for _, want := range []string{"network request: http://192.0.2.1/pixel.png", "console error"} {
			if !strings.Contains(got, want) {
				t.Errorf("the probe missed %q; it found:\n%s", want, got)
			}
		}
	})
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			b.t = t
			path := filepath.Join(dir, p.name+".html")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.write(f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			url := "file://" + path
			s := b.page(url)
			for _, pr := range b.problems(s, url) {
				t.Error(pr)
			}
			var title string
			b.eval(s, "document.title", &title)
			if !strings.Contains(title, "Northwind") {
				t.Errorf("title %q", title)
			}
			if p.name == "audit" {
				var sections int
				b.eval(s, `document.querySelectorAll('section.control table.evidence tbody tr').length`, &sections)
				want := 0
				for _, c := range au.Controls {
					want += len(c.Evidence)
				}
				if sections != want || want == 0 {
					t.Errorf("%d evidence rows rendered, want %d", sections, want)
				}
			}
			if p.trends != nil {
				var charts []chartStats
				b.eval(s, chartProbe, &charts)
				checkCharts(t, p.trends, charts)
			}
			b.screenshot(s, filepath.Join(art, "report-"+p.name+".png"))
			b.call(s, "Emulation.setEmulatedMedia", map[string]any{"media": "print"}, nil)
			var dark []string
			b.eval(s, darkProbe, &dark)
			if len(dark) > 0 {
				t.Errorf("dark backgrounds in print: %v", dark)
			}
			var pdf struct{ Data string }
			b.call(s, "Page.printToPDF", map[string]any{"printBackground": true, "preferCSSPageSize": true}, &pdf)
			if raw, _ := base64.StdEncoding.DecodeString(pdf.Data); !bytes.HasPrefix(raw, []byte("%PDF")) {
				t.Error("printing produced no PDF")
			} else if err := os.WriteFile(filepath.Join(art, "report-"+p.name+".pdf"), raw, 0o644); err != nil {
				t.Error(err)
			}
			for _, pr := range b.problems(s, url) {
				t.Error("after printing: " + pr)
			}
		})
	}
}

// checkCharts compares what rendered with what the report holds, counted
// from the report's figures, not from the chart code.
func checkCharts(t *testing.T, tr *TrendReport, charts []chartStats) {
	t.Helper()
	stacked := 0
	for _, p := range tr.Periods {
		for _, n := range p.IncidentsBySeverity {
			if n > 0 {
				stacked++
			}
		}
	}
	cats := 0
	for _, c := range tr.Categories {
		if c.Incidents > 0 {
			cats++
		}
	}
	lines := 0
	for _, k := range []func(PeriodRow) Stat{func(p PeriodRow) Stat { return p.Contain }, func(p PeriodRow) Stat { return p.Resolve }} {
		for _, p := range tr.Periods {
			if k(p).N > 0 {
				lines++
				break
			}
		}
	}
	a := tr.CorrectiveActions
	actions := 0
	for _, n := range []int{a.Open, a.InProgress, a.Overdue, a.Done, a.Verified, a.Waived} {
		if n > 0 {
			actions++
		}
	}
	want := map[string][2]int{ // bars, lines
		"chart-incidents":  {stacked, 0},
		"chart-categories": {cats, 0},
		"chart-times":      {0, lines},
		"chart-actions":    {actions, 0},
	}
	if len(charts) != len(want) {
		t.Fatalf("%d charts rendered, want %d: %+v", len(charts), len(want), charts)
	}
	total := 0
	for _, c := range charts {
		w, ok := want[c.ID]
		if !ok {
			t.Errorf("unexpected chart %s", c.ID)
			continue
		}
		if c.SVGs != 1 || c.Width < 300 || c.Height < 50 {
			t.Errorf("%s: %d svg of %.0f×%.0f px", c.ID, c.SVGs, c.Width, c.Height)
		}
		if c.Bars != w[0] || c.Lines != w[1] {
			t.Errorf("%s: %d bars and %d lines, want %d and %d", c.ID, c.Bars, c.Lines, w[0], w[1])
		}
		if c.Nonzero != c.Bars+c.Lines {
			t.Errorf("%s: %d of %d marks have no size", c.ID, c.Bars+c.Lines-c.Nonzero, c.Bars+c.Lines)
		}
		if c.Empty != (w[0]+w[1] == 0) {
			t.Errorf("%s: empty %v with %d marks", c.ID, c.Empty, w[0]+w[1])
		}
		total += c.Bars + c.Lines
	}
	if total == 0 {
		t.Error("no chart drew anything")
	}
	t.Logf("charts: %s", fmt.Sprint(charts))
}
