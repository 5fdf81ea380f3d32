package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// journal is what a casefile writer keeps inside the .git/index.lock it
// holds: who holds the lock and, from just before the ref update, which
// commit is being made and which paths it writes. Keeping it in the lock
// file itself means lock and journal appear and disappear together, and
// git's index.lock (empty, or an index starting with "DIRC") can never be
// mistaken for one. The format is text, a header section then an optional
// commit section, each ended by a "." line; an unterminated section (a
// write cut short) is ignored:
//
//	casefile-lock 1
//	pid 0000012345
//	host build-7
//	boot 5c1f…            (Linux boot_id, "-" elsewhere)
//	.
//	branch refs/heads/main
//	old <hash>            (zeros for an unborn branch)
//	new <hash>
//	path records/2026/INC-2026-0001.yaml
//	.
type journal struct {
	pid    int
	host   string
	boot   string
	branch string
	old    plumbing.Hash
	new    plumbing.Hash // zero until the commit section is written
	paths  []string
}

const journalMagic = "casefile-lock 1\n"

// pidOffset is where the fixed-width pid sits, so that a process taking
// over a stale lock can rewrite it in place with one write.
const pidOffset = len(journalMagic) + len("pid ")

func currentHost() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \n") {
		return "-"
	}
	return h
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newJournal() *journal {
	return &journal{pid: os.Getpid(), host: currentHost(), boot: orDash(bootID())}
}

func pidField(pid int) string { return fmt.Sprintf("%010d", pid) }

func (j *journal) header() []byte {
	return []byte(journalMagic + "pid " + pidField(j.pid) + "\nhost " + j.host + "\nboot " + j.boot + "\n.\n")
}

func (j *journal) commitSection() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "branch %s\nold %s\nnew %s\n", j.branch, j.old, j.new)
	for _, p := range j.paths {
		b.WriteString("path " + p + "\n")
	}
	b.WriteString(".\n")
	return b.Bytes()
}

// parseJournal reads a lock file's content; ok is false for anything that
// is not a complete casefile header (git's own lock, a torn write).
func parseJournal(data []byte) (j *journal, ok bool) {
	if !bytes.HasPrefix(data, []byte(journalMagic)) {
		return nil, false
	}
	j = &journal{}
	sc := bufio.NewScanner(bytes.NewReader(data[len(journalMagic):]))
	sc.Buffer(make([]byte, 0, 4096), 2*maxPathLen)
	section, fields := 0, map[string]bool{}
	var pending journal
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		if key == "." {
			if section == 0 {
				if !fields["pid"] || !fields["host"] || !fields["boot"] {
					return nil, false
				}
			} else if fields["branch"] && fields["old"] && fields["new"] {
				j.branch, j.old, j.new, j.paths = pending.branch, pending.old, pending.new, pending.paths
			}
			section++
			fields = map[string]bool{}
			continue
		}
		if fields[key] && key != "path" {
			break
		}
		fields[key] = true
		switch {
		case section == 0 && key == "pid":
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, false
			}
			j.pid = n
		case section == 0 && key == "host":
			j.host = val
		case section == 0 && key == "boot":
			j.boot = val
		case section == 1 && key == "branch" && strings.HasPrefix(val, "refs/heads/"):
			pending.branch = val
		case section == 1 && (key == "old" || key == "new") && plumbing.IsHash(val):
			if key == "old" {
				pending.old = plumbing.NewHash(val)
			} else {
				pending.new = plumbing.NewHash(val)
			}
		case section == 1 && key == "path" && CheckPath(val) == nil:
			pending.paths = append(pending.paths, val)
		default:
			// Unknown or malformed: stop here, keeping complete sections.
			return j, section > 0
		}
	}
	return j, section > 0
}

// stale reports whether the process named by the journal is certainly
// gone: same host, and either another boot or no such pid.
func (j *journal) stale() bool {
	if j.host != currentHost() || j.pid == os.Getpid() {
		return false
	}
	if b := orDash(bootID()); b != "-" && j.boot != "-" && b != j.boot {
		return true
	}
	return processDead(j.pid)
}

// hostTag is a short, filename-safe digest of the host name, so that temp
// files of processes on other hosts (a repository on a network share) are
// never swept by pid.
func hostTag() string {
	s := sha256.Sum256([]byte(currentHost()))
	return hex.EncodeToString(s[:4])
}

// tempPrefix starts the names of casefile's temp files in .git.
const tempPrefix = "casefile-"

// CreateTemp creates a private temp file in the git directory, named
// casefile-KIND-HOST-PID-RANDOM so that one left by a killed process is
// recognised and removed by the next writer on this host (see
// sweepTemps). kind must be a short word without hyphens.
func (r *Repo) CreateTemp(kind string) (*os.File, error) {
	return createTemp(r.gitDir, kind)
}

func createTemp(dir, kind string) (*os.File, error) {
	if kind == "" || strings.ContainsAny(kind, "-/\\*") {
		return nil, fmt.Errorf("invalid temp file kind %q", kind)
	}
	return os.CreateTemp(dir, tempPrefix+kind+"-"+hostTag()+"-"+strconv.Itoa(os.Getpid())+"-*")
}

// sweepTemps removes temp files of casefile processes on this host that no
// longer run: evidence copies and index files of a killed writer.
func (r *Repo) sweepTemps() {
	if !canRecover {
		return
	}
	entries, err := os.ReadDir(r.gitDir)
	if err != nil {
		return
	}
	tag := hostTag()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(name, tempPrefix), "-")
		if len(parts) != 4 || parts[1] != tag {
			continue
		}
		pid, err := strconv.Atoi(parts[2])
		if err != nil || pid == os.Getpid() || !processDead(pid) {
			continue
		}
		os.Remove(filepath.Join(r.gitDir, name))
	}
}

// removeWorktreeTemps removes the temp files writeWorktreeFile may have
// left next to p when its writer was killed mid-write.
func removeWorktreeTemps(root, p string) {
	target := filepath.Join(root, filepath.FromSlash(p))
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(target), "."+globEscape(filepath.Base(target))+".casefile-*.tmp"))
	for _, m := range matches {
		os.Remove(m)
	}
}

func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
