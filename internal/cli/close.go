package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
)

type closeOptions struct {
	id, reason, at string
	sign           signFlags
}

func newCloseCmd(env *Env) *cobra.Command {
	var opts closeOptions
	cmd := &cobra.Command{
		Use:   "close ID",
		Short: "Close a record after checking what closure requires",
		Long: `close ends a record's lifecycle: an incident or drill becomes closed, an event
or weakness resolved. Closing an incident requires (lint rules) a root cause,
lessons learned and every corrective action verified effective or waived with a
reason; close lists what is missing and commits nothing until it is there.`,
		Example: `  casefile close INC-2026-0007
  casefile close EVT-2026-0031 --reason "Forwarded to the vendor; no impact"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runClose(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.reason, "reason", "", "closing note")
	f.StringVar(&opts.at, "at", "", "when (RFC 3339; default: now)")
	opts.sign.register(f)
	return cmd
}

func runClose(ctx context.Context, env *Env, opts closeOptions) error {
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	at, err := w.timeFlag(opts.at)
	if err != nil {
		return err
	}
	var to string
	hash, err := w.update(ctx, opts.id, func(doc *record.Doc, r *record.Record) (change, error) {
		track, _ := record.Lifecycle(r)
		to = record.StatusClosed
		if track == record.TrackEvent {
			to = record.StatusResolved
		}
		return moveStatus(w, doc, r, to, opts.reason, at)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: %s is now %s (commit %s)\n", opts.id, to, short(hash))
	return nil
}
