package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
)

func newEvidenceCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Collect evidence with its sha256, hand it over, re-check it",
		Long: `evidence keeps evidence and its chain of custody (ISO 27001 A.16.1.7 / A.5.28):
evidence add hashes files (sha256, streamed) and copies them into evidence/ID/
or records only the hash and where the evidence is kept; evidence transfer logs a
hand-over; evidence verify re-hashes the files. Each change is one signed commit.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Errorf("unknown evidence command %q (want add, transfer or verify)", args[0]))
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newEvidenceAddCmd(env), newEvidenceTransferCmd(env), newEvidenceVerifyCmd(env))
	return cmd
}

// hashStream returns the hex sha256 and the size of what r yields, copying
// it to w as well when w is not nil; nothing is held in memory.
func hashStream(r io.Reader, w io.Writer) (string, int64, error) {
	h := sha256.New()
	dst := io.Writer(h)
	if w != nil {
		dst = io.MultiWriter(h, w)
	}
	n, err := io.Copy(dst, r)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// hashFile hashes a regular file (refusing symlinks and anything else).
func hashFile(p string) (string, int64, error) {
	f, err := openRegular(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return hashStream(f, nil)
}

// openRegular opens p for reading if it is a regular file and not a
// symbolic link; it checks the opened file is the one looked at, so a
// link swapped in between is caught.
func openRegular(p string) (*os.File, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link; name the file itself", p)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !os.SameFile(fi, st) {
		f.Close()
		return nil, fmt.Errorf("%s changed while it was opened", p)
	}
	return f, nil
}

// evidenceIndex finds the evidence item with the given ID in a record.
func evidenceIndex(r *record.Record, evID string) (int, error) {
	for i, e := range r.Evidence {
		if e.ID == evID {
			return i, nil
		}
	}
	var ids []string
	for _, e := range r.Evidence {
		ids = append(ids, e.ID)
	}
	if len(ids) == 0 {
		return 0, usageError(fmt.Errorf("%s has no evidence", r.ID))
	}
	return 0, usageError(fmt.Errorf("%s has no evidence %s (it has %s)", r.ID, evID, strings.Join(ids, ", ")))
}

// nextEvidenceID is EV-<n+1> for the highest EV-n in the record.
func nextEvidenceID(r *record.Record, taken int) string {
	n := 0
	for _, e := range r.Evidence {
		if v, err := strconv.Atoi(strings.TrimPrefix(e.ID, "EV-")); err == nil && strings.HasPrefix(e.ID, "EV-") && v > n {
			n = v
		}
	}
	return "EV-" + strconv.Itoa(n+1+taken)
}
