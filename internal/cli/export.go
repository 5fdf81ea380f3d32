package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/veris"
	"github.com/casefile/casefile/schema"
)

type exportOptions struct {
	ids []string
	out string
}

func newExportCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export FORMAT",
		Short: "Export records: veris (VERIS 1.4.1 JSON) or csv",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError(errors.New("export needs a format: casefile export veris|csv"))
		},
	}
	cmd.AddCommand(newExportVerisCmd(env), newExportCSVCmd(env))
	return cmd
}

func newExportVerisCmd(env *Env) *cobra.Command {
	var opts exportOptions
	cmd := &cobra.Command{
		Use:   "veris [ID…]",
		Short: "Write records as VERIS 1.4.1 incidents (one JSON file each with --out)",
		Long: `export veris writes the records (all of them, or the IDs given) as VERIS
incidents that validate against the VERIS 1.4.1 schema casefile carries. With
--out DIR each goes to DIR/<incident_id>.json (the incident_id it was imported
with, or a UUID derived from the organisation and the record ID); without it the
incidents are printed as one JSON array. Drills are not incidents and are left
out. A record imported from VERIS gives back what it was imported from, with the
record's own values where it maps them.`,
		Example: `  casefile export veris --out share/
  casefile export veris INC-2026-0007 > INC-2026-0007.veris.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ids = args
			return runExportVeris(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "write one file per incident into this directory (created if missing)")
	return cmd
}

func newExportCSVCmd(env *Env) *cobra.Command {
	var opts exportOptions
	cmd := &cobra.Command{
		Use:   "csv [ID…]",
		Short: "Write records as one flat CSV table (RFC 4180), one row per record",
		Long: `export csv writes one row per record (all of them, or the IDs given), in
record ID order, as RFC 4180 CSV with a header row: lists are joined with "; ".
A cell that starts with = + - @, a tab or a carriage return is prefixed with a
single quote, so a spreadsheet does not run it as a formula.`,
		Example: `  casefile export csv > log.csv
  casefile export csv --out log.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ids = args
			return runExportCSV(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "write to this file instead of stdout")
	return cmd
}

// loadForExport loads the records of the repository, sorted by ID, or
// the IDs asked for. Unreadable records are reported and counted.
func loadForExport(env *Env, ids []string) (*config.Config, []record.Loaded, int, error) {
	root, err := env.repoRoot(".")
	if err != nil {
		return nil, nil, 0, err
	}
	cfg, err := env.loadConfig(root)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return nil, nil, 0, err
		}
	}
	files, err := lint.Collect([]string{filepath.Join(root, config.RecordsDir)})
	if err != nil {
		return nil, nil, 0, usageError(fmt.Errorf("reading records: %w", err))
	}
	asked, want := map[string]bool{}, map[string]bool{}
	for _, id := range ids {
		asked[id], want[id] = true, true
	}
	var out []record.Loaded
	unreadable := 0
	inside := files[:0]
	for _, f := range files {
		if err := recordFileInside(root, f); err != nil {
			unreadable++
			fmt.Fprintf(env.Stderr, "casefile: skipping %s: %v (run casefile lint)\n", env.rel(f), err)
			continue
		}
		inside = append(inside, f)
	}
	for _, l := range record.LoadFiles(inside) {
		if l.Err != nil {
			unreadable++
			fmt.Fprintf(env.Stderr, "casefile: skipping %s: %v (run casefile lint)\n", env.rel(l.Path), l.Err)
			continue
		}
		if len(asked) > 0 && !asked[l.Record.ID] {
			continue
		}
		delete(want, l.Record.ID)
		out = append(out, l)
	}
	if len(want) > 0 {
		missing := make([]string, 0, len(want))
		for id := range want {
			missing = append(missing, id)
		}
		sort.Strings(missing)
		return nil, nil, 0, usageError(fmt.Errorf("no record %s in this repository", strings.Join(missing, ", ")))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Record.ID < out[j].Record.ID })
	return cfg, out, unreadable, nil
}

// recordFileInside refuses a record file that is not a regular file, or
// whose folder resolves outside the repository: reading through a symbolic
// link would export whatever it points at.
func recordFileInside(root, p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file (a symbolic link?); records must be regular files inside the repository")
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return err
	}
	if !pathWithin(dir, realRoot) {
		return fmt.Errorf("its folder resolves to %s, outside the repository", dir)
	}
	return nil
}

func runExportVeris(_ context.Context, env *Env, opts exportOptions) error {
	cfg, recs, unreadable, err := loadForExport(env, opts.ids)
	if err != nil {
		return err
	}
	vopts := veris.Options{Config: cfg, Now: env.now()}
	var incidents []*veris.Exported
	var from []string
	failed := 0
	for _, l := range recs {
		if l.Record.Kind == record.KindDrill {
			if len(opts.ids) > 0 {
				fmt.Fprintf(env.Stderr, "casefile: %s is a drill, not an incident; not exported\n", l.Record.ID)
			}
			continue
		}
		x, err := veris.Export(l.Record, l.Doc.Data, vopts)
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "casefile: %s: %v\n", env.rel(l.Path), err)
			continue
		}
		incidents = append(incidents, x)
		from = append(from, l.Record.ID)
	}
	if opts.out == "" {
		list := make([]map[string]any, len(incidents))
		for i, x := range incidents {
			list[i] = x.Incident
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(list); err != nil {
			return err
		}
	} else {
		dir := env.abs(opts.out)
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return usageError(fmt.Errorf("creating %s: %w", opts.out, errors.Unwrap(err)))
		}
		taken := map[string]bool{}
		for i, x := range incidents {
			name := x.FileName
			for _, alt := range []string{veris.DerivedID(cfg.Organisation.Name, from[i]) + ".json", from[i] + ".json"} {
				if !taken[strings.ToLower(name)] {
					break
				}
				name = alt
			}
			taken[strings.ToLower(name)] = true
			data, err := json.MarshalIndent(x.Incident, "", "  ")
			if err != nil {
				return fmt.Errorf("encoding %s: %w", from[i], err)
			}
			if err := writeFileAtomic(filepath.Join(dir, name), append(data, '\n')); err != nil {
				return fmt.Errorf("writing %s: %w", filepath.Join(opts.out, name), err)
			}
		}
	}
	where := "to stdout"
	if opts.out != "" {
		where = "to " + opts.out
	}
	fmt.Fprintf(env.Stderr, "casefile: exported %d %s as VERIS %s %s\n", len(incidents), plural(len(incidents), "record", "records"), schema.VERISVersion, where)
	if n := unreadable + failed; n > 0 {
		return &exitError{ExitFindings, fmt.Errorf("%d %s could not be exported", n, plural(n, "record", "records"))}
	}
	return nil
}

// csvColumns are the columns of export csv, in order.
var csvColumns = []string{
	"id", "kind", "status", "tlp", "title", "reported_at", "reported_by", "channel",
	"occurred_at", "detected_at", "contained_at", "recovered_at",
	"is_incident", "category", "severity", "cia", "assessed_at", "assessed_by", "incident_manager",
	"systems", "processes", "facilities", "assets", "parties",
	"cost_amount", "cost_currency", "closed_at", "closed_reason",
	"tags", "related", "veris_incident_id", "description", "path",
}

func csvRow(env *Env, l record.Loaded) []string {
	r := l.Record
	join := func(s []string) string { return strings.Join(s, "; ") }
	row := map[string]string{
		"id": r.ID, "kind": r.Kind, "status": r.Status, "tlp": r.TLP, "title": r.Title,
		"reported_at": r.Reported.At.Raw, "reported_by": r.Reported.By, "channel": r.Reported.Channel,
		"occurred_at": r.OccurredAt.Raw, "detected_at": r.DetectedAt.Raw, "contained_at": r.ContainedAt.Raw, "recovered_at": r.RecoveredAt.Raw,
		"incident_manager": r.Roles.IncidentManager,
		"systems":          join(r.Affected.Systems), "processes": join(r.Affected.Processes), "facilities": join(r.Affected.Facilities),
		"assets": join(r.Affected.Assets), "parties": join(r.Affected.Parties),
		"tags": join(r.Tags), "related": join(r.Related), "description": r.Description, "path": filepath.ToSlash(env.rel(l.Path)),
	}
	if a := r.Assessment; a != nil {
		row["is_incident"] = strconv.FormatBool(a.IsIncident)
		row["category"], row["severity"], row["cia"] = a.Category, a.Severity, join(a.CIA)
		row["assessed_at"], row["assessed_by"] = a.At.Raw, a.By
	}
	if c := r.Cost; c != nil {
		if n, ok := l.Doc.Value("/cost/amount").(json.Number); ok {
			row["cost_amount"] = string(n)
		} else {
			row["cost_amount"] = strconv.FormatFloat(c.Amount, 'f', -1, 64)
		}
		row["cost_currency"] = c.Currency
	}
	if c := r.Closed; c != nil {
		row["closed_at"], row["closed_reason"] = c.At.Raw, c.Reason
	}
	if id, ok := l.Doc.Value("/source/veris/incident_id").(string); ok {
		row["veris_incident_id"] = id
	}
	out := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		out[i] = csvSafe(row[c])
	}
	return out
}

// csvSafe defuses CSV injection (OWASP): a cell a spreadsheet would read as
// a formula gets a leading single quote.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func runExportCSV(_ context.Context, env *Env, opts exportOptions) error {
	_, recs, unreadable, err := loadForExport(env, opts.ids)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	for _, l := range recs {
		if err := cw.Write(csvRow(env, l)); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if opts.out == "" {
		if _, err := env.Stdout.Write(buf.Bytes()); err != nil {
			return err
		}
	} else if err := writeFileAtomic(env.abs(opts.out), buf.Bytes()); err != nil {
		return usageError(fmt.Errorf("writing %s: %w", opts.out, err))
	}
	fmt.Fprintf(env.Stderr, "casefile: exported %d %s as CSV\n", len(recs), plural(len(recs), "record", "records"))
	if unreadable > 0 {
		return &exitError{ExitFindings, fmt.Errorf("%d %s could not be read", unreadable, plural(unreadable, "record", "records"))}
	}
	return nil
}
