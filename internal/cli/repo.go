package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/casefile/casefile/internal/config"
)

// abs resolves p against the command's working directory.
func (env *Env) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(env.Dir, p)
}

// rel shows p relative to the working directory, as compilers and linters
// do (with ../ where needed), so editors and CI annotations can open it.
func (env *Env) rel(p string) string {
	if r, err := filepath.Rel(env.Dir, p); err == nil {
		return r
	}
	return p
}

// repoRoot finds the records repository that contains dir.
func (env *Env) repoRoot(dir string) (string, error) {
	root, err := config.FindRoot(env.abs(dir))
	if err != nil {
		return "", err
	}
	if root == "" {
		return "", usageError(fmt.Errorf("%s is not inside a casefile repository (no %s found); run casefile init or pass paths", env.rel(env.abs(dir)), config.FileName))
	}
	return root, nil
}

// loadConfig loads the repository's configuration; config problems are
// usage errors naming the file and line.
func (env *Env) loadConfig(root string) (*config.Config, error) {
	cfg, err := config.ForRoot(root)
	if err != nil {
		var probs config.Problems
		if errors.As(err, &probs) {
			return nil, usageError(fmt.Errorf("invalid configuration:\n%w", err))
		}
		return nil, usageError(err)
	}
	return cfg, nil
}

// parseNow reads a --now override, or takes the clock.
func (env *Env) parseNow(s string) (time.Time, error) {
	if s == "" {
		s = env.Getenv("CASEFILE_NOW")
	}
	if s == "" {
		return env.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if d, derr := time.Parse("2006-01-02", s); derr == nil {
			return d, nil
		}
		return time.Time{}, usageError(fmt.Errorf("invalid time %q: want RFC 3339 (2026-03-02T09:14:00Z) or a date", s))
	}
	return t, nil
}
