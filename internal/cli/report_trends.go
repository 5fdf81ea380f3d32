package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	rpt "github.com/casefile/casefile/internal/report"
)

type reportTrendsOptions struct {
	reportOutput
	from, to   string
	period     string
	repeatDays int
}

var reportTrendsFormats = []string{"md", "json", "html"}

func newReportTrendsCmd(env *Env) *cobra.Command {
	var opts reportTrendsOptions
	cmd := &cobra.Command{
		Use:   "trends",
		Short: "Analyse types, volumes, response times and costs of incidents",
		Example: `  casefile report trends
  casefile report trends --from 2026-01-01 --to 2026-12-31 --period quarter
  casefile report trends --format html --out trends.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReportTrends(cmd.Context(), env, opts)
		},
	}
	opts.flags(cmd, reportTrendsFormats)
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "records reported at or after this time (RFC 3339 or a date); also compares with the range before it")
	f.StringVar(&opts.to, "to", "", "records reported up to this time; a date includes its whole day (default: now)")
	f.StringVar(&opts.period, "period", rpt.Month, "group by month, quarter or year")
	f.IntVar(&opts.repeatDays, "repeat-days", 90, "an incident repeats an earlier one of the same category on a shared asset within this many days")
	return cmd
}

func runReportTrends(ctx context.Context, env *Env, opts reportTrendsOptions) error {
	rng, err := parseReportRange(opts.from, opts.to)
	if err != nil {
		return err
	}
	if !slices.Contains(rpt.Granularities, opts.period) {
		return usageError(fmt.Errorf("unknown period %q (want %s)", opts.period, strings.Join(rpt.Granularities, ", ")))
	}
	if opts.repeatDays <= 0 {
		return usageError(fmt.Errorf("--repeat-days must be positive"))
	}
	in, err := env.readReportInput(ctx, opts.reportOutput, reportTrendsFormats, rpt.TrendsUnused)
	if err != nil {
		return err
	}
	rep := rpt.Trends(in.records, in.cfg, rpt.TrendOptions{
		Range: rng, Period: opts.period,
		RepeatWindow: time.Duration(opts.repeatDays) * 24 * time.Hour, Now: in.now, Stamp: in.stamp,
	})
	if err := writeReportAs(env, opts.reportOutput, rep.Markdown, rep.JSON, rep.HTML, nil); err != nil {
		return err
	}
	return in.done()
}
