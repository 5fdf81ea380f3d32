package store

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// BranchTips returns the commit hashes at the tips of every local branch
// and remote-tracking branch, deduplicated and sorted. Callers use it to see
// record IDs taken on branches that are not merged yet.
func (r *Repo) BranchTips() ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	iter, err := r.repo.References()
	if err != nil {
		return nil, fmt.Errorf("listing references: %w", err)
	}
	seen := map[string]bool{}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().String()
		if ref.Type() != plumbing.HashReference ||
			!(strings.HasPrefix(name, "refs/heads/") || strings.HasPrefix(name, "refs/remotes/")) {
			return nil
		}
		seen[ref.Hash().String()] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing references: %w", err)
	}
	out := make([]string, 0, len(seen))
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out, nil
}
