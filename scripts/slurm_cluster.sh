#!/usr/bin/env bash
# Start (or stop, or inspect) a one-node Slurm cluster on this machine, for tests and for trying the Slurm
# executor without a real cluster. Needs root and Debian's packages: slurmctld slurmd slurm-client munge
# (`scripts/slurm_cluster.sh install` installs them).
#
#   scripts/slurm_cluster.sh install   # apt-get install the packages
#   scripts/slurm_cluster.sh start     # write munge key + slurm.conf, start munged, slurmctld, slurmd; wait idle
#   scripts/slurm_cluster.sh status    # sinfo
#   scripts/slurm_cluster.sh stop
#
# The node gets all CPUs of this machine and its memory minus 1 GiB; one partition, "debug", the default.
# State lives in $SLURM_STATE_DIR (default /var/lib/smolcorpus-slurm).
set -euo pipefail

STATE_DIR=${SLURM_STATE_DIR:-/var/lib/smolcorpus-slurm}
CONF_DIR=/etc/slurm
HOST=$(hostname -s)

install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
}

write_config() {
    local cpus mem_mb
    cpus=$(nproc)
    mem_mb=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 1024 ))
    mkdir -p "$CONF_DIR" "$STATE_DIR"/{ctld,d,log}
    chown -R slurm:slurm "$STATE_DIR" 2>/dev/null || true
    cat > "$CONF_DIR/slurm.conf" <<CONF
# one-node test cluster written by smolcorpus scripts/slurm_cluster.sh
ClusterName=smolcorpus
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/d
SlurmctldPidFile=$STATE_DIR/slurmctld.pid
SlurmdPidFile=$STATE_DIR/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MaxArraySize=1001
MpiDefault=none
NodeName=$HOST CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
PartitionName=scoring Nodes=$HOST MaxTime=01:00:00 State=UP
CONF
}

start_munge() {
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    if ! pgrep -x munged >/dev/null; then
        if id munge >/dev/null 2>&1; then
            su -s /bin/sh munge -c "/usr/sbin/munged" || /usr/sbin/munged --force
        else
            /usr/sbin/munged --force
        fi
    fi
    munge -n | unmunge >/dev/null
}

start() {
    command -v slurmctld >/dev/null || { echo "slurmctld not installed: run '$0 install' (as root)" >&2; exit 1; }
    [ "$(id -u)" = 0 ] || { echo "starting Slurm daemons needs root" >&2; exit 1; }
    write_config
    start_munge
    pgrep -x slurmctld >/dev/null || slurmctld -i
    pgrep -x slurmd >/dev/null || slurmd
    for _ in $(seq 1 60); do
        if sinfo --noheader --format=%T 2>/dev/null | grep -qE '^idle|^mixed|^allocated'; then
            scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
            sinfo
            return 0
        fi
        # a node left 'down' or 'drained' by an earlier run comes back on resume
        scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
        sleep 1
    done
    echo "Slurm node did not become idle; logs in $STATE_DIR/log" >&2
    sinfo >&2 || true
    tail -n 20 "$STATE_DIR"/log/*.log >&2 || true
    exit 1
}

stop() {
    pkill -x slurmd || true
    pkill -x slurmctld || true
}

case "${1:-start}" in
    install) install_packages ;;
    start) start ;;
    stop) stop ;;
    status) sinfo ;;
    *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
