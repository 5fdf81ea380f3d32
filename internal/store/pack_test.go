package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/custody"
)

// A commit of many files (an import) writes its objects as one pack and
// index, which the git CLI, casefile's own object reader and a Repo opened
// before the pack existed all read; git gc repacks it.
func TestCommitManyFilesWritesOnePack(t *testing.T) {
	g := newGitRepo(t)
	early := g.open() // lists the packs before the import's pack exists
	if _, err := early.ReadFile("HEAD", "README.md"); err != nil {
		t.Fatal(err)
	}
	r := g.open()
	signer, _ := sshKey(t)
	c := change("records/2026/INC-2026-0000.yaml", "id: INC-2026-0000\n", "import 300 records")
	for i := 1; i < 300; i++ {
		c.Files[fmt.Sprintf("records/%d/INC-%d-%04d.yaml", 2016+i%10, 2016+i%10, i)] = []byte(fmt.Sprintf("id: INC-%04d\ntitle: record %d\n", i, i))
	}
	c.Signer = signer
	head := mustCommit(t, r, c)

	packs, _ := filepath.Glob(filepath.Join(g.dir, ".git", "objects", "pack", "pack-*.pack"))
	idxs, _ := filepath.Glob(filepath.Join(g.dir, ".git", "objects", "pack", "pack-*.idx"))
	if len(packs) != 1 || len(idxs) != 1 {
		t.Fatalf("packs %v, indexes %v", packs, idxs)
	}
	if left, _ := filepath.Glob(filepath.Join(g.dir, ".git", "objects", "pack", "tmp_*")); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
	// Every new blob, tree and the commit are in the pack, none loose.
	verify := g.run("verify-pack", "-v", idxs[0])
	if !strings.Contains(verify, head+" commit") {
		t.Errorf("commit %s not in the pack:\n%s", head, verify)
	}
	if n := strings.Count(verify, " blob "); n != 300 {
		t.Errorf("%d blobs in the pack, want 300", n)
	}
	hexHead := head
	if _, err := os.Stat(filepath.Join(g.dir, ".git", "objects", hexHead[:2], hexHead[2:])); err == nil {
		t.Errorf("commit %s also written loose", head)
	}
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status:\n%s", st)
	}
	if got := g.run("show", "HEAD:records/2019/INC-2019-0003.yaml"); got != "id: INC-0003\ntitle: record 3\n" {
		t.Errorf("git show = %q", got)
	}

	for name, repo := range map[string]interface {
		ReadFile(rev, p string) ([]byte, error)
	}{"committing Repo": r, "Repo opened before the pack": early} {
		if got, err := repo.ReadFile("HEAD", "records/2019/INC-2019-0003.yaml"); err != nil || string(got) != "id: INC-0003\ntitle: record 3\n" {
			t.Errorf("%s: ReadFile = %q, %v", name, got, err)
		}
	}
	cr, err := custody.OpenRepository(g.dir)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := custody.History(context.Background(), cr, "records/2019/INC-2019-0003.yaml", custody.HistoryOptions{})
	if err != nil || len(hist) != 1 {
		t.Errorf("custody history: %d entries, %v", len(hist), err)
	}

	// A small commit on top goes loose again; gc repacks everything.
	mustCommit(t, early, change("records/2026/INC-2026-0001.yaml", "id: INC-2026-0001\n", "one more"))
	g.run("gc", "-q", "--prune=now")
	g.fsck()
	if got, err := g.open().ReadFile("HEAD", "records/2019/INC-2019-0003.yaml"); err != nil || string(got) != "id: INC-0003\ntitle: record 3\n" {
		t.Errorf("after gc: ReadFile = %q, %v", got, err)
	}
	if st := g.status(); st != "" {
		t.Errorf("status after gc:\n%s", st)
	}
}
