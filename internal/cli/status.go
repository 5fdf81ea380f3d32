package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
)

type statusOptions struct {
	id, to, reason, at string
	sign               signFlags
}

func newStatusCmd(env *Env) *cobra.Command {
	var opts statusOptions
	cmd := &cobra.Command{
		Use:   "status ID NEW",
		Short: "Move a record along its lifecycle, recording the time",
		Long: `status moves a record to a new status, if its lifecycle allows the step:

  events, weaknesses: reported → assessed → resolved, or rejected
  incidents:          reported → assessed → responding → contained → recovered → closed,
                      or rejected; contained or recovered may fall back to responding
  drills:             planned → held → closed

Moving to contained or recovered sets contained_at or recovered_at; resolved,
closed and rejected set the closed block (rejected needs --reason); held sets
drill.held_at. The result must pass the lint rules, so a status that needs more
(a containment action, a root cause, …) says what is missing and commits nothing.
Use classify to move from reported to assessed.`,
		Example: `  casefile status INC-2026-0007 responding
  casefile status INC-2026-0007 contained --at 2026-03-02T11:40:00Z
  casefile status EVT-2026-0031 rejected --reason "duplicate of EVT-2026-0030"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id, opts.to = args[0], args[1]
			return runStatus(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.reason, "reason", "", "why (required for rejected)")
	f.StringVar(&opts.at, "at", "", "when (RFC 3339; default: now)")
	opts.sign.register(f)
	return cmd
}

func runStatus(ctx context.Context, env *Env, opts statusOptions) error {
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	at, err := w.timeFlag(opts.at)
	if err != nil {
		return err
	}
	hash, err := w.update(ctx, opts.id, func(doc *record.Doc, r *record.Record) (change, error) {
		return moveStatus(w, doc, r, opts.to, opts.reason, at)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: %s is now %s (commit %s)\n", opts.id, opts.to, short(hash))
	return nil
}

// moveStatus applies one lifecycle step and the fields it implies.
func moveStatus(w *writer, doc *record.Doc, r *record.Record, to, reason string, at record.Time) (change, error) {
	if r.Status == to {
		return change{}, usageError(fmt.Errorf("%s is already %s", r.ID, to))
	}
	if to == record.StatusAssessed && r.Status == record.StatusReported {
		return change{}, usageError(fmt.Errorf("use casefile classify %s to record the assessment decision", r.ID))
	}
	if !record.CanMove(r, to) {
		next := record.NextStatuses(r)
		hint := "it is final"
		if len(next) > 0 {
			hint = "from " + r.Status + " it may move to " + strings.Join(next, ", ")
		}
		return change{}, usageError(fmt.Errorf("%s cannot move from %s to %s: %s", r.ID, r.Status, to, hint))
	}
	if to == record.StatusRejected && reason == "" {
		return change{}, usageError(fmt.Errorf("rejecting %s needs --reason", r.ID))
	}
	set := func(path string, v any) error {
		n, err := record.NodeOf(v)
		if err != nil {
			return err
		}
		return doc.Set(path, n)
	}
	if err := set("status", to); err != nil {
		return change{}, err
	}
	var err error
	switch to {
	case record.StatusContained:
		if !r.ContainedAt.IsSet() {
			err = set("contained_at", at)
		}
	case record.StatusRecovered:
		if !r.RecoveredAt.IsSet() {
			err = set("recovered_at", at)
		}
	case record.StatusResponding:
		// Containment failed: the times of the failed containment and
		// recovery no longer hold; the next ones will be recorded.
		if err = doc.Unset("contained_at"); err == nil {
			err = doc.Unset("recovered_at")
		}
	case record.StatusHeld:
		if r.Drill != nil && !r.Drill.HeldAt.IsSet() {
			err = set("drill.held_at", at)
		}
	case record.StatusClosed, record.StatusResolved, record.StatusRejected:
		err = set("closed", record.Closure{At: at, By: w.userEmail(), Reason: reason})
	}
	if err != nil {
		return change{}, err
	}
	verbs := map[string]string{
		record.StatusResponding: "respond", record.StatusContained: "contained",
		record.StatusRecovered: "recovered", record.StatusClosed: "close", record.StatusResolved: "resolve",
		record.StatusRejected: "reject", record.StatusHeld: "drill held",
	}
	verb := verbs[to]
	if verb == "" {
		verb = "status " + to
	}
	summary := reason
	if summary == "" {
		summary = r.Status + " → " + to
	}
	return change{verb: verb, summary: summary, action: "status:" + to}, nil
}
