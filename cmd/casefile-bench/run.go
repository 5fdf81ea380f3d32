package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/casefile/casefile/internal/gen"
)

// harness holds the tools, fixtures and results of one benchmark session.
type harness struct {
	opts     options
	root     string // module root
	benchDir string // root/bench
	work     string
	started  time.Time

	casefile string
	schema   string
	node     string
	ajvCLI   string
	ajvShim  string
	python   string
	pyScript string
	timeBin  string // /usr/bin/time, or "" to use the child's rusage

	sizes    []int
	repos    map[int]string
	genTime  map[int]time.Duration
	repoMB   map[int]float64
	skipped  map[string]string // command ID → why it did not run
	cells    map[cellKey]*cell
	micro    string
	profile  *profileResult
	cpu0     cpuTimes      // /proc/stat at the start, for the CPU steal figure
	waitLeft time.Duration // what is left of the session's budget for waitQuiet
	problems []string      // steps that failed without stopping the session
	// facts are what the fixtures of the current size tell the commands
	// (the record to act on, the record whose history to read).
	facts map[string]string
	// fixtureTime is how long the other fixtures took to make, by what
	// they are.
	fixtureTime map[string]time.Duration
	log         func(format string, args ...any)
}

type cellKey struct {
	id string
	n  int
}

// cell is every sample of one command at one size.
type cell struct {
	samples []time.Duration
	rssKB   []int64
	foreign []float64
	cpu     []time.Duration
	failure string // the first run whose check failed
	capped  string // why fewer runs than the size's default
}

func (c *cell) median() time.Duration {
	s := slices.Clone(c.samples)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// cpuMedian is the median CPU time (user + system) of the runs: less
// disturbed than wall time by other work on the machine.
func (c *cell) cpuMedian() time.Duration {
	s := slices.Clone(c.cpu)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func (c *cell) fastest() time.Duration {
	if len(c.samples) == 0 {
		return 0
	}
	return slices.Min(c.samples)
}

// foreignMedian is the median share of the CPUs other processes used during
// the runs.
func (c *cell) foreignMedian() float64 {
	f := slices.Clone(c.foreign)
	slices.Sort(f)
	if len(f) == 0 {
		return 0
	}
	return f[len(f)/2]
}

func (c *cell) peakRSS() int64 {
	var m int64
	for _, r := range c.rssKB {
		m = max(m, r)
	}
	return m
}

func (h *harness) cell(id string, n int) *cell { return h.cells[cellKey{id, n}] }

// ratio is the peer's median over ours at size n.
func (h *harness) ratio(ours, peer string, n int) (float64, bool) {
	a, b := h.cell(ours, n), h.cell(peer, n)
	if a == nil || b == nil || len(a.samples) == 0 || len(b.samples) == 0 || a.failure != "" || b.failure != "" {
		return 0, false
	}
	return b.median().Seconds() / a.median().Seconds(), true
}

// noisyLoad is the share of the CPUs other processes may have used during a
// command's runs before its timings count as disturbed.
const noisyLoad = 0.25

// noisy reports whether other work on the machine disturbed the runs of any
// of the commands at size n, and the worst median load.
func (h *harness) noisy(n int, ids ...string) (bool, float64) {
	worst := 0.0
	for _, id := range ids {
		if c := h.cell(id, n); c != nil && len(c.foreign) > 0 {
			worst = max(worst, c.foreignMedian())
		}
	}
	return worst > noisyLoad, worst
}

// fastestRatio is the ratio of the fastest runs, less sensitive to a noisy
// machine than the medians.
func (h *harness) fastestRatio(ours, peer string, n int) (float64, bool) {
	a, b := h.cell(ours, n), h.cell(peer, n)
	if _, ok := h.ratio(ours, peer, n); !ok {
		return 0, false
	}
	return b.fastest().Seconds() / a.fastest().Seconds(), true
}

// recordsRepo generates (once per session) a records repository of n
// records with evidence files.
func (h *harness) recordsRepo(n int) (string, error) {
	if dir, ok := h.repos[n]; ok {
		return dir, nil
	}
	dir := filepath.Join(h.work, fmt.Sprintf("repo-%d", n))
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("clearing %s: %w", dir, err)
	}
	h.log("generating %s records in %s", fmtCount(n), dir)
	start := time.Now()
	if err := gen.Generate(dir, gen.Options{Records: n, Seed: 1, EvidenceFiles: true}); err != nil {
		return "", err
	}
	h.genTime[n] = time.Since(start)
	var size int64
	err := filepath.WalkDir(filepath.Join(dir, "records"), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			size += fi.Size()
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("sizing %s: %w", dir, err)
	}
	h.repoMB[n] = float64(size) / (1 << 20)
	h.repos[n] = dir
	return dir, nil
}

// warm reads every file of dir once so that the first timed run of each
// command finds the same page cache as the later ones.
func warm(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, err = os.ReadFile(path)
		return err
	})
}

// run is one execution of a command.
type run struct {
	wall    time.Duration
	foreign float64       // share of the machine's CPU other processes used meanwhile
	cpu     time.Duration // user + system time of the command (and its children)
	rssKB   int64
	exit    int
	stdout  tailWriter
	stderr  tailWriter
}

// tailWriter counts lines and keeps the start and the end of a stream.
type tailWriter struct {
	lines      int
	head, tail []byte
}

const keep = 4 << 10

func (w *tailWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte{'\n'})
	if room := keep - len(w.head); room > 0 {
		w.head = append(w.head, p[:min(room, len(p))]...)
	}
	w.tail = append(w.tail, p...)
	if len(w.tail) > 2*keep {
		w.tail = append(w.tail[:0], w.tail[len(w.tail)-keep:]...)
	}
	return len(p), nil
}

// String is everything kept: the whole stream when it was short.
func (w *tailWriter) String() string {
	if len(w.tail) <= keep && len(w.head) < keep {
		return string(w.tail)
	}
	return string(w.head) + "\n…\n" + string(w.tail[max(0, len(w.tail)-keep):])
}

// brief is the last line or two, for error messages.
func (w *tailWriter) brief() string {
	s := strings.TrimSpace(string(w.tail))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 && len(s)-i < 400 {
		if j := strings.LastIndexByte(s[:i], '\n'); j >= 0 {
			s = s[j+1:]
		}
	}
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return s
}

// execute runs argv in dir, timing it and taking its peak RSS.
func (h *harness) execute(dir string, argv []string) (*run, error) {
	r := &run{}
	var rssFile string
	full := argv
	if h.timeBin != "" {
		f, err := os.CreateTemp(h.work, "rss-*")
		if err != nil {
			return nil, fmt.Errorf("creating rss file: %w", err)
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		full = append([]string{h.timeBin, "-f", "%M", "-o", rssFile}, argv...)
	}
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Dir = dir
	cmd.Env = benchEnv()
	cmd.Stdout = &r.stdout
	cmd.Stderr = &r.stderr
	c0 := readCPU()
	start := time.Now()
	err := cmd.Run()
	r.wall = time.Since(start)
	c1 := readCPU()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
	case err != nil:
		return nil, fmt.Errorf("running %s: %w", argv[0], err)
	}
	if rssFile != "" {
		data, err := os.ReadFile(rssFile)
		if err != nil {
			return nil, fmt.Errorf("reading peak RSS: %w", err)
		}
		// /usr/bin/time writes "Command exited with non-zero status N"
		// before the figure when the command fails.
		lines := strings.Fields(string(data))
		if len(lines) > 0 {
			r.rssKB, _ = strconv.ParseInt(lines[len(lines)-1], 10, 64)
		}
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssKB = ru.Maxrss // kilobytes on Linux
	}
	// CPU the rest of the machine used during the run, as a share of all
	// CPUs: the child's own time (with its children's, which /usr/bin/time
	// waited for) taken from the machine-wide busy time.
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	own := r.cpu.Seconds()
	if wall := r.wall.Seconds() * float64(runtime.NumCPU()); wall > 0 {
		r.foreign = min(1, max(0, (busySeconds(c0, c1)-own)/wall))
	}
	return r, nil
}

// measure runs, at every size, each command of the pairs in rounds: one run
// of each per round, the order rotated each round, so that the commands of a
// pair are timed side by side under the same conditions.
func (h *harness) measure() error {
	var ids []string
	for _, p := range pairs {
		for _, id := range []string{p.Ours, p.Peer} {
			if id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	var active []*command
	for _, id := range ids {
		c := commandByID(id)
		if c == nil {
			return fmt.Errorf("pair names unknown command %q", id)
		}
		if c.Needs != nil {
			if why := c.Needs(h); why != "" {
				h.skipped[id] = why
				h.log("skipping %s: %s", c.Label, why)
				continue
			}
		}
		active = append(active, c)
	}
	for si, n := range h.sizes {
		var here []*command
		for _, c := range active {
			if c.Sizes == nil || c.Sizes(h, n) {
				here = append(here, c)
			}
		}
		repos := map[string]string{}
		for _, c := range here {
			if _, ok := repos[c.Fixture]; ok {
				continue
			}
			dir, err := fixtures[c.Fixture](h, n)
			if err != nil {
				return fmt.Errorf("preparing %s fixture of %d: %w", c.Fixture, n, err)
			}
			if err := warm(dir); err != nil {
				return fmt.Errorf("warming %s: %w", dir, err)
			}
			repos[c.Fixture] = dir
		}
		if si == 0 {
			// One untimed run of each, so binaries, node modules and
			// Python bytecode are cached before anything is timed.
			for _, c := range here {
				if c.NoWarmup {
					continue
				}
				dir, err := h.runDir(c, repos[c.Fixture])
				if err != nil {
					return err
				}
				if _, err := h.execute(dir, c.Args(h)); err != nil {
					return err
				}
			}
		}
		rounds := h.opts.runs
		if si == len(h.sizes)-1 {
			rounds = h.opts.runsLarge
		}
		for _, c := range here {
			h.cells[cellKey{c.ID, n}] = &cell{}
		}
		for round := 0; round < rounds; round++ {
			for k := range here {
				c := here[(k+round)%len(here)]
				cl := h.cell(c.ID, n)
				limit := rounds
				if c.Runs > 0 && c.Runs < limit {
					limit = c.Runs
					cl.capped = fmt.Sprintf("capped at %d runs (reference peer)", c.Runs)
				}
				if c.Peer && len(cl.samples) > 0 && h.opts.budget > 0 {
					if b := int(h.opts.budget / cl.samples[0]); b < limit {
						limit = max(1, b)
						cl.capped = fmt.Sprintf("%d of %d runs: a run takes %s, the budget per peer and size is %s", limit, rounds, fmtDur(cl.samples[0]), fmtDur(h.opts.budget))
					}
				}
				if len(cl.samples) >= limit || cl.failure != "" {
					continue
				}
				dir, err := h.runDir(c, repos[c.Fixture])
				if err != nil {
					return err
				}
				h.waitQuiet()
				r, err := h.execute(dir, c.Args(h))
				if err != nil {
					return err
				}
				if err := c.Check(n, r); err != nil {
					cl.failure = err.Error()
					h.log("%s at %s: check failed: %v", c.Label, fmtCount(n), err)
					continue
				}
				cl.samples = append(cl.samples, r.wall)
				cl.rssKB = append(cl.rssKB, r.rssKB)
				cl.foreign = append(cl.foreign, r.foreign)
				cl.cpu = append(cl.cpu, r.cpu)
				h.log("%-28s %8s records  run %d: %8s  CPU %8s  %6.0f MB  other load %3.0f%%", c.Label, fmtCount(n), len(cl.samples), fmtDur(r.wall), fmtDur(r.cpu), float64(r.rssKB)/1024, 100*r.foreign)
			}
		}
	}
	return nil
}

// runDir prepares a run of c in the fixture at dir and returns where it
// runs.
func (h *harness) runDir(c *command, dir string) (string, error) {
	if c.Prepare == nil {
		return dir, nil
	}
	d, err := c.Prepare(h, dir)
	if err != nil {
		return "", fmt.Errorf("preparing %s: %w", c.Label, err)
	}
	return d, nil
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

// fmtCount writes 10000 as 10,000.
func fmtCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// cpuTimes is the machine-wide "cpu" line of /proc/stat, in clock ticks.
type cpuTimes struct{ total, idle, steal int64 }

// clockTicks is USER_HZ, the unit of /proc/stat on Linux.
const clockTicks = 100

func readCPU() cpuTimes {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	var t cpuTimes
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i < 8 { // user nice system idle iowait irq softirq steal
			t.total += n
		}
		switch i {
		case 3, 4:
			t.idle += n
		case 7:
			t.steal = n
		}
	}
	return t
}

// busySeconds is the CPU time all processes used between two readings.
func busySeconds(a, b cpuTimes) float64 {
	return float64((b.total-b.idle)-(a.total-a.idle)) / clockTicks
}

// waitQuiet waits until the machine is nearly idle (other sessions' builds
// and tests share it): at most h.opts.quietWait each time and h.waitLeft in
// all. It returns how busy the machine still was.
func (h *harness) waitQuiet() float64 {
	start := time.Now()
	deadline := start.Add(min(h.opts.quietWait, h.waitLeft))
	defer func() { h.waitLeft -= time.Since(start) }()
	logged := false
	for {
		a := readCPU()
		time.Sleep(500 * time.Millisecond)
		busy := busySeconds(a, readCPU()) / (0.5 * float64(runtime.NumCPU()))
		if busy < 0.15 || time.Now().After(deadline) {
			return busy
		}
		if !logged {
			h.log("machine %.0f%% busy with other work; waiting up to %s", 100*busy, fmtDur(h.opts.quietWait))
			logged = true
		}
	}
}

// stealPercent is the share of CPU time the hypervisor gave to other
// guests since the session started.
func (h *harness) stealPercent() (float64, bool) {
	now := readCPU()
	dt := now.total - h.cpu0.total
	if dt <= 0 {
		return 0, false
	}
	return 100 * float64(now.steal-h.cpu0.steal) / float64(dt), true
}
