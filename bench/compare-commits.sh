#!/usr/bin/env bash
# Old code against new on this machine, in the same minutes: builds BASE in a temporary git
# worktree, then alternates `panopticon run` of BASE and of this checkout (one thread each) and
# prints the CPU seconds (user + sys) of every run and the new ÷ old ratio per preset. CPU time
# moves less than wall time on a shared host; alternating cancels most of the host's drift.
#
#   bash bench/compare-commits.sh BASE [POPULATION] [STEPS] [ROUNDS] [PRESET …]
#   bash bench/compare-commits.sh 3e02af0 2000000 60 2 national-blacklist high-intensity
#
# Needs `npm run build` here first (the script checks), GNU time (/usr/bin/time) and git.
set -euo pipefail
base=${1:?usage: compare-commits.sh BASE [POPULATION] [STEPS] [ROUNDS] [PRESET …]}
pop=${2:-2000000}
steps=${3:-60}
rounds=${4:-2}
shift $(( $# < 4 ? $# : 4 ))
presets=("${@:-national-blacklist}")
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$here/dist/src/cli/main.js" ] || { echo "run npm run build first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
sha=$(git -C "$here" rev-parse --short "$base")
tmp=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$here" worktree add --detach "$tmp/base" "$sha" >/dev/null 2>&1
ln -s "$here/node_modules" "$tmp/base/node_modules"
(cd "$tmp/base" && npx tsc -p tsconfig.build.json)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "old = $sha, new = $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet || echo '+changes'); $pop residents × $steps days, 1 thread, $rounds rounds"
for p in "${presets[@]}"; do
  old=0; new=0
  for r in $(seq 1 "$rounds"); do
    for side in old new; do
      dir=$here; [ $side = old ] && dir=$tmp/base
      /usr/bin/time -f "%U %S" -o "$tmp/t" node "$dir/dist/src/cli/main.js" run --preset "$p" --population "$pop" \
        --steps "$steps" --threads 1 --db "$tmp/$side-$p-$r.duckdb" --no-progress >"$tmp/out" 2>&1
      cpu=$(awk '{printf "%.2f", $1 + $2}' "$tmp/t")
      state=$(grep -E '^state' "$tmp/out" | sed -E 's/.*\(([0-9.]+) bytes\/agent\).*/\1/')
      echo "  $p round $r $side: $cpu CPU-s, state $state B/agent"
      if [ $side = old ]; then old=$(awk "BEGIN{print $old + $cpu}"); else new=$(awk "BEGIN{print $new + $cpu}"); fi
    done
  done
  echo "$p: old $old CPU-s, new $new CPU-s, new ÷ old $(awk "BEGIN{printf \"%.3f\", $new / $old}")"
done
