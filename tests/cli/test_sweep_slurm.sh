#!/usr/bin/env bash
# test_sweep_slurm.sh: the Slurm job-array recipe of docs/sweeps.md on a
# one-node cluster brought up here: slurmctld and slurmd in the foreground
# under a private configuration (auth/none, ports chosen for this run, state
# and logs in a temporary folder), a 4-task array of shards through
# `sbatch --array --wait`, merged, compared byte for byte with the
# unsharded sweep; both daemons are stopped on exit. Skips (77) with the
# reason when slurm-wlm is not installed, when not root, or when the
# daemons do not come up within 30 seconds. Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
for b in slurmctld slurmd sbatch sinfo; do
  if ! command -v "$b" >/dev/null 2>&1; then
    echo "SKIP: $b is not installed (Debian package slurm-wlm)"
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: bringing up slurmd needs root"
  exit 77
fi
tmp="${SLAB_TMP:-/tmp}/sweep_slurm.$$"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"

# Two free TCP ports for this run.
read -r p1 p2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
host="$(hostname -s)"
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=slabtest
SlurmctldHost=$host
SlurmctldPort=$p1
SlurmdPort=$p2
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=slab Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 60); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then up=1; break; fi
  sleep 0.5
done
if [ "$up" -ne 1 ]; then
  echo "SKIP: the one-node Slurm cluster did not come up within 30 seconds"
  tail -5 "$tmp/slurmctld.log" "$tmp/slurmd.log" 2>/dev/null
  exit 77
fi

"$cli" data sample --symbol SAMPLE --bars 500 --seed 4 --out "$tmp/work/data.csv" >/dev/null 2>&1
cd "$tmp/work" || exit 1
# The recipe's sweep.sbatch (docs/sweeps.md) with a smaller grid: 16 combinations.
cat >sweep.sbatch <<EOF
#!/bin/bash
#SBATCH --array=1-4
#SBATCH --cpus-per-task=1
#SBATCH --output=slurm-%A_%a.out
"$cli" sweep --strategy sma_cross --data data.csv --param fast=5:20:5 --param slow=30:60:10 \\
    --jobs "\$SLURM_CPUS_PER_TASK" --shard "\$SLURM_ARRAY_TASK_ID/\$SLURM_ARRAY_TASK_COUNT" \\
    --out "part-\$SLURM_ARRAY_TASK_ID.jsonl"
EOF
check "sbatch --wait ran the array" timeout 120 sbatch --wait --quiet sweep.sbatch
check "4 shard files" test "$(ls part-*.jsonl 2>/dev/null | wc -l)" -eq 4
"$cli" sweep merge part-*.jsonl --out all.jsonl
check "merge exit 0" test $? -eq 0
"$cli" sweep --strategy sma_cross --data data.csv --param fast=5:20:5 --param slow=30:60:10 \
  --out one.jsonl
check "merged array shards = one machine's sweep, byte for byte" cmp -s all.jsonl one.jsonl
check "16 lines" test "$(wc -l <one.jsonl)" -eq 16
[ "$fail" -eq 0 ] || tail -5 slurm-*.out "$tmp/slurmctld.log" "$tmp/slurmd.log" 2>/dev/null
finish
