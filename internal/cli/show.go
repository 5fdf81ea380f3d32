package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/store"
)

type showOptions struct {
	id, format, rev string
}

func newShowCmd(env *Env) *cobra.Command {
	var opts showOptions
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a record as committed (at HEAD, or --rev)",
		Example: `  casefile show INC-2026-0007
  casefile show INC-2026-0007 --format json | jq .assessment
  casefile show INC-2026-0007 --rev HEAD~3`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runShow(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "yaml", "output format: yaml, json")
	cmd.Flags().StringVar(&opts.rev, "rev", "HEAD", "the revision to read")
	return cmd
}

func runShow(_ context.Context, env *Env, opts showOptions) error {
	if !validFormat(opts.format, []string{"yaml", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want yaml or json)", opts.format))
	}
	if err := checkID(opts.id); err != nil {
		return err
	}
	repo, err := store.Open(env.Dir)
	if err != nil {
		return repoError(err)
	}
	p, data, err := findRecord(revReader{repo, opts.rev}, opts.id)
	if err != nil {
		return err
	}
	if opts.format == "yaml" {
		_, err := env.Stdout.Write(data)
		return err
	}
	doc, err := record.Parse(p, data)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(doc.Data)
}
