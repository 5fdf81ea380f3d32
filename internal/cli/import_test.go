package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/testtools"
)

// verisRepo is gitRepo for tests and benchmarks alike: a records
// repository with an SSH signing key in a temporary HOME, and a git that
// runs with the same environment.
func verisRepo(tb testing.TB) (env *Env, git func(args ...string) string) {
	tb.Helper()
	testtools.Require(tb, "git", "ssh-keygen")
	home := tb.TempDir()
	dir := filepath.Join(tb.TempDir(), "log")
	vars := map[string]string{"HOME": home, "GIT_CONFIG_GLOBAL": filepath.Join(home, ".gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
	run := func(wd, name string, args ...string) string {
		cmd := exec.Command(name, args...)
		cmd.Dir = wd
		cmd.Env = os.Environ()
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			tb.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run(home, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(home, "id"))
	run(home, "git", "config", "--global", "user.name", "Alice Lead")
	run(home, "git", "config", "--global", "user.email", "alice@example.com")
	run(home, "git", "config", "--global", "gpg.format", "ssh")
	run(home, "git", "config", "--global", "user.signingkey", filepath.Join(home, "id.pub"))
	var stderr bytes.Buffer
	env = &Env{
		Stdin: strings.NewReader(""), Stdout: new(bytes.Buffer), Stderr: &stderr,
		Getenv: func(k string) string { return vars[k] },
		Now:    func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) },
		Dir:    filepath.Dir(dir),
	}
	if code := Run(context.Background(), env, []string{"init", "log"}); code != 0 {
		tb.Fatalf("init: exit %d: %s", code, stderr.String())
	}
	env.Dir = dir
	return env, func(args ...string) string { return run(dir, "git", args...) }
}

func runCLI(env *Env, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	env.Stdout, env.Stderr = &out, &errOut
	code = Run(context.Background(), env, args)
	return code, out.String(), errOut.String()
}

// vcdbDir holds the real VCDB incidents of internal/veris's tests (CC
// BY-SA 4.0, see its ATTRIBUTION.md).
var vcdbDir = func() string {
	p, err := filepath.Abs("../veris/testdata/vcdb")
	if err != nil {
		panic(err)
	}
	return p
}()

// TestImportBadFiles: files no importer should trust are named with their
// line and column and skipped, and the rest of the batch is imported; with
// --strict the batch is refused whole and nothing is committed.
func TestImportBadFiles(t *testing.T) {
	env, git := verisRepo(t)
	in := t.TempDir()
	good, err := os.ReadFile(filepath.Join(vcdbDir, "0001AA7F-C601-424A-B2B8-BE6C9F5164E7.json"))
	if err != nil {
		t.Fatal(err)
	}
	huge := bytes.Repeat([]byte(" "), 20<<20)
	huge[0], huge[len(huge)-1] = '{', '}'
	files := map[string][]byte{
		"good.json":   good,
		"latin1.json": []byte("{\n \"summary\": \"caf\xe9\"\n}\n"),
		"huge.json":   huge,
		"nul.json":    []byte("{\"summary\": \"a\x00b\"}"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(in, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(in, "good.json"), filepath.Join(in, "link.json")); err != nil {
		t.Fatal(err)
	}
	before := git("rev-parse", "HEAD")

	code, _, stderr := runCLI(env, "import", "veris", "--strict", in)
	if code != ExitFindings || git("rev-parse", "HEAD") != before {
		t.Fatalf("--strict: exit %d, HEAD moved %v:\n%s", code, git("rev-parse", "HEAD") != before, stderr)
	}
	if !strings.Contains(stderr, "would import 1 of 5 VERIS files, 4 skipped; nothing committed (--strict)") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if out := git("status", "--porcelain"); out != "" {
		t.Errorf("work tree changed by a refused import:\n%s", out)
	}

	code, _, stderr = runCLI(env, "import", "veris", in)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{
		"latin1.json:2:17: invalid UTF-8 byte 0xe9",
		"huge.json: file is 20971520 bytes; a VERIS file may be at most 8388608 bytes",
		"nul.json:1:13: invalid JSON: invalid character '\\x00' in string literal",
		"link.json: not a regular file (a symbolic link?)",
		"imported 1 of 5 VERIS files, 4 skipped in commit",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if got := git("log", "-1", "--format=%s"); got != "import veris — 1 record from 5 files\n" {
		t.Errorf("subject %q", got)
	}
	// A symbolic link named on the command line is read like any file.
	code, _, stderr = runCLI(env, "import", "veris", filepath.Join(in, "link.json"))
	if code != 0 || !strings.Contains(stderr, "already imported as INC-2010-0001") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}

// TestImportIDs: numbers continue after the highest in use for the
// incident's year, at HEAD and on other branches, and a second import
// in the same year counts on from the first.
func TestImportIDs(t *testing.T) {
	env, git := verisRepo(t)
	// A record of 2010 filed on a branch that is not merged yet.
	git("switch", "-q", "-c", "pending")
	p := filepath.Join(env.Dir, "records", "2010", "INC-2010-0007.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("id: INC-2010-0007\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "pending record")
	git("switch", "-q", "main")

	code, _, stderr := runCLI(env, "import", "veris", "--format", "json", filepath.Join(vcdbDir, "0001AA7F-C601-424A-B2B8-BE6C9F5164E7.json"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	code, stdout, stderr := runCLI(env, "import", "veris", "--format", "json",
		filepath.Join(vcdbDir, "005C42A3-3FE8-47B5-866B-AFBB5E3F5B95.json"), filepath.Join(vcdbDir, "0096EF99-D9CB-4869-9F3D-F4E0D84F419B.json"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	var sum importSummary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	var ids []string
	for _, r := range sum.Results {
		ids = append(ids, r.ID)
	}
	// 005C42A3 is reported 2010-10-04 (detected after the incident),
	// 0096EF99 on 2010-12-20: in report order.
	if strings.Join(ids, " ") != "INC-2010-0009 INC-2010-0010" || sum.Imported != 2 || sum.Commit == "" {
		t.Errorf("ids %v, summary %+v", ids, sum)
	}
	if _, err := os.Stat(filepath.Join(env.Dir, "records", "2010", "INC-2010-0008.yaml")); err != nil {
		t.Errorf("the first import did not take INC-2010-0008: %v", err)
	}
}

// benchFiles writes n VERIS files made from the real VCDB ones, each with
// its own IDs and incident date, into a new directory.
func benchFiles(tb testing.TB, n int) string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(vcdbDir, "*"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no VCDB files: %v", err)
	}
	var srcs []map[string]any
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			tb.Fatal(err)
		}
		srcs = append(srcs, m)
	}
	dir := tb.TempDir()
	for i := 0; i < n; i++ {
		m := srcs[i%len(srcs)]
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		m["incident_id"] = id
		plus, _ := m["plus"].(map[string]any)
		if plus == nil {
			plus = map[string]any{}
			m["plus"] = plus
		}
		plus["master_id"] = fmt.Sprintf("%08x-1111-4111-8111-%012x", i, i)
		tl, _ := m["timeline"].(map[string]any)
		if tl == nil {
			tl = map[string]any{}
			m["timeline"] = tl
		}
		tl["incident"] = map[string]any{"year": json.Number(fmt.Sprint(2010 + i%15)), "month": json.Number(fmt.Sprint(1 + i%12)), "day": json.Number(fmt.Sprint(1 + i%28))}
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".json"), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// BenchmarkImport imports 10,000 VERIS files (generated from the 38 real
// VCDB incidents, with their own IDs and dates) into a fresh repository in
// one signed batch commit. The dry-run case is the same work without the
// commit: reading, mapping, numbering, rendering and linting every record.
func BenchmarkImport(b *testing.B) {
	const n = 10000
	dir := benchFiles(b, n)
	for _, mode := range []struct {
		name string
		args []string
	}{{"commit", nil}, {"dry-run", []string{"--dry-run"}}} {
		b.Run(fmt.Sprintf("files=%d/%s", n, mode.name), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				env, _ := verisRepo(b)
				b.StartTimer()
				args := append([]string{"import", "veris"}, mode.args...)
				code, _, stderr := runCLI(env, append(args, dir)...)
				if code != 0 || !strings.Contains(stderr, fmt.Sprintf(" %d of %d VERIS files", n, n)) {
					b.Fatalf("exit %d:\n%s", code, stderr)
				}
			}
		})
	}
}
