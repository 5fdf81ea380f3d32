package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
)

type classifyOptions struct {
	id                   string
	incident, notInc     bool
	category, severity   string
	cia                  []string
	rationale            string
	externalImpact       bool
	noNotificationReason string
	immediateActions     string
	manager              string
	by, at               string
	sign                 signFlags
}

func newClassifyCmd(env *Env) *cobra.Command {
	var opts classifyOptions
	cmd := &cobra.Command{
		Use:   "classify ID",
		Short: "Record the assessment decision: incident or not, category, severity, CIA impact",
		Long: `classify records the decision the procedure requires for every report (A.16.1.4):
whether it is an information-security incident, with the rationale, the harm to
confidentiality, integrity and availability, the category and the severity. A
record in status reported moves to assessed. An incident needs an Incident
Manager: give --manager unless the record has one. Classifying again replaces
the assessment (the old one stays in the signed history).`,
		Example: `  casefile classify EVT-2026-0031 --not-incident --rationale "Authorised scan by our vendor"
  casefile classify INC-2026-0007 --incident --category intrusions/unprivileged-account-compromise \
      --severity SEV2 --cia confidentiality --rationale "Mailbox rules created from a foreign IP" --manager bob@example.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runClassify(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.incident, "incident", false, "it is an information-security incident")
	f.BoolVar(&opts.notInc, "not-incident", false, "it is not an incident")
	f.StringVar(&opts.category, "category", "", "<class>/<type> from the taxonomy")
	f.StringVar(&opts.severity, "severity", "", "a level of the severity scale")
	f.StringSliceVar(&opts.cia, "cia", nil, "harmed: confidentiality, integrity, availability (comma-separated)")
	f.StringVar(&opts.rationale, "rationale", "", "why (required)")
	f.BoolVar(&opts.externalImpact, "external-impact", false, "customers, data subjects or other outside parties are affected")
	f.StringVar(&opts.noNotificationReason, "no-notification-reason", "", "why affected outside parties are not notified")
	f.StringVar(&opts.immediateActions, "immediate-actions", "", "immediate remedial action taken")
	f.StringVar(&opts.manager, "manager", "", "appoint this Incident Manager")
	f.StringVar(&opts.by, "by", "", "who decided (default: git config user.email)")
	f.StringVar(&opts.at, "at", "", "when (RFC 3339; default: now)")
	opts.sign.register(f)
	return cmd
}

func runClassify(ctx context.Context, env *Env, opts classifyOptions) error {
	if opts.incident == opts.notInc {
		return usageError(fmt.Errorf("give exactly one of --incident or --not-incident"))
	}
	if opts.rationale == "" {
		return usageError(fmt.Errorf("--rationale is required: the log must say why"))
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
			return change{}, usageError(fmt.Errorf("%s is %s; a closed record is not reassessed", opts.id, r.Status))
		}
		if r.Kind == record.KindDrill {
			return change{}, usageError(fmt.Errorf("%s is a drill; drills are not assessed", opts.id))
		}
		if opts.incident && opts.manager == "" && r.Roles.IncidentManager == "" {
			return change{}, usageError(fmt.Errorf("an incident needs an Incident Manager: pass --manager EMAIL"))
		}
		a := record.Assessment{
			At: at, By: orDefault(opts.by, w.userEmail()), IsIncident: opts.incident, Rationale: opts.rationale,
			CIA: opts.cia, Category: opts.category, Severity: opts.severity, ExternalImpact: opts.externalImpact,
			NoNotificationReason: opts.noNotificationReason, ImmediateActions: opts.immediateActions,
		}
		n, err := record.NodeOf(a)
		if err != nil {
			return change{}, err
		}
		if err := doc.Set("assessment", n); err != nil {
			return change{}, err
		}
		if opts.manager != "" {
			if err := setString(doc, "roles.incident_manager", opts.manager); err != nil {
				return change{}, err
			}
		}
		verb := "classify"
		if r.Assessment != nil {
			verb = "reclassify"
		}
		if r.Status == record.StatusReported {
			if err := setString(doc, "status", record.StatusAssessed); err != nil {
				return change{}, err
			}
		}
		summary := "not an incident"
		if opts.incident {
			parts := []string{"incident"}
			for _, s := range []string{opts.severity, opts.category} {
				if s != "" {
					parts = append(parts, s)
				}
			}
			summary = strings.Join(parts, ", ")
		}
		return change{verb: verb, summary: summary, action: "classify"}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: classified %s in commit %s\n", opts.id, short(hash))
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func setString(doc *record.Doc, path, value string) error {
	n, err := record.NodeOf(value)
	if err != nil {
		return err
	}
	return doc.Set(path, n)
}

// timeFlag parses an --at flag, defaulting to the writer's clock.
func (w *writer) timeFlag(s string) (record.Time, error) {
	if s == "" {
		return record.At(w.now), nil
	}
	t, err := record.ParseTime(s)
	if err != nil || t.Precision != record.PrecisionFull {
		return record.Time{}, usageError(fmt.Errorf("invalid time %q: want RFC 3339 with a zone, e.g. 2026-03-02T09:14:00Z", s))
	}
	return t, nil
}
