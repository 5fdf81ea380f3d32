// Package atomicfile replaces a file whole: the content goes to a temporary
// file in the target's folder, which is renamed over the target once it is
// complete, so a reader sees the old file or the whole new one, never a
// part, and a failure leaves the old file and no temporary one.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write replaces the file at path with what write writes, with permissions
// perm, creating the folder when missing. With durable set the content is
// fsynced before the rename.
func Write(path string, perm os.FileMode, durable bool, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if durable {
		if err = tmp.Sync(); err != nil {
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteBytes is Write of data.
func WriteBytes(path string, perm os.FileMode, durable bool, data []byte) error {
	return Write(path, perm, durable, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
