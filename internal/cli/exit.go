package cli

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes. They are documented in the README; keep the two in step.
const (
	ExitOK        = 0
	ExitFindings  = 1 // lint findings, verification failures
	ExitUsage     = 2 // bad command line, unreadable or invalid input
	ExitSigning   = 3 // a write needs a signature and no signer could be prepared
	ExitRepoState = 4 // the repository's state prevents the write (lock, dirty record, detached HEAD, merge in progress)
)

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks a bad command line or unreadable input (exit 2).
func usageError(err error) error { return &exitError{ExitUsage, err} }

// errFindings reports that a command found problems it has already printed
// (exit 1, no further message).
var errFindings = &exitError{code: ExitFindings}

// report prints err (if it has a message) and maps it to an exit code, in
// one place for every command.
func report(env *Env, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitFindings
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	} else if isCobraUsage(err) {
		code = ExitUsage
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(env.Stderr, "casefile: %s\n", msg)
	}
	return code
}

// isCobraUsage recognises cobra's own argument errors, which it returns as
// plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}
