package main

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/lint"
)

// machine describes where the benchmarks ran.
func (h *harness) machine() [][2]string {
	var rows [][2]string
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, [2]string{k, v})
		}
	}
	add("CPUs (nproc)", strconv.Itoa(runtime.NumCPU()))
	add("CPU model", firstField("/proc/cpuinfo", "model name"))
	if kb := firstField("/proc/meminfo", "MemTotal"); kb != "" {
		if n, err := strconv.ParseFloat(strings.Fields(kb)[0], 64); err == nil {
			add("memory", fmt.Sprintf("%.1f GiB", n/(1<<20)))
		}
	}
	add("OS", strings.Trim(firstField("/etc/os-release", "PRETTY_NAME"), `"`)+", Linux "+output("uname", "-r"))
	add("Go", output("go", "version"))
	how := "built from ./cmd/casefile of the working tree"
	if h.opts.casefile != "" {
		how = "given with -casefile " + h.opts.casefile
	}
	add("casefile", output(h.casefile, "version")+" ("+how+")")
	if h.node != "" {
		add("Node.js", output(h.node, "--version"))
		add("ajv-cli / ajv / ajv-formats", output(h.node, "-e", `const r=p=>require(process.argv[1]+"/node_modules/"+p+"/package.json").version;console.log([r("ajv-cli"),r("ajv"),r("ajv-formats")].join(" / "))`, h.benchDir))
	}
	add("Python / jsonschema / PyYAML", output(h.python, "-c", `import sys, importlib.metadata as m, yaml; print(sys.version.split()[0], "/", m.version("jsonschema"), "/", m.version("PyYAML"), "(libyaml)" if yaml.__with_libyaml__ else "(pure Python)")`))
	add("peak RSS from", map[bool]string{true: "/usr/bin/time -f %M", false: "getrusage of the child (ProcessState.SysUsage)"}[h.timeBin != ""])
	return rows
}

// firstField returns the value of the first "key: value" or key=value line.
func firstField(path, key string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		for _, sep := range []string{":", "="} {
			if k, v, ok := strings.Cut(line, sep); ok && strings.TrimSpace(k) == key {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}

func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func mb(kb int64) string { return fmt.Sprintf("%.0f MB", float64(kb)/1024) }

// report renders BENCHMARKS.md.
func (h *harness) report() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	mode := "full"
	if h.opts.quick {
		mode = "quick (`BENCH_QUICK=1`)"
	}
	p("# casefile benchmarks\n\n")
	p("Written by `make bench` (`bash bench/run.sh` → `go run ./cmd/casefile-bench`); do not edit by hand.\n\n")
	p("- date: %s\n- mode: %s, %s records, took %s\n", h.started.UTC().Format("2006-01-02 15:04 MST"), mode,
		strings.Join(mapSizes(h.sizes, fmtCount), " and "), time.Since(h.started).Round(time.Second))
	if st, ok := h.stealPercent(); ok {
		p("- CPU steal (time the hypervisor gave to other guests) during the session: %.1f%% of all CPU time; run-to-run spread is in the min/max columns\n", st)
	}
	p("- method: each size's commands run in rounds, one run of each per round with the order rotated, after one untimed warm-up round and with the repository in the page cache; medians of wall time; peak RSS is the largest of the runs\n\n")

	p("## Machine\n\n| | |\n|---|---|\n")
	for _, r := range h.machine() {
		p("| %s | %s |\n", r[0], strings.ReplaceAll(r[1], "|", "\\|"))
	}

	p("\n## Targets\n\nA verdict is inconclusive when other processes used more than %.0f%% of the CPUs (median) during the runs it rests on.\n\n| target | result | met |\n|---|---|---|\n", 100*noisyLoad)
	var misses []string
	for _, t := range targets {
		met, fig, ok := t.Eval(h)
		verdict := map[bool]string{true: "**yes**", false: "**no**"}[met]
		sizes := h.sizes
		if t.Sizes != nil {
			sizes = t.Sizes(h)
		}
		worst := 0.0
		for _, n := range sizes {
			_, w := h.noisy(n, t.Uses...)
			worst = max(worst, w)
		}
		if worst > noisyLoad {
			verdict = fmt.Sprintf("inconclusive (%s, other load up to %.0f%%)", strings.Trim(verdict, "*"), 100*worst)
		}
		if !ok {
			fig, verdict = "not measured in this mode or peer missing", "–"
		}
		p("| %s | %s | %s |\n", t.Desc, fig, verdict)
		if ok && !met && t.Miss != "" {
			misses = append(misses, "- **"+t.Desc+"**: "+t.Miss+"\n")
		}
	}
	if len(misses) > 0 {
		p("\n### Where a target is missed\n\n%s", strings.Join(misses, ""))
	}

	p("\n## Pairs\n\nratio = the second command's median ÷ the first's (above 1: the first is faster); targets are judged on it. The ratios of the fastest runs and of the median CPU times are given too, as this machine's run-to-run spread is wide; a CPU ratio shows how much work each side does, not how well it uses both cores.\n\n")
	p("| pair | records | first: median | second: median | ratio | fastest runs | CPU time ratio | target | met |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, pr := range pairs {
		for _, n := range h.sizes {
			a, bb := h.cell(pr.Ours, n), h.cell(pr.Peer, n)
			if a == nil && bb == nil && !h.ranAt(pr.Ours, n) && !h.ranAt(pr.Peer, n) {
				continue // not a size this pair runs at
			}
			am, bm, ratio, fastest, cpu, tgt, met := "–", "–", "–", "–", "–", "–", "–"
			if a != nil && len(a.samples) > 0 {
				am = fmtDur(a.median())
			}
			if bb != nil && len(bb.samples) > 0 {
				bm = fmtDur(bb.median())
			}
			if r, ok := h.fastestRatio(pr.Ours, pr.Peer, n); ok {
				fastest = fmt.Sprintf("%.2f×", r)
				cpu = fmt.Sprintf("%.2f×", bb.cpuMedian().Seconds()/a.cpuMedian().Seconds())
			}
			if r, ok := h.ratio(pr.Ours, pr.Peer, n); ok {
				ratio = fmt.Sprintf("%.2f×", r)
				if pr.MinRatio > 0 {
					tgt = "≥ " + fmtRatio(pr.MinRatio)
					met = map[bool]string{true: "yes", false: "**no**"}[r >= pr.MinRatio]
					if bad, w := h.noisy(n, pr.Ours, pr.Peer); bad {
						met = fmt.Sprintf("inconclusive (%s, other load %.0f%%)", strings.Trim(met, "*"), 100*w)
					}
				}
			}
			if why, ok := h.skipped[pr.Ours]; ok {
				am = "not run: " + why
			}
			if why, ok := h.skipped[pr.Peer]; ok {
				bm = "not run: " + why
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", pr.Name, fmtCount(n), am, bm, ratio, fastest, cpu, tgt, met)
		}
	}

	p("\n## All runs\n\n\"other load\" is the median share of the machine's CPUs that other processes (other sessions' builds and tests share this machine) used during the runs (the harness reading the output included); before each run the harness waits up to %s (%s in all) for the CPUs to go idle.\n\n", fmtDur(h.opts.quietWait), fmtDur(8*h.opts.quietWait))
	p("| command | records | runs | median | min | max | CPU (user+sys) | peak RSS | other load | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, c := range commands {
		if why, ok := h.skipped[c.ID]; ok {
			p("| %s | | | | | | | | | not run: %s |\n", c.Label, why)
			continue
		}
		for _, n := range h.sizes {
			cl := h.cell(c.ID, n)
			if cl == nil {
				continue
			}
			note := cl.capped
			if cl.failure != "" {
				note = "check failed: " + cl.failure
			}
			if len(cl.samples) == 0 {
				p("| %s | %s | 0 | | | | | | | %s |\n", c.Label, fmtCount(n), escapeCell(note))
				continue
			}
			lo, hi := cl.samples[0], cl.samples[0]
			for _, s := range cl.samples {
				lo, hi = min(lo, s), max(hi, s)
			}
			p("| %s | %s | %d | %s | %s | %s | %s | %s | %.0f%% | %s |\n", c.Label, fmtCount(n), len(cl.samples), fmtDur(cl.median()), fmtDur(lo), fmtDur(hi), fmtDur(cl.cpuMedian()), mb(cl.peakRSS()), 100*cl.foreignMedian(), escapeCell(note))
		}
	}
	if l1, l2 := h.cell("lint", h.sizes[0]), h.cell("lint", h.sizes[len(h.sizes)-1]); l1 != nil && l2 != nil && len(l1.samples) > 0 && len(l2.samples) > 0 {
		n1, n2 := float64(h.sizes[0]), float64(h.sizes[len(h.sizes)-1])
		p("\nPer record, casefile lint takes %.0f µs of wall time at %s records and %.0f µs at %s (fastest runs: %.0f and %.0f µs).\n",
			float64(l1.median().Microseconds())/n1, fmtCount(h.sizes[0]), float64(l2.median().Microseconds())/n2, fmtCount(h.sizes[len(h.sizes)-1]),
			float64(l1.fastest().Microseconds())/n1, float64(l2.fastest().Microseconds())/n2)
	}

	p("\n## Commands\n\nEach runs with the generated repository as its working directory (`$SCHEMA` is `casefile schema record` written to a file; paths shortened).\n\n")
	for _, c := range commands {
		if _, skipped := h.skipped[c.ID]; skipped {
			continue
		}
		p("- **%s**: `%s`  \n  %s\n", c.Label, h.shorten(strings.Join(quoteArgs(c.Args(h)), " ")), c.Note)
	}

	p("\n## Data\n\n")
	p("Generated by `internal/gen` (seed 1, evidence files on): a fictional freight company's log from 2019 to November 2026, 55%% events, 15%% weaknesses, 25%% incidents, 5%% drills, about 8%% of events escalated to incidents, most records closed or resolved and the last weeks' still open; incidents with assessment, roles, 2–12 actions, 0–3 evidence items with sha256 and custody, notifications (GDPR, NIS2, law enforcement, customers), root cause, verified corrective actions, lessons and cost; descriptions of 200–1,500 bytes. Every record is lint-clean with `--strict` and in canonical form.\n\n")
	p("| records | record files on disk | generation time |\n|---:|---:|---:|\n")
	for _, n := range h.sizes {
		if _, ok := h.repoMB[n]; ok {
			p("| %s | %.1f MB | %s |\n", fmtCount(n), h.repoMB[n], fmtDur(h.genTime[n]))
		}
	}
	p("\nThe write pairs and report trends run in a copy of the records repository committed to git in one commit, with an SSH key made for the session as `user.signingkey` (`gpg.format ssh`) and trusted in `.casefile/allowed_signers`; every write run adds a commit. verify and history run in a history of as many signed commits as the size says (`genhistory.Generate`: the first commit holds casefile.yaml and the trust file, each later one files one record with its evidence files, signed in-process with a key made for it), at the smaller size only: git verifies each signature with an ssh-keygen process. The generator writes every object whole into one pack; the history is then packed by `git repack -a -d -f`, as git gc packs a repository whose commits were made one at a time (most versions of a tree become deltas on the next), and verify is also timed on the whole-object pack as generated. import veris reads %s VERIS files made from the VCDB files in %s (`gen.VERIS`: each source file again with a new incident_id) into a fresh copy of a `casefile init` repository each run, at 10,000 records only.\n", fmtCount(verisFiles), vcdbDir)
	if len(h.fixtureTime) > 0 {
		p("\n| fixture | made in |\n|---|---:|\n")
		for _, k := range slices.Sorted(maps.Keys(h.fixtureTime)) {
			p("| %s | %s |\n", k, fmtDur(h.fixtureTime[k]))
		}
	}

	if h.profile != nil {
		pr := h.profile
		p("\n## Profile of lint\n\n`%s`\n\n", pr.command)
		if pr.bench != "" {
			p("```\n%s\n```\n\n", pr.bench)
		}
		p("Share of the CPU time spent in `lint.(*Linter).Run` (%.2f s sampled over the benchmark's runs; cumulative, so nested parts overlap):\n\n", pr.runCum)
		p("| where | CPU s | share of Run |\n|---|---:|---:|\n")
		for _, part := range pr.parts {
			share := "–"
			if pr.runCum > 0 {
				share = fmt.Sprintf("%.1f%%", 100*part.secs/pr.runCum)
			}
			p("| %s | %.2f | %s |\n", part.what, part.secs, share)
		}
		p("\n<details><summary>pprof -top -cum, focused on Linter.Run</summary>\n\n```\n%s\n```\n</details>\n", pr.top)
	}
	if h.micro != "" {
		p("\n## Go micro-benchmarks\n\nA generated closed incident of about 3 KB for Parse, Encode, Validate and LintDoc; 1,000 generated files for LintRun1000. Compare runs with benchstat.\n\n```\n%s\n```\n", h.micro)
	}
	if len(h.problems) > 0 {
		p("\n## Steps that failed\n\n")
		for _, pr := range h.problems {
			p("```\n%s\n```\n", strings.TrimSpace(pr))
		}
	}
	p("\n## Notes\n\n")
	p("- casefile lint does more than the peers: it checks all %d lint rules (loader, schema and the procedure's semantic rules), maps every problem to file:line:col and checks IDs across files; the peers only validate against the schema.\n", len(lint.Rules))
	p("- ajv-cli as shipped cannot validate casefile records: it parses YAML with js-yaml 3's `safeLoad`, whose default schema turns unquoted timestamps and dates into `Date` objects, and the schema says `type: string`. `bench/ajv-yaml-core.js` (passed with `-c`) switches ajv-cli's js-yaml to the YAML 1.2 core schema, the data model casefile uses; that is the run the target is judged on. The unmodified run is timed too, with every record rejected.\n")
	p("- ajv stops at a record's first error (no `--all-errors`); on these valid records it does the whole validation, as casefile does.\n")
	p("- Debian's python3-jsonschema 4.10 checks `date-time` only with `rfc3339-validator`, which Debian does not package; `bench/pyvalidate.py` registers an equivalent check so the peer checks every format in the schema.\n")
	var capped []string
	for _, c := range commands {
		if c.Runs > 0 {
			capped = append(capped, fmt.Sprintf("%s at %d", c.Label, c.Runs))
		}
	}
	p("- A peer gets fewer runs at a size when its runs would together take longer than the budget (%s per peer and size); reference peers are capped (%s runs). The table says where.\n", fmtDur(h.opts.budget), strings.Join(capped, ", "))
	return b.String()
}

// ranAt reports whether command id was set to run at size n (a cell
// exists, or it was skipped).
func (h *harness) ranAt(id string, n int) bool {
	if id == "" {
		return false
	}
	if _, ok := h.skipped[id]; ok {
		c := commandByID(id)
		return c == nil || c.Sizes == nil || c.Sizes(h, n)
	}
	return h.cell(id, n) != nil
}

// fmtRatio writes a target ratio: 2×, 50×, 0.67×.
func fmtRatio(r float64) string {
	if r == float64(int(r)) {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func mapSizes(ns []int, f func(int) string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = f(n)
	}
	return out
}

func escapeCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " *?'\"$") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}

// shorten makes absolute paths in a command line readable.
func (h *harness) shorten(s string) string {
	s = strings.ReplaceAll(s, h.schema, "$SCHEMA")
	s = strings.ReplaceAll(s, h.casefile, "casefile")
	s = strings.ReplaceAll(s, h.benchDir+"/", "bench/")
	return s
}
