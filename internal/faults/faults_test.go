package faults_test

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"github.com/casefile/casefile/internal/faults"
)

func TestMain(m *testing.M) {
	if step := os.Getenv("FAULTS_TEST_HELPER"); step != "" {
		faults.Point("other.step")
		faults.Point(step)
		os.Exit(0) // reached only when the point did not fire
	}
	os.Exit(m.Run())
}

// TestPoint runs this test binary as a helper that passes a fault point
// named by CASEFILE_FAULT: with the faultinject tag it dies of SIGKILL,
// without it the point is a no-op and the helper exits normally.
func TestPoint(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "FAULTS_TEST_HELPER=pkg.step", faults.EnvVar+"=pkg.step")
	err = cmd.Run()
	if !faults.Enabled {
		if err != nil {
			t.Fatalf("without faultinject the point must be a no-op: %v", err)
		}
		return
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("helper survived the fault point: %v", err)
	}
	if runtime.GOOS != "windows" {
		ws, ok := exit.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("helper ended with %v, want SIGKILL", err)
		}
	}
}
