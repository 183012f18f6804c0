#!/usr/bin/env bash
# Error style (issue 9, docs/developing.md "Errors"): every error a user can cause has an SQLSTATE
# other than XX, a hint, and in SQL a condition name. Fails on
#   - C: an elog(ERROR ...) without an "internal:" comment on its line or the line before (an
#     elog is internal by definition: SQLSTATE XX000; use ereport for anything a user can reach),
#   - C: an ereport(ERROR ...) without errcode(...) or errhint(...), or with an XX errcode,
#   - SQL: a RAISE EXCEPTION without HINT or without ERRCODE, or with a numeric SQLSTATE
#     (ERRCODE = '22023': write the condition name, 'invalid_parameter_value'), and _fail('22023', ...).
set -euo pipefail
ROOT=${BM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
python3 - "$ROOT" <<'PY'
import glob, re, sys
root = sys.argv[1]
bad = []
for p in sorted(glob.glob(root + "/extension/*.c")):
    src = open(p).read()
    lines = src.split("\n")
    for i, l in enumerate(lines):
        if "elog(ERROR" in l and "internal:" not in l and not (i and "internal:" in lines[i - 1]):
            bad.append("%s:%d: elog(ERROR) without an 'internal:' comment: %s" % (p[len(root) + 1:], i + 1, l.strip()))
    for m in re.finditer(r"ereport\(\s*ERROR\s*,", src):
        depth, j = 0, m.end() - 1
        while True:  # the ereport's argument list, up to its closing parenthesis
            j += 1
            if src[j] == "(":
                depth += 1
            elif src[j] == ")":
                if depth == 0:
                    break
                depth -= 1
        body = src[m.start():j]
        line = src.count("\n", 0, m.start()) + 1
        prev = lines[line - 2] if line > 1 else ""
        if "internal:" in prev:
            continue
        where = "%s:%d" % (p[len(root) + 1:], line)
        if "errcode(" not in body:
            bad.append(where + ": ereport(ERROR) without errcode (it would be XX000)")
        elif re.search(r"ERRCODE_(INTERNAL_ERROR|DATA_CORRUPTED|INDEX_CORRUPTED)", body):
            bad.append(where + ": ereport(ERROR) with an internal (XX) errcode")
        if "errhint(" not in body:
            bad.append(where + ": ereport(ERROR) without errhint")
for p in sorted(glob.glob(root + "/extension/sql/*.sql")):
    src = open(p).read()
    for m in re.finditer(r"RAISE\s+EXCEPTION\b(.*?);", src, re.S | re.I):
        stmt = m.group(0)
        where = "%s:%d" % (p[len(root) + 1:], src.count("\n", 0, m.start()) + 1)
        if not re.search(r"\bHINT\s*=", stmt, re.I):
            bad.append(where + ": RAISE EXCEPTION without HINT")
        if not re.search(r"\bERRCODE\s*=", stmt, re.I):
            bad.append(where + ": RAISE EXCEPTION without ERRCODE")
        elif re.search(r"\bERRCODE\s*=\s*'[0-9A-Z]{5}'", stmt) and re.search(r"ERRCODE\s*=\s*'[^']*[0-9]", stmt):
            bad.append(where + ": RAISE EXCEPTION with a numeric SQLSTATE; use its condition name")
    for m in re.finditer(r"_fail\(\s*'([^']*)'", src):
        if not re.fullmatch(r"[a-z_]+", m.group(1)):
            bad.append("%s:%d: _fail with SQLSTATE '%s'; use its condition name"
                       % (p[len(root) + 1:], src.count("\n", 0, m.start()) + 1, m.group(1)))
for b in bad:
    print(b)
print("error_style: %d problem(s)" % len(bad))
sys.exit(1 if bad else 0)
PY
