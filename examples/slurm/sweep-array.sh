#!/bin/bash
# A large capsim sweep as a Slurm job array: task i (1..N) runs shard i of N
# and writes sweep.part-i-of-N.json; a merge job combines the parts.
#
#   bash examples/slurm/sweep-array.sh          # submits the array and the merge
#   bash examples/slurm/sweep-array.sh merge    # merge again after re-running a task
#
# Run it from the repository root, with capsim built (cargo build --release) on
# a shared filesystem. Run directly (not with sbatch) it creates results/ first:
# Slurm does not create the folder of --output, and a missing one fails every
# task before the script starts.
#
# Re-runs: the merge runs after the array whatever its outcome (afterany) and
# checks that every part is there. When a task failed, it names the shards to
# re-run and the commands; re-running a task overwrites only its own part, and
# the merge can be run as often as needed.
#SBATCH --job-name=capsim-sweep
#SBATCH --array=1-16
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
#SBATCH --output=results/slurm-%A_%a.out

set -euo pipefail

SHARDS=16 # keep equal to the --array range
CAPSIM=${CAPSIM:-./target/release/capsim}
OUT=${OUT:-results/sweep}

merge() {
  missing=()
  for k in $(seq 1 "$SHARDS"); do
    [ -f "$OUT/sweep.part-$k-of-$SHARDS.json" ] || missing+=("$k")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    list=$(IFS=,; echo "${missing[*]}")
    echo "missing parts for shards $list of $SHARDS; re-run them, then merge:" >&2
    echo "  sbatch --array=$list $0 && bash $0 merge" >&2
    exit 1
  fi
  "$CAPSIM" merge "$OUT"/sweep.part-*-of-"$SHARDS".json --out "$OUT/merged"
}

if [ "${1:-}" = "merge" ]; then
  merge
  exit
fi

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  # Not inside Slurm: create the output folders, submit the array, and the
  # merge to run once every task has ended (succeeded or not).
  command -v sbatch > /dev/null || { echo "sbatch not found: run on a Slurm login node" >&2; exit 2; }
  mkdir -p results "$OUT"
  jid=$(sbatch --parsable "$0")
  sbatch --dependency="afterany:${jid%%;*}" --job-name=capsim-merge --time=00:10:00 \
    --output=results/slurm-merge-%j.out --wrap="bash $0 merge"
  echo "submitted array job ${jid%%;*} and its merge"
  exit 0
fi

if [ ! -d results ]; then
  echo "results/ is missing: start with 'bash $0' from the repository root" >&2
  exit 2
fi

# Rayon uses the cores Slurm gave the task.
export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}

"$CAPSIM" sweep models/examples/web-stack.toml \
  --scenario scenarios/examples/web-day.toml \
  --set api.replicas=2..20 \
  --set db_pool.size=10..60:10 \
  --replications 10 \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --out "$OUT" --quiet
