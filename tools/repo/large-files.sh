#!/usr/bin/env bash
# Lists tracked files larger than the limit (default 2 MB) and exits 1 if there are any: the
# repository keeps no build outputs, dumps or large data (a 56 MB core dump was once committed).
# Usage: bash tools/repo/large-files.sh [LIMIT_BYTES]
set -euo pipefail
cd "$(dirname "$0")/../.."
limit="${1:-2097152}"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "large-files: $(pwd) is not a git checkout" >&2
  exit 2
fi
big=$(git ls-files -z | xargs -0 -r stat -c '%s %n' 2>/dev/null | awk -v limit="$limit" '$1 > limit' || true)
if [ -n "$big" ]; then
  echo "tracked files over $limit bytes:" >&2
  echo "$big" >&2
  exit 1
fi
