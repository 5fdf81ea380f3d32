#!/usr/bin/python3
"""Validate casefile records with Debian's python3-jsonschema: the peer that
casefile's benchmarks (bench/run.sh, cmd/casefile-bench) compare `casefile lint`
against.

usage: pyvalidate.py SCHEMA.json DIR...

Every *.yaml / *.yml file under each DIR (hidden folders skipped, as casefile
lint does) is parsed with PyYAML's C SafeLoader, minus the implicit timestamp
resolver so that timestamps and dates stay the strings written (casefile's data
model, and what the schema's `type: string` expects), then validated with
Draft202012Validator and a format checker. jsonschema 4.10 (Debian bookworm)
checks `date-time` only with the rfc3339-validator package, which Debian does not
ship; an equivalent RFC 3339 check is registered here so that the peer checks
every format the schema uses. Prints one line per invalid file and a summary on
stderr; exit status 1 when a file is invalid or unreadable.
"""

import datetime
import json
import os
import re
import sys

import jsonschema
import yaml

try:
    _Base = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Base = yaml.SafeLoader


class StringTimestampLoader(_Base):
    """SafeLoader that keeps timestamps and dates as strings."""


StringTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)

format_checker = jsonschema.Draft202012Validator.FORMAT_CHECKER


@format_checker.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def record_files(root):
    if os.path.isfile(root):
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) and name != "casefile.yaml":
                yield os.path.join(dirpath, name)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema, format_checker=format_checker)
    files = invalid = 0
    for root in argv[2:]:
        for path in record_files(root):
            files += 1
            try:
                with open(path, encoding="utf-8") as f:
                    data = yaml.load(f, Loader=StringTimestampLoader)
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
                invalid += 1
                print(f"{path}: unreadable: {e}")
                continue
            errors = list(validator.iter_errors(data))
            if errors:
                invalid += 1
                first = min(errors, key=lambda e: list(e.absolute_path))
                where = "/".join(str(p) for p in first.absolute_path)
                print(f"{path}: {len(errors)} errors, first at /{where}: {first.message}")
    print(f"pyvalidate: {files} files checked, {invalid} invalid", file=sys.stderr)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
