package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	rpt "github.com/casefile/casefile/internal/report"
)

type reportReviewOptions struct {
	reportOutput
	period        string
	costThreshold float64
	repeatDays    int
}

var reportReviewFormats = []string{"md", "json", "html"}

func newReportReviewCmd(env *Env) *cobra.Command {
	var opts reportReviewOptions
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Write the management review pack for a period",
		Example: `  casefile report review --period 2026-Q3
  casefile report review --period 2026-H2 --cost-threshold 25000 --format html --out review-2026-H2.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReportReview(cmd.Context(), env, opts)
		},
	}
	opts.flags(cmd, reportReviewFormats)
	f := cmd.Flags()
	f.StringVar(&opts.period, "period", "", "the review period: 2026, 2026-H2, 2026-Q3 or 2026-07 (required)")
	f.Float64Var(&opts.costThreshold, "cost-threshold", 0, "also count incidents costing at least this much (in their currency) as high-impact; 0 turns it off")
	f.IntVar(&opts.repeatDays, "repeat-days", 90, "repeat-incident window in days")
	return cmd
}

func runReportReview(ctx context.Context, env *Env, opts reportReviewOptions) error {
	if opts.period == "" {
		return usageError(fmt.Errorf("--period is required, e.g. --period 2026-Q3"))
	}
	if _, _, err := rpt.ParsePeriod(opts.period); err != nil {
		return usageError(err)
	}
	if opts.costThreshold < 0 || opts.repeatDays <= 0 {
		return usageError(fmt.Errorf("--cost-threshold must not be negative and --repeat-days must be positive"))
	}
	in, err := env.readReportInput(ctx, opts.reportOutput, reportReviewFormats, rpt.ReviewUnused)
	if err != nil {
		return err
	}
	rep, err := rpt.Review(in.records, in.cfg, rpt.ReviewOptions{
		Period: opts.period, CostThreshold: opts.costThreshold,
		RepeatWindow: time.Duration(opts.repeatDays) * 24 * time.Hour, Now: in.now, Stamp: in.stamp,
	})
	if err != nil {
		return usageError(err)
	}
	if err := writeReportAs(env, opts.reportOutput, rep.Markdown, rep.JSON, rep.HTML, nil); err != nil {
		return err
	}
	return in.done()
}
