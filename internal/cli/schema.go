package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/schema"
)

type schemaOptions struct {
	which string
}

func newSchemaCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [record|config]",
		Short: "Print the JSON Schema of records (default) or of casefile.yaml",
		Example: `  casefile schema > record.schema.json
  casefile schema config`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"record", "config"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := schemaOptions{which: "record"}
			if len(args) == 1 {
				opts.which = args[0]
			}
			return runSchema(env, opts)
		},
	}
}

func runSchema(env *Env, opts schemaOptions) error {
	var data []byte
	switch opts.which {
	case "record":
		data = schema.Record
	case "config":
		data = schema.Config
	default:
		return usageError(fmt.Errorf("unknown schema %q (want record or config)", opts.which))
	}
	_, err := env.Stdout.Write(data)
	return err
}
