#!/bin/bash
# Typed into a learner's shell by the containment test: each way out that was found in the sandbox's old recipe,
# and variants. Prints "<attempt>: blocked" or "<attempt>: ESCAPED <what>", then "escape-suite done".
# Arguments: the other sandbox's task container id, an address of the host on the class's side, the class
# server's port, the other sandbox's address.
OTHER=$1 HOSTIP=$2 PORT=$3 OTHERIP=$4
out() { echo "$1: $2"; }
try() { # try NAME COMMAND...: the attempt succeeds when COMMAND does
  local name=$1; shift
  if ( "$@" ) >/tmp/esc.$name.log 2>&1; then out "$name" "ESCAPED $(tail -c 200 /tmp/esc.$name.log | tr '\n' ' ')"; else out "$name" blocked; fi
}
W=/tmp/escape; mkdir -p $W

# The host's disk: the device behind the learner's own home (a host filesystem), made and mounted.
DEV=$(awk '$5=="/root"{print $3}' /proc/self/mountinfo | head -n1); MAJ=${DEV%:*}; MIN=${DEV#*:}
try devices-allow sh -c 'echo "a *:* rwm" > /sys/fs/cgroup/devices/devices.allow'
try mknod-host-disk sh -c "mknod $W/disk b $MAJ $MIN && mkdir -p $W/m && mount -t ext4 $W/disk $W/m && ls $W/m"
try mount-host-disk-inner docker run --rm --privileged lean-labs/toolbox sh -c "mknod /disk b $MAJ $MIN && mount /disk /mnt && ls /mnt"
try device-rule-inner docker run --rm --device-cgroup-rule "b $MAJ:* rwm" lean-labs/toolbox sh -c "mknod /disk b $MAJ $MIN && head -c 512 /disk | od | head -n 1"

# release_agent: a new cgroup v1 hierarchy (named or not), from the shell and from a privileged inner container.
try named-hierarchy sh -c "mkdir -p $W/cg && mount -t cgroup -o none,name=ll-escape cgroup $W/cg"
try release-agent sh -c "mkdir -p $W/cg2 && mount -t cgroup -o memory cgroup $W/cg2 && echo /bin/true > $W/cg2/release_agent"
try release-agent-inner docker run --rm --privileged lean-labs/toolbox sh -c 'mkdir /cg && mount -t cgroup -o none,name=ll-escape2 cgroup /cg && echo /x > /cg/release_agent'

# core_pattern: directly, after remounting /proc/sys, through a fresh proc, from a privileged inner container.
try core-pattern sh -c 'echo "|/tmp/x" > /proc/sys/kernel/core_pattern'
try core-pattern-remount sh -c 'mount -o remount,rw /proc/sys && echo "|/tmp/x" > /proc/sys/kernel/core_pattern'
try core-pattern-new-proc sh -c "mkdir -p $W/p && mount -t proc proc $W/p && echo '|/tmp/x' > $W/p/sys/kernel/core_pattern"
try core-pattern-inner docker run --rm --privileged lean-labs/toolbox sh -c 'echo "|/tmp/x" > /proc/sys/kernel/core_pattern'
try sysrq sh -c 'echo h > /proc/sysrq-trigger'
try kernel-log dmesg

# Another sandbox: its freezer (through any hierarchy the cell can mount), its files, its address.
try freeze-other sh -c "for f in /sys/fs/cgroup/freezer/docker/$OTHER/freezer.state /sys/fs/cgroup/freezer/../docker/$OTHER/freezer.state; do [ -e \$f ] && echo FROZEN > \$f && exit 0; done; mkdir -p $W/fz && mount -t cgroup -o freezer cgroup $W/fz && f=\$(find $W/fz -path '*$OTHER*' -name freezer.state | head -n1) && [ -n \"\$f\" ] && echo FROZEN > \$f"
try other-sandbox-net curl -s -m 3 -o /dev/null "http://$OTHERIP:8080/"

# Its own limits: raised, or left behind.
try raise-pids sh -c 'echo max > /sys/fs/cgroup/pids/pids.max && [ "$(cat /sys/fs/cgroup/pids/pids.max)" = max ]'
try raise-memory sh -c 'echo -1 > /sys/fs/cgroup/memory/memory.limit_in_bytes'
try leave-cgroup sh -c 'echo $$ > /sys/fs/cgroup/memory/../cgroup.procs; grep -q ":memory:/\.\." /proc/self/cgroup'
try host-cgroup-root sh -c "mkdir -p $W/mem && mount -t cgroup -o memory cgroup $W/mem && [ -e $W/mem/release_agent ]"

# The class's secrets and the sandbox's agent: its token, its process, its environment.
try read-token sh -c 'cat /run/secrets/* 2>/dev/null | grep -q . || cat /proc/*/root/run/secrets/* 2>/dev/null | grep -q .'
try see-agent sh -c 'ps -eo args | grep -v grep | grep -q class-agent'
try agent-env sh -c 'cat /proc/*/environ 2>/dev/null | tr "\0" "\n" | grep -q LEAN_LABS_CLASS_URL'

# The swarm's engine through any socket the cell can find (its own engine is no swarm's).
try swarm-socket sh -c 'for s in $(find / -xdev -type s 2>/dev/null) /proc/*/root/run/docker.sock /proc/*/root/var/run/docker.sock; do curl -s -m 2 --unix-socket "$s" http://x/info 2>/dev/null | grep -q "\"LocalNodeState\":\"active\"" && exit 0; done; exit 1'

# The swarm's engine and the class server, over the network (the host's address on the class's side).
try swarm-engine sh -c "curl -s -m 3 http://$HOSTIP:2375/info | grep -q Swarm || curl -sk -m 3 https://$HOSTIP:2377/ -o /dev/null"
try class-server curl -s -m 3 -o /dev/null "http://$HOSTIP:$PORT/"
try class-server-inner docker run --rm lean-labs/toolbox curl -s -m 3 -o /dev/null "http://$HOSTIP:$PORT/"
try host-loopback-net docker run --rm --net host lean-labs/toolbox curl -s -m 3 -o /dev/null "http://127.0.0.1:$PORT/"

echo "escape-suite done"
