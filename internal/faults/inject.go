//go:build faultinject

package faults

import (
	"os"
	"sync/atomic"
)

// Enabled reports whether this binary was built with fault injection.
const Enabled = true

// target is the step named by CASEFILE_FAULT, read once at start.
var target = os.Getenv(EnvVar)

var fired atomic.Bool

// Point kills the process with SIGKILL (no deferred functions, no cleanup,
// exactly like a crash or an OOM kill) when step is the one named by
// CASEFILE_FAULT, the first time it is reached.
func Point(step string) {
	if target == "" || step != target || !fired.CompareAndSwap(false, true) {
		return
	}
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Kill()
	}
	// Kill does not return on success; should it fail, die anyway without
	// cleanup rather than carry on past the fault point.
	os.Exit(137)
}
