package store

import (
	"os"
	"strconv"
)

// SetFaultHook installs a hook called at each commit step (StepLocked,
// StepObjects, StepRef, StepWorktree, StepIndex) and returns a function restoring the
// previous one.
func SetFaultHook(f func(step string) error) (restore func()) {
	old := faultHook
	faultHook = f
	return func() { faultHook = old }
}

// Commit steps, for SetFaultHook.
const (
	StepLocked   = stepLocked
	StepObjects  = stepObjects
	StepRef      = stepRef
	StepWorktree = stepWorktree
	StepIndex    = stepIndex
)

// FakeLock writes index.lock at path as a casefile writer with this pid on
// this host leaves it after taking the lock (header section only).
func FakeLock(path string, pid int, host string) error {
	j := &journal{pid: pid, host: host, boot: orDash(bootID())}
	return os.WriteFile(path, j.header(), 0o666)
}

// Hostname is the host name journals record.
func Hostname() string { return currentHost() }

// TempName is the name CreateTemp gives a temp file of kind made by pid.
func TempName(kind string, pid int) string {
	return tempPrefix + kind + "-" + hostTag() + "-" + strconv.Itoa(pid) + "-12345"
}

// CanRecover reports whether this platform takes over stale locks.
const CanRecover = canRecover
