package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
)

type evidenceTransferOptions struct {
	id, evID          string
	to, from, purpose string
	at                string
	sign              signFlags
}

func newEvidenceTransferCmd(env *Env) *cobra.Command {
	var opts evidenceTransferOptions
	cmd := &cobra.Command{
		Use:   "transfer ID EV-n --to WHO --purpose WHY",
		Short: "Log a hand-over of evidence in its chain of custody",
		Long: `transfer appends a custody entry (time, from, to, purpose) to one evidence item,
in a signed commit. --from defaults to whoever holds the evidence now: the last
transfer's recipient, else its collector.`,
		Example: `  casefile evidence transfer INC-2026-0007 EV-1 --to forensics@example.com --purpose "disk analysis"`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id, opts.evID = args[0], args[1]
			return runEvidenceTransfer(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.to, "to", "", "who receives the evidence (required)")
	f.StringVar(&opts.purpose, "purpose", "", "why it is handed over (required)")
	f.StringVar(&opts.from, "from", "", "who hands it over (default: its current holder)")
	f.StringVar(&opts.at, "at", "", "when (RFC 3339; default: now)")
	opts.sign.register(f)
	return cmd
}

func runEvidenceTransfer(ctx context.Context, env *Env, opts evidenceTransferOptions) error {
	if strings.TrimSpace(opts.to) == "" || strings.TrimSpace(opts.purpose) == "" {
		return usageError(fmt.Errorf("--to and --purpose are required"))
	}
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	at, err := w.timeFlag(opts.at)
	if err != nil {
		return err
	}
	hash, err := w.update(ctx, opts.id, func(doc *record.Doc, r *record.Record) (change, error) {
		i, err := evidenceIndex(r, opts.evID)
		if err != nil {
			return change{}, err
		}
		ev := r.Evidence[i]
		from := opts.from
		if from == "" {
			switch {
			case len(ev.Custody) > 0:
				from = ev.Custody[len(ev.Custody)-1].To
			case ev.Collected != nil:
				from = ev.Collected.By
			default:
				from = w.userEmail()
			}
		}
		n, err := record.NodeOf(record.Transfer{At: at, From: from, To: opts.to, Purpose: opts.purpose})
		if err != nil {
			return change{}, err
		}
		if err := doc.Append(fmt.Sprintf("evidence[%d].custody", i), n); err != nil {
			return change{}, err
		}
		return change{verb: "custody", summary: fmt.Sprintf("%s from %s to %s", opts.evID, from, opts.to), action: "evidence:transfer"}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: %s of %s handed to %s in commit %s\n", opts.evID, opts.id, opts.to, short(hash))
	return nil
}
