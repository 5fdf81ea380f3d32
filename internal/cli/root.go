// Package cli is casefile's command-line interface: one cobra command per
// file, an Env that carries everything taken from the process, and the
// mapping of errors to exit codes.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// runProgram runs a program on the process's terminal.
func runProgram(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Run()
}

// Env is everything a command takes from the process. Commands never reach
// for os.Stdout, os.Getenv, time.Now or the working directory themselves, so
// tests run them with fixed values.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	Dir    string
	// Interactive is true when stdin and stderr are a terminal: commands
	// may then prompt for what is missing.
	Interactive bool
	// Prompt asks for a secret (a key passphrase) without echo; nil when
	// there is no terminal.
	Prompt func(prompt string) ([]byte, error)
	// Exec runs an external program (the editor), wired to the terminal.
	Exec func(name string, args ...string) error
}

// Version is casefile's version, set at build time with
// -ldflags "-X github.com/casefile/casefile/internal/cli.Version=v1.2.3";
// otherwise taken from the module build info.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// Main runs casefile with the process's arguments and environment and
// returns the exit code.
func Main() int {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	env := &Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Now:    time.Now,
		Dir:    dir,
		Exec:   runProgram,
	}
	if term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd())) {
		env.Interactive = true
		env.Prompt = func(prompt string) ([]byte, error) {
			fmt.Fprint(os.Stderr, prompt)
			defer fmt.Fprintln(os.Stderr)
			return term.ReadPassword(int(os.Stdin.Fd()))
		}
	}
	return Run(context.Background(), env, os.Args[1:])
}

// Run executes one command line and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	root := newRootCmd(env)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	return report(env, err)
}

func newRootCmd(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "casefile",
		Short: "Keep the ISO 27001 Security Incident Log as code",
		Long: `casefile keeps an organisation's Security Incident Log as YAML records in a
Git repository, validated by a JSON Schema, every change a signed commit.`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(
		newInitCmd(env),
		newNewCmd(env),
		newClassifyCmd(env),
		newAssignCmd(env),
		newActCmd(env),
		newStatusCmd(env),
		newCloseCmd(env),
		newSetCmd(env),
		newEditCmd(env),
		newShowCmd(env),
		newDeadlinesCmd(env),
		newLintCmd(env),
		newVerifyCmd(env),
		newHistoryCmd(env),
		newEvidenceCmd(env),
		newSealCmd(env),
		newTrustCmd(env),
		newListCmd(env),
		newImportCmd(env),
		newExportCmd(env),
		newReportCmd(env),
		newRenderCmd(env),
		newTemplatesCmd(env),
		newSchemaCmd(env),
		newVersionCmd(env),
	)
	return root
}
