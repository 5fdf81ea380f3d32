// Package testtools lets tests require the programs casefile works with
// (git, ssh-keygen, gpg, Debian's chromium). On a developer's machine a
// missing program skips the test and says what to install; in CI, where
// .ci/run installs every one of them and sets CASEFILE_CI=1, a missing
// program fails the test, so a broken install can never pass as skipped
// tests. Only tests import this package.
package testtools

import (
	"os"
	"os/exec"
	"testing"
)

// CIEnv is set to 1 by .ci/run.
const CIEnv = "CASEFILE_CI"

// Require skips tb (fails it in CI) unless every program is in PATH.
func Require(tb testing.TB, programs ...string) {
	tb.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			missing(tb, p+" is not in PATH")
		}
	}
}

// RequireFile skips tb (fails it in CI) unless the program at path exists.
func RequireFile(tb testing.TB, path string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(tb, path+" is not installed")
	}
}

// RequireInCI fails tb in CI unless every program is in PATH, and does
// nothing elsewhere: for a suite whose parts check what they need
// themselves (the testscript files' [exec:…] conditions).
func RequireInCI(tb testing.TB, programs ...string) {
	tb.Helper()
	if InCI() {
		Require(tb, programs...)
	}
}

// InCI reports whether the tests run under .ci/run.
func InCI() bool { return os.Getenv(CIEnv) != "" }

func missing(tb testing.TB, why string) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("%s: CI must have it (.ci/run installs it)", why)
	}
	tb.Skipf("%s (.ci/run installs it; %s=1 turns this skip into a failure)", why, CIEnv)
}
