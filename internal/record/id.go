package record

import "fmt"

// MaxIDLength bounds a record ID, which is also its file name.
const MaxIDLength = 64

// CheckID refuses an ID that could name a path outside records/ or smuggle
// look-alike or bidi characters: only ASCII capitals, digits and hyphens.
// The schema's pattern is stricter about the shape; this is what every
// command checks before it uses an ID as a name.
func CheckID(id string) error {
	if id == "" || len(id) > MaxIDLength {
		return fmt.Errorf("invalid record ID %q", id)
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' {
			return fmt.Errorf("invalid record ID %q: only capital letters, digits and hyphens", id)
		}
	}
	return nil
}
