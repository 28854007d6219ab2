#!/bin/bash
# The race matrix with a large budget, in shards that can run across sessions or machines:
#   bash tools/race/large-matrix.sh OUT [SHARDS] [SCHEDULES] [PARALLEL]
# runs `rvsmp race --shard K/SHARDS --budget SCHEDULES --json` for K = 1..SHARDS (default 50 x 2,000:
# 100,000 schedules per fixed cell), PARALLEL shards at a time on one worker each (default: the
# number of cores), writing OUT/shard-K-of-SHARDS.json. A shard already written is skipped, so the
# command resumes where it stopped. A shard may exit 1 (a rare race not found among its seeds): its
# results are kept all the same, and the merge at the end decides (its exit status is this script's).
# RVSMP may name another build of the CLI (default: dist/cli.js, built by npm run build).
set -u
out=${1:?usage: large-matrix.sh OUT [SHARDS] [SCHEDULES] [PARALLEL]}
shards=${2:-50}
budget=${3:-2000}
parallel=${4:-$(nproc)}
cli=${RVSMP:-dist/cli.js}
mkdir -p "$out"
run_shard() {
  local k=$1 file="$out/shard-$1-of-$shards.json" t0=$SECONDS
  [ -s "$file" ] && return 0
  node "$cli" race --shard "$k/$shards" --budget "$budget" --json --jobs 1 > "$file.part" 2> "$file.err"
  # Complete when the summary line is there; a shard cut short is run again next time.
  if tail -n 1 "$file.part" | grep -q '"summary":true'; then
    mv "$file.part" "$file"
    rm -f "$file.err"
    echo "shard $k/$shards done in $(( (SECONDS - t0) / 60 )) min; $(ls "$out"/shard-*-of-"$shards".json | wc -l) of $shards complete" >&2
  else
    echo "shard $k/$shards cut short (see $file.err); it runs again next time" >&2
  fi
}
export -f run_shard
export out shards budget cli
seq 1 "$shards" | xargs -P "$parallel" -I{} bash -c 'run_shard {}'
missing=$(for k in $(seq 1 "$shards"); do [ -s "$out/shard-$k-of-$shards.json" ] || echo "$k"; done)
if [ -n "$missing" ]; then
  echo "shards not complete: $(echo $missing)" >&2
  exit 2
fi
node "$cli" race --merge "$out"/shard-*-of-"$shards".json
