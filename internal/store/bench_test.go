package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/casefile/casefile/internal/testtools"
)

// BenchmarkCommit measures one record commit in repositories of growing
// size. The fast path rewrites only the trees along the changed path and
// the index, so the cost should stay nearly flat in the number of files
// (the index rewrite is the only part linear in the file count, as in git).
func BenchmarkCommit(b *testing.B) {
	testtools.Require(b, "git")
	sizes := []int{100, 1000, 10000}
	if os.Getenv("CASEFILE_BENCH_LARGE") != "" {
		sizes = append(sizes, 100000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			g := benchRepo(b, n)
			r, err := openRepo(g.dir)
			if err != nil {
				b.Fatal(err)
			}
			signer, _ := sshKey(b)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				c := change(fmt.Sprintf("records/2026/INC-2026-%05d.yaml", i), fmt.Sprintf("id: %d\n", i), "bench")
				c.Signer = signer
				if _, err := r.Commit(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRepo builds a repository with n records spread over year/month
// directories, committed with the git CLI.
func benchRepo(b *testing.B, n int) *gitRepo {
	b.Helper()
	home := b.TempDir()
	dir := filepath.Join(b.TempDir(), "repo")
	if err := os.WriteFile(filepath.Join(home, "gitconfig"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	g := &gitRepo{t: b, dir: dir, home: home, env: gitEnv(home)}
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, "records", fmt.Sprint(2016+i%10), fmt.Sprintf("%02d", 1+(i/10)%12), fmt.Sprintf("INC-%06d.yaml", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(fmt.Sprintf("id: INC-%06d\ntitle: record %d\n", i, i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	g.run("init", "-q", "-b", "main")
	g.run("add", "-A")
	g.run("commit", "-q", "-m", "seed")
	return g
}

// BenchmarkCommitBulk measures one commit of 10,000 new records into a
// fresh repository, as `casefile import` makes it: the bulk path (one
// pack, one syncfs for the work tree).
func BenchmarkCommitBulk(b *testing.B) {
	testtools.Require(b, "git")
	signer, _ := sshKey(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		g := benchRepo(b, 10)
		r, err := openRepo(g.dir)
		if err != nil {
			b.Fatal(err)
		}
		c := change("records/2026/INC-2026-00000.yaml", "id: 0\n", "import")
		for i := 1; i < 10000; i++ {
			c.Files[fmt.Sprintf("records/%d/INC-%d-%05d.yaml", 2016+i%10, 2016+i%10, i)] = []byte(fmt.Sprintf("id: INC-%05d\ntitle: record %d\nsummary: %0200d\n", i, i, i))
		}
		c.Signer = signer
		b.StartTimer()
		if _, err := r.Commit(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
