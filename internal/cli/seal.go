package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/store"
)

type sealOptions struct {
	name    string
	message string
	sign    signFlags
}

// sealPrefix is the tag name prefix of seals; casefile verify checks every
// tag under it.
var sealPrefix = strings.TrimPrefix(custody.DefaultSealPrefix, "refs/tags/")

func newSealCmd(env *Env) *cobra.Command {
	var opts sealOptions
	cmd := &cobra.Command{
		Use:   "seal [NAME]",
		Short: "Mark an audit point with a signed tag that verify checks from then on",
		Long: `seal makes a signed annotated tag casefile-seal-NAME (default NAME: today's
date) on HEAD, signed with your signing key as git tag -s would sign it (SSH or
OpenPGP), so git tag -v accepts it. From then on casefile verify checks that the
seal is signed by a trusted key and that the sealed commit is still an ancestor
of HEAD: history rewritten after a seal fails verification. Use it at the end of
a management-review period or before handing the log to an auditor; push it
with git push origin casefile-seal-NAME.`,
		Example: `  casefile seal 2026-q1 --message "Management review Q1 2026"
  casefile seal`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.name = args[0]
			}
			return runSeal(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.message, "message", "m", "", "the tag message (default: names the audit point)")
	opts.sign.register(cmd.Flags())
	return cmd
}

func runSeal(_ context.Context, env *Env, opts sealOptions) error {
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	if w.signer == nil {
		return &exitError{ExitSigning, errors.New("a seal must be signed, and no signing key is configured (git config user.signingkey, or --sign-key)")}
	}
	name := opts.name
	if name == "" {
		name = w.now.UTC().Format("2006-01-02")
	}
	if !strings.HasPrefix(name, sealPrefix) {
		name = sealPrefix + name
	}
	head, err := w.repo.Head()
	if err != nil {
		return repoError(err)
	}
	if head == "" {
		return usageError(errors.New("nothing to seal: the repository has no commits yet"))
	}
	msg := opts.message
	if strings.TrimSpace(msg) == "" {
		msg = "casefile seal: audit point " + strings.TrimPrefix(name, sealPrefix)
	}
	msg = strings.TrimRight(msg, "\n") + "\n\nCasefile-Action: seal\n"
	if _, err := w.repo.CreateTag(store.Tag{
		Name:    name,
		Target:  head,
		Message: msg,
		Tagger:  store.Person{Name: w.commit.Name, Email: w.commit.Email, When: w.now},
		Signer:  w.signer,
	}); err != nil {
		if errors.Is(err, store.ErrTagExists) {
			return usageError(fmt.Errorf("%w; seals are never moved, pick another name", err))
		}
		if errors.Is(err, store.ErrInvalidPath) {
			return usageError(err)
		}
		return repoError(err)
	}
	fmt.Fprintln(env.Stdout, name)
	fmt.Fprintf(env.Stderr, "casefile: sealed commit %s as %s (push it: git push origin %s)\n", short(head), name, name)
	return nil
}
