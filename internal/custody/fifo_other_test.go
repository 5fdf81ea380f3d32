//go:build !unix

package custody_test

import "errors"

var errNoFIFO = errors.New("no FIFOs on this system")

func mkfifo(string) error { return errNoFIFO }
