package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regime"
)

type deadlinesOptions struct {
	now    string
	within string
	format string
}

func newDeadlinesCmd(env *Env) *cobra.Command {
	var opts deadlinesOptions
	cmd := &cobra.Command{
		Use:   "deadlines",
		Short: "List upcoming and overdue notification deadlines and corrective-action due dates",
		Long: `deadlines evaluates every regime the records declare (GDPR, NIS2, DORA, SEC 8-K,
HIPAA, … and the organisation's own obligations from casefile.yaml) and every open
corrective action, and lists what is due, soonest first. Overdue items are
always listed; --within limits the upcoming ones. It exits 1 when anything is
overdue, so a cron job or CI schedule can alert on it. --format ics writes an
iCalendar file to subscribe to.`,
		Example: `  casefile deadlines
  casefile deadlines --within 72h
  casefile deadlines --format ics > deadlines.ics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDeadlines(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.now, "now", "", "the time to evaluate at (RFC 3339), instead of the clock")
	f.StringVar(&opts.within, "within", "", "only upcoming deadlines due within this long (72h, 14d)")
	f.StringVar(&opts.format, "format", "table", "output format: table, json, ics")
	return cmd
}

// deadline is one thing that is due.
type deadline struct {
	Due      time.Time `json:"due"`
	Record   string    `json:"record"`
	Kind     string    `json:"kind"` // notification | corrective-action
	Item     string    `json:"item"` // obligation ID or CA ID
	What     string    `json:"what"`
	State    string    `json:"state"` // open | overdue
	Title    string    `json:"title"`
	Regime   string    `json:"regime,omitempty"`
	Owner    string    `json:"owner,omitempty"`
	Overdue  bool      `json:"overdue"`
	Relative string    `json:"relative"`
}

func runDeadlines(_ context.Context, env *Env, opts deadlinesOptions) error {
	if !validFormat(opts.format, []string{"table", "json", "ics"}) {
		return usageError(fmt.Errorf("unknown format %q (want table, json or ics)", opts.format))
	}
	now, err := env.parseNow(opts.now)
	if err != nil {
		return err
	}
	var window time.Duration
	if opts.within != "" {
		if window, err = parseWindow(opts.within); err != nil {
			return usageError(err)
		}
	}
	root, err := env.repoRoot(".")
	if err != nil {
		return err
	}
	cfg, err := env.loadConfig(root)
	if err != nil {
		return err
	}
	files, err := lint.Collect([]string{filepath.Join(root, config.RecordsDir)})
	if err != nil {
		return usageError(fmt.Errorf("reading records: %w", err))
	}
	var items []deadline
	unreadable := 0
	for _, l := range record.LoadFiles(files) {
		if l.Err != nil {
			unreadable++
			fmt.Fprintf(env.Stderr, "casefile: skipping %s: %v (run casefile lint)\n", env.rel(l.Path), l.Err)
			continue
		}
		items = append(items, recordDeadlines(l.Record, cfg, now)...)
	}
	var shown []deadline
	overdue := 0
	for _, d := range items {
		if d.Overdue {
			overdue++
		} else if window > 0 && d.Due.After(now.Add(window)) {
			continue
		}
		d.Relative = relative(d.Due, now)
		shown = append(shown, d)
	}
	sort.SliceStable(shown, func(i, j int) bool {
		if !shown[i].Due.Equal(shown[j].Due) {
			return shown[i].Due.Before(shown[j].Due)
		}
		return shown[i].Record+shown[i].Item < shown[j].Record+shown[j].Item
	})
	switch opts.format {
	case "json":
		if shown == nil {
			shown = []deadline{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(shown)
	case "ics":
		err = writeICS(env, shown, now)
	default:
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DUE\tWHEN\tRECORD\tITEM\tWHAT")
		for _, d := range shown {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Due.In(cfg.Location).Format(time.RFC3339), d.Relative, d.Record, d.Item, d.What)
		}
		err = tw.Flush()
		fmt.Fprintf(env.Stderr, "casefile deadlines: %d shown, %d overdue\n", len(shown), overdue)
	}
	if err != nil {
		return err
	}
	if overdue > 0 || unreadable > 0 {
		return errFindings
	}
	return nil
}

// recordDeadlines lists a record's open notification obligations and
// corrective actions with a due date.
func recordDeadlines(r *record.Record, cfg *config.Config, now time.Time) []deadline {
	var out []deadline
	for _, st := range regime.Evaluate(r, cfg.Rules, now, cfg.Location) {
		if st.State != regime.StateOpen && st.State != regime.StateOverdue {
			continue
		}
		out = append(out, deadline{
			Due: st.Deadline, Record: r.ID, Kind: "notification", Item: st.Obligation.ID, Regime: st.Regime, Title: r.Title,
			What:  fmt.Sprintf("notify %s (%s)", strings.Join(st.Obligation.Parties, " or "), st.Obligation.Title),
			State: string(st.State), Overdue: st.State == regime.StateOverdue,
		})
	}
	for _, ca := range r.CorrectiveActions {
		if !ca.Due.IsSet() || (ca.Status != record.CAOpen && ca.Status != record.CAInProgress) {
			continue
		}
		due := ca.Due.End()
		if ca.Due.Precision == record.PrecisionDay {
			// A due date means the end of that day where the organisation is.
			due = time.Date(due.Year(), due.Month(), due.Day(), 23, 59, 59, 0, cfg.Location)
		}
		state := "open"
		if due.Before(now) {
			state = "overdue"
		}
		out = append(out, deadline{
			Due: due, Record: r.ID, Kind: "corrective-action", Item: ca.ID, Title: r.Title, Owner: ca.Owner,
			What: oneLine(ca.Text, 60) + " (" + ca.Owner + ")", State: state, Overdue: state == "overdue",
		})
	}
	return out
}

// parseWindow reads 72h, 90m or 14d.
func parseWindow(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err == nil && days > 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--within %q: want a duration like 72h or 14d", s)
	}
	return d, nil
}

// relative says how far a deadline is from now, in the largest whole unit.
func relative(due, now time.Time) string {
	d := due.Sub(now)
	past := d < 0
	if past {
		d = -d
	}
	var s string
	switch {
	case d >= 48*time.Hour:
		s = fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		s = fmt.Sprintf("%dh", int(d.Hours()))
	default:
		s = fmt.Sprintf("%dm", int(d.Minutes()))
	}
	if past {
		return "overdue " + s
	}
	return "in " + s
}

// writeICS writes the deadlines as an iCalendar file (RFC 5545): one
// all-day-free VEVENT per deadline, with stable UIDs so a calendar
// subscription updates rather than duplicates.
func writeICS(env *Env, items []deadline, now time.Time) error {
	var b strings.Builder
	line := func(s string) {
		// Fold at 75 octets without splitting a UTF-8 sequence.
		for len(s) > 75 {
			cut := 75
			for cut > 0 && s[cut]&0xC0 == 0x80 {
				cut--
			}
			b.WriteString(s[:cut] + "\r\n")
			s = " " + s[cut:]
		}
		b.WriteString(s + "\r\n")
	}
	stamp := now.UTC().Format("20060102T150405Z")
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//casefile//deadlines//EN")
	line("CALSCALE:GREGORIAN")
	for _, d := range items {
		due := d.Due.UTC().Format("20060102T150405Z")
		line("BEGIN:VEVENT")
		line("UID:" + icsText(d.Record+"-"+d.Item) + "@casefile")
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + due)
		line("DTEND:" + due)
		line("SUMMARY:" + icsText(d.Record+": "+d.What))
		line("DESCRIPTION:" + icsText(d.Title+"\n"+d.Item+" is "+d.State))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	_, err := fmt.Fprint(env.Stdout, b.String())
	return err
}

func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "").Replace(s)
}
