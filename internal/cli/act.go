package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
)

// actionTypes maps each action type to the verb of its commit subject.
var actionTypes = map[string]string{
	"triage": "triage", "containment": "contain", "eradication": "eradicate", "recovery": "recover",
	"communication": "communicate", "forensics": "investigate", "interview": "interview",
	"escalation": "escalate", "other": "act",
}

var actionTypeList = []string{"triage", "containment", "eradication", "recovery", "communication", "forensics", "interview", "escalation", "other"}

type actOptions struct {
	id, typ, text, at, by string
	sign                  signFlags
}

func newActCmd(env *Env) *cobra.Command {
	var opts actOptions
	cmd := &cobra.Command{
		Use:   "act ID",
		Short: "Log a response action on the record's timeline",
		Long: `act appends one entry to the actions timeline (A.16.1.5: every response
activity is logged), as one signed commit.`,
		Example: `  casefile act INC-2026-0007 --type containment --text "Reset credentials, removed forwarding rules"
  casefile act INC-2026-0007 --type interview --text "Interviewed Alice about the mail" --at 2026-03-02T11:00:00Z`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runAct(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.typ, "type", "", "action type: "+strings.Join(actionTypeList, ", "))
	f.StringVar(&opts.text, "text", "", "what was done")
	f.StringVar(&opts.at, "at", "", "when (RFC 3339; default: now)")
	f.StringVar(&opts.by, "by", "", "who did it (default: git config user.email)")
	opts.sign.register(f)
	return cmd
}

func runAct(ctx context.Context, env *Env, opts actOptions) error {
	verb, ok := actionTypes[opts.typ]
	if !ok {
		return usageError(fmt.Errorf("--type must be one of %s", strings.Join(actionTypeList, ", ")))
	}
	if strings.TrimSpace(opts.text) == "" {
		return usageError(fmt.Errorf("--text is required"))
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
		if r.Terminal() {
			return change{}, usageError(fmt.Errorf("%s is %s; no more actions are logged on a closed record", opts.id, r.Status))
		}
		n, err := record.NodeOf(record.Action{At: at, By: orDefault(opts.by, w.userEmail()), Type: opts.typ, Text: opts.text})
		if err != nil {
			return change{}, err
		}
		if err := doc.Append("actions", n); err != nil {
			return change{}, err
		}
		return change{verb: verb, summary: opts.text, action: "act:" + opts.typ}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: logged %s on %s in commit %s\n", opts.typ, opts.id, short(hash))
	return nil
}
