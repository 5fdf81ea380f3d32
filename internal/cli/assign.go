package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
)

type assignOptions struct {
	id             string
	manager, lead  string
	responders     []string
	communications string
	legal          string
	sign           signFlags
}

func newAssignCmd(env *Env) *cobra.Command {
	var opts assignOptions
	cmd := &cobra.Command{
		Use:     "assign ID",
		Short:   "Appoint the Incident Manager and other roles of a record",
		Example: `  casefile assign INC-2026-0007 --manager bob@example.com --responder carol@example.com`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runAssign(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.manager, "manager", "", "Incident Manager")
	f.StringVar(&opts.lead, "lead", "", "Senior Security Lead for this record")
	f.StringSliceVar(&opts.responders, "responder", nil, "add responders (repeatable)")
	f.StringVar(&opts.communications, "communications", "", "communications lead")
	f.StringVar(&opts.legal, "legal", "", "legal contact")
	opts.sign.register(f)
	return cmd
}

func runAssign(ctx context.Context, env *Env, opts assignOptions) error {
	sets := map[string]string{
		"incident_manager": opts.manager, "senior_security_lead": opts.lead,
		"communications": opts.communications, "legal": opts.legal,
	}
	var summary []string
	for _, k := range []string{"incident_manager", "senior_security_lead", "communications", "legal"} {
		if sets[k] != "" {
			summary = append(summary, strings.ReplaceAll(k, "_", " ")+" "+sets[k])
		}
	}
	if len(summary) == 0 && len(opts.responders) == 0 {
		return usageError(fmt.Errorf("nothing to assign: give --manager, --lead, --responder, --communications or --legal"))
	}
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	hash, err := w.update(ctx, opts.id, func(doc *record.Doc, r *record.Record) (change, error) {
		for k, v := range sets {
			if v != "" {
				if err := setString(doc, "roles."+k, v); err != nil {
					return change{}, err
				}
			}
		}
		for _, p := range opts.responders {
			if containsString(r.Roles.Responders, p) {
				continue
			}
			if err := setString(doc, "roles.responders[+]", p); err != nil {
				return change{}, err
			}
			summary = append(summary, "responder "+p)
		}
		return change{verb: "assign", summary: strings.Join(summary, ", "), action: "assign"}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: assigned %s in commit %s\n", opts.id, short(hash))
	return nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
