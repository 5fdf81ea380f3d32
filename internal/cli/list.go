package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
)

type listOptions struct {
	kind, status, severity string
	open                   bool
	format                 string
}

func newListCmd(env *Env) *cobra.Command {
	var opts listOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List records, newest first",
		Example: `  casefile list
  casefile list --kind incident --open
  casefile list --severity SEV1 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.kind, "kind", "", "only this kind: event, weakness, incident, drill")
	f.StringVar(&opts.status, "status", "", "only this status")
	f.StringVar(&opts.severity, "severity", "", "only this severity")
	f.BoolVar(&opts.open, "open", false, "only records not yet closed, resolved or rejected")
	f.StringVar(&opts.format, "format", "table", "output format: table, json")
	return cmd
}

// listRow is one record in list output.
type listRow struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	Severity   string `json:"severity,omitempty"`
	Category   string `json:"category,omitempty"`
	IsIncident bool   `json:"is_incident"`
	Reported   string `json:"reported_at"`
	Title      string `json:"title"`
	Path       string `json:"path"`
}

func runList(_ context.Context, env *Env, opts listOptions) error {
	if !validFormat(opts.format, []string{"table", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want table or json)", opts.format))
	}
	root, err := env.repoRoot(".")
	if err != nil {
		return err
	}
	files, err := lint.Collect([]string{filepath.Join(root, config.RecordsDir)})
	if err != nil {
		return usageError(fmt.Errorf("reading records: %w", err))
	}
	// Each record is read, filtered and cut down to its row at once, so
	// memory holds the rows, not the records.
	all := make([]listRow, len(files))
	keep := make([]bool, len(files))
	errs := make([]error, len(files))
	quickload.Each(files, func(i int, l quickload.Result) {
		if l.Err != nil {
			errs[i] = l.Err
			return
		}
		r := l.Record
		if (opts.kind != "" && r.Kind != opts.kind) || (opts.status != "" && r.Status != opts.status) ||
			(opts.severity != "" && r.Severity() != opts.severity) || (opts.open && !r.Open()) {
			return
		}
		c := strings.Clone
		all[i] = listRow{
			ID: c(r.ID), Kind: c(r.Kind), Status: c(r.Status), Severity: c(r.Severity()), Category: c(r.Category()),
			IsIncident: r.IsIncident(), Reported: c(r.Reported.At.Raw), Title: c(r.Title), Path: env.rel(l.Path),
		}
		keep[i] = true
	})
	var rows []listRow
	unreadable := 0
	for i := range files {
		if errs[i] != nil {
			unreadable++
			fmt.Fprintf(env.Stderr, "casefile: skipping %s: %v (run casefile lint)\n", env.rel(files[i]), errs[i])
			continue
		}
		if keep[i] {
			rows = append(rows, all[i])
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Reported != rows[j].Reported {
			return rows[i].Reported > rows[j].Reported
		}
		return rows[i].ID > rows[j].ID
	})
	if opts.format == "json" {
		if rows == nil {
			rows = []listRow{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tSEVERITY\tREPORTED\tTITLE")
		for _, r := range rows {
			kind := r.Kind
			if r.IsIncident && r.Kind != "incident" {
				kind += "→incident"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, kind, r.Status, dash(r.Severity), r.Reported, r.Title)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(env.Stderr, summarize(rows))
	}
	if unreadable > 0 {
		return &exitError{ExitFindings, fmt.Errorf("%d %s could not be read", unreadable, plural(unreadable, "record", "records"))}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// summarize counts the listed records by kind, and the open incidents.
func summarize(rows []listRow) string {
	byKind := map[string]int{}
	openIncidents := 0
	for _, r := range rows {
		byKind[r.Kind]++
		if r.IsIncident && r.Status != "closed" && r.Status != "rejected" {
			openIncidents++
		}
	}
	var parts []string
	for _, k := range record.Kinds {
		if n := byKind[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, pluralKind(n, k)))
		}
	}
	return fmt.Sprintf("%d %s (%s); %d open %s", len(rows), plural(len(rows), "record", "records"),
		strings.Join(parts, ", "), openIncidents, plural(openIncidents, "incident", "incidents"))
}

func pluralKind(n int, k string) string {
	if n == 1 {
		return k
	}
	if k == "weakness" {
		return "weaknesses"
	}
	return k + "s"
}
