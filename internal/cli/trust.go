package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/store"
)

type trustOptions struct {
	principal, key          string
	validAfter, validBefore string
	format                  string
	sign                    signFlags
}

func newTrustCmd(env *Env) *cobra.Command {
	var opts trustOptions
	cmd := &cobra.Command{
		Use:   "trust add|remove|list",
		Short: "Change or list the keys trusted to sign the log, through signed commits",
		Long: `trust manages .casefile/allowed_signers (SSH keys, git's allowed-signers
format) and .casefile/keys/*.asc (OpenPGP keys). Every change is a commit signed
by your key, which must already be trusted there: casefile verify accepts a new
key only for the commits after the one that added it.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Errorf("unknown trust command %q (want add, remove or list)", args[0]))
			}
			return cmd.Help()
		},
	}
	add := &cobra.Command{
		Use:   "add PRINCIPAL KEY",
		Short: "Trust an SSH key (a .pub file or ssh-… text) or an OpenPGP key (.asc) for PRINCIPAL",
		Example: `  casefile trust add bob@example.com ~/bob_ed25519.pub
  casefile trust add carol@example.com carol.asc
  casefile trust add ci@example.com 'ssh-ed25519 AAAA…' --valid-before 20270101`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.principal, opts.key = args[0], args[1]
			return runTrustAdd(cmd.Context(), env, opts)
		},
	}
	add.Flags().StringVar(&opts.validAfter, "valid-after", "", "SSH: trust only signatures made after YYYYMMDD[HHMM[SS]][Z]")
	add.Flags().StringVar(&opts.validBefore, "valid-before", "", "SSH: trust only signatures made before YYYYMMDD[HHMM[SS]][Z]")
	opts.sign.register(add.Flags())
	remove := &cobra.Command{
		Use:     "remove FINGERPRINT|PRINCIPAL",
		Short:   "Stop trusting an SSH key (by SHA256:… fingerprint) or a principal's SSH lines",
		Example: `  casefile trust remove SHA256:0g3Vb…`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.key = args[0]
			return runTrustRemove(cmd.Context(), env, opts)
		},
	}
	opts.sign.register(remove.Flags())
	list := &cobra.Command{
		Use:   "list",
		Short: "List the trusted keys at HEAD",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrustList(env, opts)
		},
	}
	list.Flags().StringVar(&opts.format, "format", "text", "output format: text, json")
	cmd.AddCommand(add, remove, list)
	return cmd
}

func runTrustAdd(ctx context.Context, env *Env, opts trustOptions) error {
	if strings.TrimSpace(opts.principal) == "" || strings.ContainsAny(opts.principal, " \t\n\"") {
		return usageError(fmt.Errorf("invalid principal %q", opts.principal))
	}
	keyText := opts.key
	if !strings.HasPrefix(keyText, "ssh-") && !strings.HasPrefix(keyText, "ecdsa-") && !strings.HasPrefix(keyText, "sk-") {
		f, err := openRegular(env.abs(opts.key))
		if err != nil {
			return usageError(fmt.Errorf("reading key: %w", err))
		}
		fi, _ := f.Stat()
		if fi.Size() > 1<<20 {
			f.Close()
			return usageError(fmt.Errorf("%s is too large to be a public key", opts.key))
		}
		data := make([]byte, fi.Size())
		_, err = f.ReadAt(data, 0)
		f.Close()
		if err != nil {
			return usageError(fmt.Errorf("reading key: %w", err))
		}
		keyText = string(data)
	}
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	if strings.Contains(keyText, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
		if opts.validAfter != "" || opts.validBefore != "" {
			return usageError(errors.New("--valid-after/--valid-before apply to SSH keys; an OpenPGP key carries its own expiry"))
		}
		keys, err := custody.ParseOpenPGPKeys(opts.key, []byte(keyText))
		if err != nil {
			return usageError(fmt.Errorf("%s: want exactly one OpenPGP public key: %w", opts.key, err))
		}
		if len(keys) != 1 {
			return usageError(fmt.Errorf("%s: want exactly one OpenPGP public key, found %d", opts.key, len(keys)))
		}
		k := keys[0]
		found := false
		for _, p := range k.Principals {
			found = found || p == strings.ToLower(opts.principal)
		}
		if !found {
			return usageError(fmt.Errorf("OpenPGP key %s has user IDs %s, none with the e-mail %s; OpenPGP keys are trusted for the e-mails of their user IDs", k.Fingerprint, strings.Join(k.UIDs, ", "), opts.principal))
		}
		p := path.Join(custody.KeysDir, k.Fingerprint+".asc")
		hash, err := w.commitFiles(ctx, "casefile: trust OpenPGP key "+k.Fingerprint+" for "+opts.principal, "trust:add", func(tx *store.Tx) (map[string][]byte, error) {
			if _, err := tx.ReadFile(p); err == nil {
				return nil, usageError(fmt.Errorf("OpenPGP key %s is already trusted (%s)", k.Fingerprint, p))
			}
			return map[string][]byte{p: []byte(keyText)}, nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "casefile: trusted OpenPGP key %s (%s) in commit %s\n", k.Fingerprint, strings.Join(k.UIDs, ", "), short(hash))
		return nil
	}

	options := []string{`namespaces="git"`}
	if opts.validAfter != "" {
		options = append(options, `valid-after="`+opts.validAfter+`"`)
	}
	if opts.validBefore != "" {
		options = append(options, `valid-before="`+opts.validBefore+`"`)
	}
	line := opts.principal + " " + strings.Join(options, ",") + " " + strings.TrimSpace(keyText)
	parsed, err := custody.ParseAllowedSigners(opts.key, []byte(line+"\n"))
	if err != nil {
		return usageError(fmt.Errorf("not an SSH public key line: %w", err))
	}
	if len(parsed) != 1 {
		return usageError(fmt.Errorf("not one SSH public key line: found %d", len(parsed)))
	}
	fp := parsed[0].Key.Fingerprint
	hash, err := w.commitFiles(ctx, "casefile: trust SSH key "+fp+" for "+opts.principal, "trust:add", func(tx *store.Tx) (map[string][]byte, error) {
		cur, err := readTrustFile(tx)
		if err != nil {
			return nil, err
		}
		existing, _ := custody.ParseAllowedSigners(custody.AllowedSignersFile, cur)
		for _, s := range existing {
			for _, p := range s.Principals {
				if s.Key.Fingerprint == fp && strings.EqualFold(p, opts.principal) {
					return nil, usageError(fmt.Errorf("%s is already trusted for %s (%s:%d)", fp, opts.principal, s.File, s.Line))
				}
			}
		}
		if len(cur) > 0 && !strings.HasSuffix(string(cur), "\n") {
			cur = append(cur, '\n')
		}
		return map[string][]byte{custody.AllowedSignersFile: append(cur, line+"\n"...)}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: trusted %s for %s in commit %s\n", fp, opts.principal, short(hash))
	return nil
}

func readTrustFile(tx *store.Tx) ([]byte, error) {
	cur, err := tx.ReadFile(custody.AllowedSignersFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return cur, err
}

func runTrustRemove(ctx context.Context, env *Env, opts trustOptions) error {
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	removed := 0
	hash, err := w.commitFiles(ctx, "casefile: stop trusting "+opts.key, "trust:remove", func(tx *store.Tx) (map[string][]byte, error) {
		cur, err := readTrustFile(tx)
		if err != nil {
			return nil, err
		}
		signers, _ := custody.ParseAllowedSigners(custody.AllowedSignersFile, cur)
		drop := map[int]bool{}
		for _, s := range signers {
			match := s.Key.Fingerprint == opts.key
			for _, p := range s.Principals {
				match = match || strings.EqualFold(p, opts.key)
			}
			if match {
				drop[s.Line] = true
			}
		}
		if len(drop) == 0 {
			msg := fmt.Sprintf("no line of %s has key or principal %s", custody.AllowedSignersFile, opts.key)
			if _, err := tx.ReadFile(path.Join(custody.KeysDir, strings.ToUpper(opts.key)+".asc")); err == nil {
				msg = "removing OpenPGP keys is not supported yet: delete " + path.Join(custody.KeysDir, strings.ToUpper(opts.key)+".asc") + " with git rm and a signed git commit -S"
			}
			return nil, usageError(errors.New(msg))
		}
		lines := strings.SplitAfter(string(cur), "\n")
		var out strings.Builder
		for i, l := range lines {
			if drop[i+1] {
				removed++
				continue
			}
			out.WriteString(l)
		}
		return map[string][]byte{custody.AllowedSignersFile: []byte(out.String())}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "casefile: removed %d %s from %s in commit %s\n", removed, plural(removed, "line", "lines"), custody.AllowedSignersFile, short(hash))
	return nil
}

func runTrustList(env *Env, opts trustOptions) error {
	if !validFormat(opts.format, []string{"text", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want text or json)", opts.format))
	}
	sr, err := store.Open(env.Dir)
	if err != nil {
		return repoError(err)
	}
	repo, err := custody.OpenRepository(sr.Root())
	if err != nil {
		return usageError(err)
	}
	defer repo.Close()
	t, err := custody.TrustAt(repo, "HEAD")
	if err != nil {
		return err
	}
	if opts.format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	for _, s := range t.Signers {
		var extra []string
		if s.Namespaces != nil {
			extra = append(extra, "namespaces="+strings.Join(s.Namespaces, ","))
		}
		if !s.ValidAfter.IsZero() {
			extra = append(extra, "valid-after "+s.ValidAfter.UTC().Format(time.RFC3339))
		}
		if !s.ValidBefore.IsZero() {
			extra = append(extra, "valid-before "+s.ValidBefore.UTC().Format(time.RFC3339))
		}
		fmt.Fprintln(env.Stdout, strings.TrimSpace(fmt.Sprintf("ssh      %s  %s  %s", s.Key.Fingerprint, strings.Join(s.Principals, ","), strings.Join(extra, " "))))
	}
	for _, k := range t.OpenPGP {
		fmt.Fprintf(env.Stdout, "openpgp  %s  %s  %s\n", k.Fingerprint, strings.Join(k.Principals, ","), k.File)
	}
	for _, p := range t.Problems {
		fmt.Fprintf(env.Stderr, "casefile: warning: %s (the line grants no trust)\n", p)
	}
	return nil
}
