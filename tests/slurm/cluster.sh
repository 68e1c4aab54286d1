#!/usr/bin/env bash
# A real one-node Slurm cluster for the tests, from Debian 12's slurm-wlm and
# munge packages, without systemd (the packages cannot start their services
# here). Everything lives in DIR: config, keys, sockets, state, logs, pid files.
#
#   tests/slurm/cluster.sh start DIR   start munged, slurmctld, slurmd; wait until the node is idle
#   tests/slurm/cluster.sh stop DIR    cancel every job, stop the daemons by their pid files
#
# Clients (sbatch, squeue, conclab batch --backend slurm) need `. DIR/env`
# (SLURM_CONF: the config is not in /etc/slurm).
#
# Needs root (slurmd must be root to start jobs as their users; CI runs as
# root). Refuses to start next to another Slurm: two controllers on one host
# would fight over the node, and stopping must touch only what we started.
set -euo pipefail

cmd=${1:-}
DIR=${2:-}
[ -n "$cmd" ] && [ -n "$DIR" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd)
CTLD_PORT=${CONCLAB_SLURMCTLD_PORT:-16817}
SLURMD_PORT=${CONCLAB_SLURMD_PORT:-16818}

die() { echo "tests/slurm/cluster.sh: $*" >&2; exit 1; }

# pid of a daemon we started, if it still runs as that program (a pid file can
# outlive its process and the pid be reused: check /proc/PID/comm)
live_pid() {  # live_pid PIDFILE COMM
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1" 2> /dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ "$(cat /proc/"$pid"/comm 2> /dev/null)" = "$2" ] || return 1
  echo "$pid"
}

stop_pid() {  # stop_pid PID: TERM, wait up to 10 s, then KILL
  local pid=$1
  kill -TERM "$pid" 2> /dev/null || return 0
  for _ in $(seq 1 100); do
    [ -d /proc/"$pid" ] || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2> /dev/null || true
}

# slurmstepd processes of our slurmd: they carry our SLURM_CONF in their
# environment (slurmd passes its own on). Identified by pid, never by name alone.
our_stepds() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2> /dev/null)" = slurmstepd ] || continue
    tr '\0' '\n' < "$p/environ" 2> /dev/null | grep -qx "SLURM_CONF=$DIR/etc/slurm.conf" && basename "$p"
  done
  return 0
}

stop() {
  if [ -f "$DIR/env" ]; then
    # shellcheck disable=SC1091
    . "$DIR/env"
    if live_pid "$DIR/run/slurmctld.pid" slurmctld > /dev/null; then
      jobs=$(squeue -h -o %A 2> /dev/null || true)
      [ -z "$jobs" ] || scancel $jobs 2> /dev/null || true
    fi
  fi
  local pid
  if pid=$(live_pid "$DIR/run/slurmd.pid" slurmd); then stop_pid "$pid"; fi
  for pid in $(our_stepds); do stop_pid "$pid"; done
  if pid=$(live_pid "$DIR/run/slurmctld.pid" slurmctld); then stop_pid "$pid"; fi
  if pid=$(live_pid "$DIR/munge/munged.pid" munged); then stop_pid "$pid"; fi
  left=""
  live_pid "$DIR/run/slurmd.pid" slurmd > /dev/null && left+=" slurmd"
  live_pid "$DIR/run/slurmctld.pid" slurmctld > /dev/null && left+=" slurmctld"
  live_pid "$DIR/munge/munged.pid" munged > /dev/null && left+=" munged"
  [ -z "$(our_stepds)" ] || left+=" slurmstepd"
  [ -z "$left" ] || die "could not stop:$left"
  echo "slurm test cluster in $DIR stopped"
}

start() {
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmd starts jobs as their users); CI runs as root"
  for b in munged slurmctld slurmd sbatch squeue scancel srun scontrol; do
    command -v "$b" > /dev/null || [ -x /usr/sbin/"$b" ] ||
      die "$b is missing: install Debian's slurm-wlm and munge (bash ci/setup.sh does)"
  done
  # Already ours and running (a fixture re-run): stop it first, start clean.
  stop > /dev/null 2>&1 || true
  # Another Slurm on this host: refuse, and say which.
  local p others=""
  for p in /proc/[0-9]*; do
    case "$(cat "$p/comm" 2> /dev/null)" in
      slurmctld | slurmd | slurmdbd) others+=" $(cat "$p/comm") (pid $(basename "$p"))" ;;
    esac
  done
  [ -z "$others" ] || die "another Slurm is running on this host:$others; stop it first (the test starts its own one-node cluster)"
  if command -v ss > /dev/null; then
    for port in "$CTLD_PORT" "$SLURMD_PORT"; do
      ! ss -Hltn "sport = :$port" | grep -q . ||
        die "port $port is in use; set CONCLAB_SLURMCTLD_PORT / CONCLAB_SLURMD_PORT to free ones"
    done
  fi

  rm -rf "$DIR/etc" "$DIR/munge" "$DIR/run" "$DIR/state" "$DIR/spool" "$DIR/log"
  mkdir -p "$DIR/etc" "$DIR/munge" "$DIR/run" "$DIR/state" "$DIR/spool" "$DIR/log"
  # munged runs as user munge: it must reach its directory through every parent
  local d=$DIR
  while [ "$d" != / ]; do
    [ -x "$d" ] && runuser -u munge -- test -x "$d" 2> /dev/null ||
      die "user munge cannot enter $d (the cluster directory's parents must be world-searchable)"
    d=$(dirname "$d")
  done
  local sock=$DIR/munge/munge.socket.2
  [ ${#sock} -lt 100 ] || die "munge socket path too long (${#sock} > 100 bytes): use a shorter DIR"

  # ---- munge: its own key and socket (never the system's /etc/munge)
  dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chown -R munge:munge "$DIR/munge"
  chmod 0755 "$DIR/munge"      # clients (root here) connect to the socket in it
  chmod 0400 "$DIR/munge/munge.key"
  runuser -u munge -- /usr/sbin/munged --socket="$sock" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed" ||
    die "munged did not start: $(tail -n 5 "$DIR/munge/munged.log" 2> /dev/null)"

  # ---- slurm.conf: one node, this host, all its CPUs and most of its memory
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  cat > "$DIR/etc/slurm.conf" << EOF
# written by tests/slurm/cluster.sh: a throwaway one-node cluster
ClusterName=conclabtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# cgroup proctrack: a setsid double-forked child dies with its job (linuxproc lets it live)
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without these, array tasks start in 3 s steps
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# no slurmdbd: sacct has nothing; job ends are logged here and scontrol keeps them MinJobAge seconds
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MinJobAge=900
KillWait=5
ReturnToService=2
MpiDefault=none
SlurmdTimeout=60
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  cat > "$DIR/etc/cgroup.conf" << EOF
CgroupAutomount=yes
ConstrainRAMSpace=yes
ConstrainSwapSpace=yes
# the node's cores are not pinned: grading compares with the local backend,
# whose tests see every core
ConstrainCores=no
EOF
  cat > "$DIR/env" << EOF
export SLURM_CONF=$DIR/etc/slurm.conf
EOF
  export SLURM_CONF=$DIR/etc/slurm.conf

  /usr/sbin/slurmctld -f "$SLURM_CONF" -c || die "slurmctld did not start: $(tail -n 20 "$DIR/log/slurmctld.log" 2> /dev/null)"
  /usr/sbin/slurmd -f "$SLURM_CONF" || die "slurmd did not start: $(tail -n 20 "$DIR/log/slurmd.log" 2> /dev/null)"

  # `idle*` (or unknown) until slurmd has registered
  local state=""
  for _ in $(seq 1 300); do
    state=$(sinfo -h -n "$host" -o %T 2> /dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.1
  done
  if [ "$state" != idle ]; then
    echo "node state: '${state:-no answer}'" >&2
    tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
    stop || true
    die "the node did not become idle within 30 s"
  fi
  echo "slurm test cluster up in $DIR: node $host, $cpus CPUs, ${mem} MB (. $DIR/env for the clients)"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop DIR" ;;
esac
