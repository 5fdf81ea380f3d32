package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
	rpt "github.com/casefile/casefile/internal/report"
)

type reportLogOptions struct {
	reportOutput
	from, to               string
	kind, status, severity string
	bom                    bool
}

var reportLogFormats = []string{"md", "csv", "json", "html"}

func newReportLogCmd(env *Env) *cobra.Command {
	var opts reportLogOptions
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Write the Security Incident Log: one row per record",
		Example: `  casefile report log
  casefile report log --from 2026-01-01 --to 2026-06-30 --kind incident --format csv --out log.csv
  casefile report log --format html --out incident-log.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReportLog(cmd.Context(), env, opts)
		},
	}
	opts.flags(cmd, reportLogFormats)
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "only records reported at or after this time (RFC 3339 or a date)")
	f.StringVar(&opts.to, "to", "", "only records reported up to this time; a date includes its whole day")
	f.StringVar(&opts.kind, "kind", "", "only this kind: event, weakness, incident, drill")
	f.StringVar(&opts.status, "status", "", "only this status")
	f.StringVar(&opts.severity, "severity", "", "only this severity")
	f.BoolVar(&opts.bom, "bom", false, "start CSV with a UTF-8 byte-order mark (for Excel)")
	return cmd
}

var reportStatuses = []string{
	record.StatusPlanned, record.StatusHeld, record.StatusReported, record.StatusAssessed,
	record.StatusResponding, record.StatusContained, record.StatusRecovered, record.StatusClosed,
	record.StatusResolved, record.StatusRejected,
}

func runReportLog(ctx context.Context, env *Env, opts reportLogOptions) error {
	rng, err := parseReportRange(opts.from, opts.to)
	if err != nil {
		return err
	}
	if opts.kind != "" && !slices.Contains(record.Kinds, opts.kind) {
		return usageError(fmt.Errorf("unknown kind %q (want %s)", opts.kind, strings.Join(record.Kinds, ", ")))
	}
	if opts.status != "" && !slices.Contains(reportStatuses, opts.status) {
		return usageError(fmt.Errorf("unknown status %q (want %s)", opts.status, strings.Join(reportStatuses, ", ")))
	}
	in, err := env.readReportInput(ctx, opts.reportOutput, reportLogFormats, rpt.LogUnused)
	if err != nil {
		return err
	}
	if opts.severity != "" && !in.cfg.HasSeverity(opts.severity) {
		return usageError(fmt.Errorf("unknown severity %q (the scale is %s)", opts.severity, strings.Join(in.cfg.SeverityIDs(), ", ")))
	}
	rep := rpt.Log(in.records, in.cfg, rpt.LogOptions{
		Range: rng, Kind: opts.kind, Status: opts.status,
		Severity: opts.severity, Now: in.now, Stamp: in.stamp,
	})
	err = writeReportAs(env, opts.reportOutput, rep.Markdown, rep.JSON, rep.HTML,
		func(w io.Writer) error { return rep.CSV(w, rpt.CSVOptions{BOM: opts.bom}) })
	if err != nil {
		return err
	}
	return in.done()
}
