#!/usr/bin/env bash
# A throwaway single-node Slurm on this Debian machine, for the cluster tests and for trying `--executor slurm`
# without a cluster: Debian's slurmctld, slurmd, slurm-client and munge, run as root without systemd.
#
#   scripts/slurm-local.sh start    install what is missing, write the configuration, start munged, slurmctld
#                                   and slurmd, and wait until the node is idle (exit 1 with the reason if not)
#   scripts/slurm-local.sh status   sinfo and squeue
#   scripts/slurm-local.sh stop     cancel every job and stop the daemons
#
# Needs root (packages, /etc/slurm, /etc/munge). The configuration is the smallest that runs jobs: no
# accounting, process tracking by /proc (no cgroups), SlurmUser root, one partition `local` holding this
# node as `slurmd -C` describes it, cores handed out one per task so that tasks run side by side.
set -euo pipefail

state=/var/lib/gfe-slurm
conf=/etc/slurm/slurm.conf

die() { echo "slurm-local: $*" >&2; exit 1; }

install_packages() {
  local missing=()
  for tool in slurmctld slurmd sbatch munged; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  ((${#missing[@]})) || return 0
  ((EUID == 0)) || die "needs root to install slurmctld, slurmd, slurm-client and munge (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
}

start_munge() {
  mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
  chmod 0700 /etc/munge /var/lib/munge /var/log/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
    die "munged did not start (see /var/log/munge/munged.log)"
  fi
}

write_configuration() {
  local host node
  host=$(hostname -s)
  node=$(slurmd -C | sed -n 's/^\(NodeName=.*\)$/\1/p' | sed 's/ UpTime=.*//')
  [[ -n $node ]] || die "slurmd -C did not describe this node"
  mkdir -p /etc/slurm "$state/ctld" "$state/d" /var/log/slurm
  cat >"$conf" <<CONF
# Written by scripts/slurm-local.sh: a throwaway single-node cluster.
ClusterName=gfe-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
$node State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

running() { pgrep -x "$1" >/dev/null; }

start() {
  ((EUID == 0)) || die "needs root (it writes $conf and starts the daemons)"
  install_packages
  start_munge
  write_configuration
  running slurmctld || slurmctld
  running slurmd || slurmd
  for _ in $(seq 100); do
    local s
    s=$(sinfo -h -o %T 2>/dev/null | head -1)
    if [[ $s == idle || $s == mixed || $s == allocated ]]; then
      echo "slurm-local: node $(hostname -s) is $s ($(sinfo -h -o %c) CPUs, partition local)"
      return 0
    fi
    sleep 0.3
  done
  die "the node did not become idle within 30 s (state: ${s:-none}); see /var/log/slurm/slurmctld.log and slurmd.log"
}

stop() {
  command -v scancel >/dev/null && scancel --user=root 2>/dev/null || true
  for daemon in slurmd slurmctld; do pkill -x "$daemon" 2>/dev/null || true; done
  for _ in $(seq 50); do running slurmctld || running slurmd || break; sleep 0.1; done
  echo "slurm-local: stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) sinfo; squeue ;;
  *) die "usage: scripts/slurm-local.sh start|status|stop" ;;
esac
