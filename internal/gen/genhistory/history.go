// Package genhistory makes records repositories whose history is many
// signed commits, for benchmarks of verify and history: gen makes the
// records, this package commits and signs them.
package genhistory

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/store"
)

// Options configure Generate.
type Options struct {
	// Commits is the number of signed commits; 0 means 1000. The first
	// holds casefile.yaml and the trust file, each later one files one
	// record (with its evidence files), in order of the records' IDs.
	Commits int
	// Seed selects the records, as gen.Options.Seed does.
	Seed uint64
	// KeyFile is where the SSH signing key, made for the history, is
	// written (mode 0600; the public key goes to KeyFile.pub), so that
	// git and casefile can sign more commits in the repository later.
	KeyFile string
	// Name and Email are the author and the signer's principal; defaults
	// "Bench Analyst" and analyst@example.com.
	Name, Email string
}

// History describes a generated history.
type History struct {
	Commits int
	// Records maps each record ID to its repository path.
	Records map[string]string
	// AllowedSigners is the trust file's path in the repository.
	AllowedSigners string
	// Signer is the key every commit is signed with.
	Signer custody.KeySigner
}

// Generate makes a records repository at dir (which must not exist
// or be empty) whose history is opts.Commits commits, each signed in-process
// with an SSH key made for it (casefile's signer, the signature git commit
// -S makes) and trusted by .casefile/allowed_signers. The records are those
// Generate writes for Commits-1 records; author times rise one commit at a
// time from 2019 to before gen.DefaultNow. The work tree holds the files of the
// last commit; the index is not written (git reset -q writes it).
//
// The objects are written here, loose and without fsync, rather than
// through store's write path, which makes each commit durable with several
// fsyncs: right for a record, minutes of waiting for a fixture of 10,000
// commits.
func Generate(dir string, opts Options) (*History, error) {
	if opts.Commits == 0 {
		opts.Commits = 1000
	}
	if opts.Commits < 2 {
		return nil, fmt.Errorf("gen: a history needs at least 2 commits, not %d", opts.Commits)
	}
	if opts.KeyFile == "" {
		return nil, fmt.Errorf("gen: no KeyFile for the history's signing key")
	}
	if opts.Name == "" {
		opts.Name = "Bench Analyst"
	}
	if opts.Email == "" {
		opts.Email = "analyst@example.com"
	}
	signer, err := MakeSSHKey(opts.KeyFile, opts.Email)
	if err != nil {
		return nil, err
	}
	pub, err := signer.PublicKey()
	if err != nil {
		return nil, err
	}

	staging := dir + ".records"
	if err := os.RemoveAll(staging); err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	if err := gen.Generate(staging, gen.Options{Records: opts.Commits - 1, Seed: opts.Seed, EvidenceFiles: true}); err != nil {
		return nil, err
	}
	byRecord, err := stagedFiles(staging)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(byRecord))
	for id := range byRecord {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	repo, err := store.Init(dir)
	if err != nil {
		return nil, err
	}
	branch, err := repo.Branch()
	if err != nil {
		return nil, err
	}
	cfg, err := os.ReadFile(filepath.Join(staging, config.FileName))
	if err != nil {
		return nil, err
	}
	const trust = ".casefile/allowed_signers"
	trustLine := []byte(fmt.Sprintf("%s namespaces=\"git\" %s\n", opts.Email, pub))
	start := time.Date(gen.FirstYear, 1, 1, 9, 0, 0, 0, time.UTC)
	step := gen.DefaultNow.Add(-24*time.Hour).Sub(start) / time.Duration(opts.Commits)
	w, err := newObjectWriter(repo.GitDir())
	if err != nil {
		return nil, err
	}
	defer w.pack.Abort() // a no-op once finished
	h := &History{Commits: opts.Commits, Records: map[string]string{}, AllowedSigners: trust, Signer: signer}
	commit := func(i int, files map[string][]byte, msg string) error {
		for p, data := range files {
			if err := w.add(p, data); err != nil {
				return err
			}
		}
		who := fmt.Sprintf("%s <%s> %d +0000", opts.Name, opts.Email, start.Add(time.Duration(i)*step).Unix())
		return w.commit(who, msg, signer)
	}
	err = commit(0, map[string][]byte{
		config.FileName: cfg,
		trust:           trustLine,
	}, "casefile: initialise the Security Incident Log\n\nCasefile-Action: init\n")
	if err != nil {
		return nil, fmt.Errorf("gen: first commit: %w", err)
	}
	for i, id := range ids {
		files := map[string][]byte{}
		for _, rel := range byRecord[id] {
			data, err := os.ReadFile(filepath.Join(staging, filepath.FromSlash(rel)))
			if err != nil {
				return nil, err
			}
			files[rel] = data
			if strings.HasPrefix(rel, config.RecordsDir+"/") {
				h.Records[id] = rel
			}
		}
		msg := fmt.Sprintf("%s: report\n\nCasefile-Record: %s\nCasefile-Action: create\n", id, id)
		if err := commit(i+1, files, msg); err != nil {
			return nil, fmt.Errorf("gen: committing %s: %w", id, err)
		}
	}
	if err := w.finish(); err != nil {
		return nil, fmt.Errorf("gen: writing the pack: %w", err)
	}
	// The work tree: the staged files, and the trust file.
	for _, name := range []string{config.FileName, config.RecordsDir, "evidence"} {
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, ".casefile"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(trust)), trustLine, 0o644); err != nil {
		return nil, err
	}
	ref := filepath.Join(repo.GitDir(), "refs", "heads", filepath.FromSlash(branch))
	if err := os.MkdirAll(filepath.Dir(ref), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(ref, []byte(w.head+"\n"), 0o644); err != nil {
		return nil, err
	}
	return h, nil
}

// stagedFiles groups the generated files by record ID: records/<year>/<ID>.yaml
// and evidence/<ID>/….
func stagedFiles(dir string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, top := range []string{config.RecordsDir, "evidence"} {
		root := filepath.Join(dir, top)
		if _, err := os.Stat(root); os.IsNotExist(err) {
			continue
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			parts := strings.Split(rel, "/")
			var id string
			switch {
			case top == config.RecordsDir && strings.HasSuffix(rel, ".yaml"):
				id = strings.TrimSuffix(parts[len(parts)-1], ".yaml")
			case top == "evidence" && len(parts) >= 3:
				id = parts[1]
			default:
				return nil
			}
			out[id] = append(out[id], rel)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MakeSSHKey makes an ed25519 key, writes it in OpenSSH format to path and
// its public key to path.pub, and returns casefile's signer for it.
func MakeSSHKey(path, comment string) (custody.KeySigner, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	sshPub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(sshPub), 0o644); err != nil {
		return nil, err
	}
	return custody.NewSigner(&custody.GitConfig{Format: "ssh", SigningKey: path}, custody.Options{})
}
