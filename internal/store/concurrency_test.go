package store_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

const writers = 20

// checkTwentyRecords verifies that n concurrent writers produced n commits
// in a straight line, each adding a distinct record.
func checkTwentyRecords(t *testing.T, g *gitRepo, base string) {
	t.Helper()
	g.fsck()
	if n := strings.TrimSpace(g.run("rev-list", "--count", base+"..HEAD")); n != fmt.Sprint(writers) {
		t.Fatalf("%s new commits, want %d", n, writers)
	}
	if merges := strings.TrimSpace(g.run("rev-list", "--min-parents=2", "HEAD")); merges != "" {
		t.Fatalf("merge commits: %s", merges)
	}
	files := strings.Fields(g.run("ls-tree", "-r", "--name-only", "HEAD", "records/2026"))
	if len(files) != writers {
		t.Fatalf("%d records in HEAD: %v", len(files), files)
	}
	for i := 1; i <= writers; i++ {
		want := fmt.Sprintf("records/2026/INC-2026-%04d.yaml", i)
		if files[i-1] != want {
			t.Fatalf("record %d is %s, want %s", i, files[i-1], want)
		}
	}
	// Each commit adds exactly one record.
	for _, h := range strings.Fields(g.run("rev-list", base+"..HEAD")) {
		if n := len(strings.Fields(g.run("show", "--format=", "--name-only", h))); n != 1 {
			t.Fatalf("commit %s touches %d files", h, n)
		}
	}
	if st := g.status(); st != "" {
		t.Fatalf("status:\n%s", st)
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	g := newGitRepo(t)
	base := g.head()
	r := g.open()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Half share the Repo, half open their own: both must serialize.
			rr := r
			if i%2 == 1 {
				var err error
				if rr, err = openRepo(g.dir); err != nil {
					errs <- err
					return
				}
			}
			errs <- commitNext(context.Background(), rr, fmt.Sprint("goroutine ", i))
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkTwentyRecords(t, g, base)
}

func TestConcurrentProcesses(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	g := newGitRepo(t)
	base := g.head()
	cmds := make([]*exec.Cmd, writers)
	outs := make([]strings.Builder, writers)
	for i := range cmds {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "STORE_TEST_HELPER=next", "STORE_TEST_DIR="+g.dir, fmt.Sprint("STORE_TEST_WHO=process ", i))
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	if t.Failed() {
		return
	}
	checkTwentyRecords(t, g, base)
}
