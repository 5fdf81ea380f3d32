package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// canSyncFS reports whether syncFS can make many files durable at once.
const canSyncFS = true

// syncFS flushes the whole filesystem holding dir to stable storage
// (syncfs(2)): the data and directory entries of every file written there
// since, in one call instead of an fsync per file.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
