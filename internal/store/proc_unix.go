//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

// canRecover reports whether this platform can tell a dead lock holder
// from a live one (advisory locks and signal 0).
const canRecover = true

// tryLockFile takes an exclusive advisory lock on f without waiting. The
// kernel drops it when the holder dies, however it dies, which is what
// tells a stale index.lock from one in use.
func tryLockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// processDead reports whether no process with this pid exists on this
// host. A pid that exists (even one reused by an unrelated program, or one
// we may not signal) counts as alive, so the answer errs towards waiting.
func processDead(pid int) bool {
	if pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// bootID identifies the running kernel instance where the system says so
// (Linux); pids of an earlier boot are all dead. "" when unknown.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
