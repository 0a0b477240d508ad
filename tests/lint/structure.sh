#!/bin/sh
# The house rules (doc/architecture.md): one module per third-party library, dependencies
# downstream only, no file cycles inside a module. See structure.py.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm not found"; exit 77; }
exec python3 "$top_srcdir/tests/lint/structure.py" "$top_srcdir" "$top_builddir"
