package store

// SetFaultHook installs a hook called at each commit step (StepObjects,
// StepRef, StepWorktree, StepIndex) and returns a function restoring the
// previous one.
func SetFaultHook(f func(step string) error) (restore func()) {
	old := faultHook
	faultHook = f
	return func() { faultHook = old }
}

// Commit steps, for SetFaultHook.
const (
	StepObjects  = stepObjects
	StepRef      = stepRef
	StepWorktree = stepWorktree
	StepIndex    = stepIndex
)
