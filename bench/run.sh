#!/usr/bin/env bash
# bench/run.sh: `make bench`. Installs the peer validators the benchmarks
# compare casefile with, then runs the harness (cmd/casefile-bench), which
# builds casefile, generates the repositories, times everything and writes
# BENCHMARKS.md at the repository root.
#
#   BENCH_QUICK=1 make bench     # 1,000 and 10,000 records (about 5 minutes)
#   make bench                   # 10,000 and 100,000 records (< 20 minutes)
#
# Besides lint and its peers: casefile new/act vs git add + git commit -S,
# report trends, import veris of 10,000 VERIS files made from
# /work/shared/data/vcdb/json, and verify/history vs git log on a signed
# history (10,000 commits; 1,000 in quick mode), which git verifies with
# one ssh-keygen per commit (about 2.5 minutes for 10,000 here).
#   bash bench/run.sh -work /tmp/cfb -out /tmp/B.md   # flags go to the harness
#
# Peers: ajv-cli 5 + ajv-formats from npm (pinned in bench/package-lock.json,
# installed with npm ci into bench/node_modules), and Debian's
# python3-jsonschema + python3-yaml for /usr/bin/python3. A peer that cannot
# be installed is skipped and BENCHMARKS.md says so.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
if [ "${BENCH_QUICK:-}" = 1 ]; then
	args+=(-quick)
fi

if command -v npm >/dev/null 2>&1; then
	echo "bench: npm ci (ajv-cli, ajv-formats)" >&2
	(cd bench && npm ci --no-audit --no-fund --loglevel=error) ||
		echo "bench: npm ci failed; the ajv-cli pairs will be skipped" >&2
else
	echo "bench: npm not found; the ajv-cli pairs will be skipped" >&2
fi

if ! /usr/bin/python3 -c 'import jsonschema, yaml' >/dev/null 2>&1; then
	sudo=()
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then
		sudo=(sudo -n)
	fi
	if command -v apt-get >/dev/null 2>&1; then
		echo "bench: apt-get install python3-jsonschema python3-yaml" >&2
		{ "${sudo[@]}" apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq python3-jsonschema python3-yaml >/dev/null; } ||
			echo "bench: could not install python3-jsonschema; that pair will be skipped" >&2
	else
		echo "bench: no apt-get; the python3-jsonschema pair will be skipped" >&2
	fi
fi

exec go run ./cmd/casefile-bench -out BENCHMARKS.md "${args[@]}" "$@"
