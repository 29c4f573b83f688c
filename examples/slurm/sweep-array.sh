#!/bin/bash
# A large capsim sweep as a Slurm job array: task i (1..N) runs shard i of N
# and writes sweep.part-i-of-N.json; a dependent job merges the parts.
#
#   sbatch examples/slurm/sweep-array.sh
#
# Submitting this script submits the merge job too (see the end). Run it from
# the repository root, with capsim built (cargo build --release) on a shared
# filesystem.
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

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  echo "submit with sbatch: SLURM_ARRAY_TASK_ID is not set" >&2
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

# The first task submits the merge, to run once every task has succeeded.
if [ "${SLURM_ARRAY_TASK_ID}" = "1" ]; then
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" \
    --job-name=capsim-merge --time=00:10:00 --output=results/slurm-merge-%j.out \
    --wrap="$CAPSIM merge $OUT/sweep.part-*-of-${SHARDS}.json --out $OUT/merged"
fi
