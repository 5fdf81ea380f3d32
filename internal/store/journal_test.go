package store

import (
	"bytes"
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestJournalRoundTrip(t *testing.T) {
	j := &journal{pid: 4242, host: "h1", boot: "b1"}
	data := j.header()
	got, ok := parseJournal(data)
	if !ok || got.pid != 4242 || got.host != "h1" || got.boot != "b1" || !got.new.IsZero() {
		t.Fatalf("header only: %+v %v", got, ok)
	}
	if string(data[pidOffset:pidOffset+10]) != "0000004242" {
		t.Fatalf("pid not at its fixed offset: %q", data)
	}
	j.branch = "refs/heads/main"
	j.old = plumbing.NewHash("1111111111111111111111111111111111111111")
	j.new = plumbing.NewHash("2222222222222222222222222222222222222222")
	j.paths = []string{"records/2026/A.yaml", "evidence/A/x y.bin"}
	full := append(append([]byte{}, data...), j.commitSection()...)
	got, ok = parseJournal(full)
	if !ok || got.branch != j.branch || got.old != j.old || got.new != j.new || len(got.paths) != 2 || got.paths[1] != "evidence/A/x y.bin" {
		t.Fatalf("full: %+v %v", got, ok)
	}
	// A commit section cut short (no "." line) does not count.
	for n := len(data); n < len(full)-1; n++ {
		got, ok = parseJournal(full[:n])
		if !ok || !got.new.IsZero() || got.paths != nil {
			t.Fatalf("torn at %d: %+v %v", n, got, ok)
		}
	}
	// Neither git's lock (empty or an index) nor a torn header counts.
	for _, b := range [][]byte{nil, []byte("DIRC\x00\x00\x00\x02"), data[:len(data)-2], bytes.Replace(data, []byte("pid"), []byte("pdi"), 1)} {
		if _, ok := parseJournal(b); ok {
			t.Errorf("accepted %q", b)
		}
	}
}

func TestJournalStale(t *testing.T) {
	if !canRecover {
		t.Skip("no recovery on this platform")
	}
	self := &journal{pid: os.Getpid(), host: currentHost(), boot: orDash(bootID())}
	if self.stale() {
		t.Error("own pid counted as stale")
	}
	parent := &journal{pid: os.Getppid(), host: currentHost(), boot: orDash(bootID())}
	if parent.stale() {
		t.Error("live pid counted as stale")
	}
	other := &journal{pid: 1 << 30, host: currentHost() + "-elsewhere", boot: "-"}
	if other.stale() {
		t.Error("process of another host counted as stale")
	}
	dead := &journal{pid: 1 << 30, host: currentHost(), boot: orDash(bootID())}
	if !dead.stale() {
		t.Error("pid that cannot exist not counted as stale")
	}
}
