//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "os"

// canRecover is false where casefile cannot tell a dead lock holder from a
// live one: a stale index.lock is then never taken over, as before.
const canRecover = false

func tryLockFile(*os.File) bool { return false }

func processDead(int) bool { return false }

func bootID() string { return "" }
