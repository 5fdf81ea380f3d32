package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/internal/record"
)

type setOptions struct {
	id      string
	assigns []string
	unset   []string
	sign    signFlags
}

// setProtected are fields no generic update may touch: the identity of a
// record never changes, and status moves only along its lifecycle.
var setProtected = map[string]string{
	"id": "records are never renamed", "kind": "the kind is fixed when a record is filed",
	"schema_version": "it is set by casefile", "status": "use casefile status",
}

func newSetCmd(env *Env) *cobra.Command {
	var opts setOptions
	cmd := &cobra.Command{
		Use:   "set ID PATH=VALUE... [--unset PATH]",
		Short: "Update fields of a record (one signed commit)",
		Long: `set changes fields by path: dotted names, [N] for a list item, [+] to append.
PATH=VALUE stores VALUE as a string; PATH:=VALUE reads VALUE as a YAML value
(a number, true/false, a [list] or a {mapping}). The record must still pass the
lint rules, or nothing is committed. id, kind, schema_version and status cannot
be set.`,
		Example: `  casefile set INC-2026-0007 lessons="Enforce MFA on legacy protocols"
  casefile set INC-2026-0007 cost:='{amount: 12000, currency: EUR}' tags[+]=phishing
  casefile set INC-2026-0007 corrective_actions[0].status=verified \
      corrective_actions[0].verified:='{at: 2026-04-02T09:00:00Z, by: lead@example.com, how: retest}'
  casefile set INC-2026-0007 --unset tlp`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id, opts.assigns = args[0], args[1:]
			return runSet(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.unset, "unset", nil, "remove the field at PATH (repeatable)")
	opts.sign.register(cmd.Flags())
	return cmd
}

type assignment struct {
	path  string
	value *yaml.Node // nil to unset
}

// parseAssignments reads PATH=VALUE and PATH:=VALUE arguments.
func parseAssignments(args, unset []string) ([]assignment, error) {
	var out []assignment
	for _, a := range args {
		i := strings.IndexByte(a, '=')
		if i <= 0 {
			return nil, usageError(fmt.Errorf("%q is not PATH=VALUE or PATH:=VALUE", a))
		}
		path, value := a[:i], a[i+1:]
		var n *yaml.Node
		if strings.HasSuffix(path, ":") {
			path = strings.TrimSuffix(path, ":")
			var err error
			if n, err = record.ParseValue(value); err != nil {
				return nil, usageError(fmt.Errorf("%s: %w", path, err))
			}
		} else {
			n = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
			if strings.Contains(value, "\n") {
				n.Style = yaml.LiteralStyle
			}
		}
		out = append(out, assignment{path, n})
	}
	for _, p := range unset {
		out = append(out, assignment{p, nil})
	}
	for _, a := range out {
		steps, err := record.ParsePath(a.path)
		if err != nil {
			return nil, usageError(err)
		}
		if why, ok := setProtected[steps[0].Key]; ok && len(steps) == 1 {
			return nil, usageError(fmt.Errorf("%s cannot be set: %s", a.path, why))
		}
	}
	if len(out) == 0 {
		return nil, usageError(fmt.Errorf("nothing to set: give PATH=VALUE or --unset PATH"))
	}
	return out, nil
}

func runSet(ctx context.Context, env *Env, opts setOptions) error {
	assigns, err := parseAssignments(opts.assigns, opts.unset)
	if err != nil {
		return err
	}
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	hash, err := w.update(ctx, opts.id, func(doc *record.Doc, r *record.Record) (change, error) {
		var paths []string
		for _, a := range assigns {
			if err := doc.Set(a.path, a.value); err != nil {
				return change{}, usageError(err)
			}
			paths = append(paths, a.path)
		}
		return change{verb: "set", summary: strings.Join(paths, ", "), action: "set"}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: updated %s in commit %s\n", opts.id, short(hash))
	return nil
}
