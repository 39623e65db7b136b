#!/usr/bin/env bash
# Regenerate the figures shown in README.md and docs/guide.md from real runs:
#   npm run docs:figures
# Four regime presets, 100,000 residents for a year each (a few minutes in all on two cores),
# drawn by `panopticon report` (one run: ijop-xinjiang; three compared: the baseline, the
# national blacklist and the high-intensity regime); the chosen PNGs are copied to docs/figures/ and
# docs/figures/PROVENANCE.md records the commands, runs, version and commit behind them.
set -euo pipefail
cd "$(dirname "$0")/.."
# the commit behind the figures, read before anything is built (later edits do not change what ran)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | head -1)
npm run build --silent
P="node dist/src/cli/main.js"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/results.duckdb"
POP=100000
runid() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).runId))'; }

declare -A ID
PRESETS="baseline-no-surveillance national-blacklist high-intensity ijop-xinjiang"
for preset in $PRESETS; do
  echo "running $preset ($POP residents, 365 days)…" >&2
  ID[$preset]=$($P run --preset "$preset" --population "$POP" --db "$db" --json --no-progress | runid)
done

$P report "${ID[ijop-xinjiang]}" --db "$db" --figures "$tmp/run" --out "$tmp/run/report.html" >&2
$P report "${ID[baseline-no-surveillance]}" "${ID[national-blacklist]}" "${ID[high-intensity]}" \
  --db "$db" --figures "$tmp/compare" --out "$tmp/compare/report.html" >&2

out=docs/figures
mkdir -p "$out"
cp "$tmp/run/protest-share.png" "$out/run-protest-share.png"
cp "$tmp/run/harm-by-group.png" "$out/run-harm-by-group.png"
cp "$tmp/run/disparity.png" "$out/run-disparity.png"
cp "$tmp/run/detections-by-channel.png" "$out/run-detections-by-channel.png"
cp "$tmp/compare/compare-legitimacy.png" "$out/compare-legitimacy.png"
cp "$tmp/compare/compare-harm.png" "$out/compare-harm.png"
cp "$tmp/compare/compare-stability-ratio.png" "$out/compare-stability-ratio.png"

{
  echo "# Where the figures in README.md and docs/guide.md come from"
  echo
  echo "Written by \`npm run docs:figures\` (scripts/docs-figures.sh) with Panopticon $(node -p 'require("./package.json").version'),"
  echo "commit $commit${dirty:+ with uncommitted changes}, on $(date -u +%Y-%m-%d). Run it again after a model change."
  echo
  echo '```bash'
  for preset in $PRESETS; do
    echo "npx panopticon run --preset $preset --population $POP     # run ${ID[$preset]}"
  done
  echo "npx panopticon report ${ID[ijop-xinjiang]} --figures run/ --out run/report.html"
  echo "npx panopticon report ${ID[baseline-no-surveillance]} ${ID[national-blacklist]} ${ID[high-intensity]} --figures compare/ --out compare/report.html"
  echo '```'
  echo
  echo "| file | figure |"
  echo "| --- | --- |"
  echo "| run-protest-share.png | run/protest-share.png (ijop-xinjiang) |"
  echo "| run-harm-by-group.png | run/harm-by-group.png (ijop-xinjiang) |"
  echo "| run-disparity.png | run/disparity.png (ijop-xinjiang) |"
  echo "| run-detections-by-channel.png | run/detections-by-channel.png (ijop-xinjiang) |"
  echo "| compare-legitimacy.png | compare/compare-legitimacy.png |"
  echo "| compare-harm.png | compare/compare-harm.png |"
  echo "| compare-stability-ratio.png | compare/compare-stability-ratio.png |"
} > "$out/PROVENANCE.md"
echo "figures in $out (see $out/PROVENANCE.md)" >&2
