package cli

import (
	"context"

	"github.com/spf13/cobra"

	rpt "github.com/casefile/casefile/internal/report"
)

type reportAuditOptions struct {
	reportOutput
	period string
}

var reportAuditFormats = []string{"md", "json", "html"}

func newReportAuditCmd(env *Env) *cobra.Command {
	var opts reportAuditOptions
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Write the ISO 27001 audit pack: evidence and gaps per control",
		Long: `audit shows, for each ISO/IEC 27001:2022 incident management control (A.5.24–A.5.28,
A.6.8 and A.5.5, mapped to 2013 A.16.1.1–A.16.1.7 and A.6.1.3), the evidence the log
holds (counts and record IDs) and its gaps: no drill in the last 12 months, an
incident closed without root cause, a notification made late, and more.`,
		Example: `  casefile report audit
  casefile report audit --period 2026 --format html --out audit-2026.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReportAudit(cmd.Context(), env, opts)
		},
	}
	opts.flags(cmd, reportAuditFormats)
	cmd.Flags().StringVar(&opts.period, "period", "", "only records reported in this period: 2026, 2026-H2, 2026-Q3 or 2026-07 (default: the whole log)")
	return cmd
}

func runReportAudit(ctx context.Context, env *Env, opts reportAuditOptions) error {
	if opts.period != "" {
		if _, _, err := rpt.ParsePeriod(opts.period); err != nil {
			return usageError(err)
		}
	}
	in, err := env.readReportInput(ctx, opts.reportOutput, reportAuditFormats, nil)
	if err != nil {
		return err
	}
	rep, err := rpt.Audit(in.records, in.cfg, rpt.AuditOptions{Period: opts.period, Now: in.now, Stamp: in.stamp})
	if err != nil {
		return usageError(err)
	}
	if err := writeReportAs(env, opts.reportOutput, rep.Markdown, rep.JSON, rep.HTML, nil); err != nil {
		return err
	}
	return in.done()
}
