#!/bin/sh
# PID 1 of the engine VM (written to /sbin/lean-labs-init). Mounts what a system has, brings up qemu's user network,
# then starts the engine the kernel command line names (lean-labs.engine=rootful|rootless) with its API on TCP, as a
# learner's Docker Desktop is reached from outside its VM. SIGUSR1 stops the engine, syncs and powers off cleanly.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
say() { echo "lean-labs-vm: $*" >/dev/console; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# Shared propagation and an open tun device, as systemd and udev leave them (rootlesskit needs both).
mount --make-rshared /
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
# cgroup v2 only, as on Docker Desktop and current Linux distributions.
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
hostname lean-labs-vm

for m in virtio_net overlay bridge br_netfilter veth nf_nat nf_conntrack xt_MASQUERADE xt_conntrack xt_addrtype \
  iptable_nat iptable_filter iptable_mangle ip6table_nat ip6table_filter ip_tables ip6_tables xt_nat xt_tcpudp \
  nft_chain_nat nft_compat nf_tables tun; do
  modprobe -q "$m" || say "module $m did not load"
done
chmod 666 /dev/net/tun 2>/dev/null
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo 'nameserver 10.0.2.3' >/etc/resolv.conf
sysctl -qw net.ipv4.ip_forward=1 kernel.unprivileged_userns_clone=1 2>/dev/null
sysctl -qw net.ipv4.ip_unprivileged_port_start=0

# Open files as systemd gives a service (1024 soft, 524288 hard), which containers inherit, as on Docker Desktop
# and Linux distributions; the kernel's own default for init is 4096 hard.
ulimit -Hn 524288
ulimit -Sn 1024

engine=rootful
share=""
forward=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    lean-labs.engine=rootless) engine=rootless ;;
    lean-labs.share=*) share=${arg#lean-labs.share=} ;;
    lean-labs.forward=*) forward=$(echo "${arg#lean-labs.forward=}" | tr , ' ') ;;
  esac
done

# Docker Desktop shares the learner's folders with its VM at the same paths, so `-v "$PWD/site:/site"` and Compose's
# `./site` mount what the learner edits. The same here: the host's folder, over virtiofs as Desktop does, at its path.
if [ -n "$share" ]; then
  modprobe -q virtiofs
  mkdir -p "$share"
  mount -t virtiofs share "$share" || say "the shared folder $share did not mount"
fi
# Desktop also makes ports published in its VM answer on the learner's own localhost, 127.0.0.1-only ones too.
# QEMU forwards each such host port to the VM's address; here it is sent on to the VM's loopback, where the engine's
# proxy listens for every published port.
if [ -n "$forward" ]; then
  sysctl -qw net.ipv4.conf.eth0.route_localnet=1
  for port in $forward; do
    iptables -t nat -I PREROUTING -i eth0 -p tcp --dport "$port" -j DNAT --to-destination "127.0.0.1:$port"
  done
fi

if [ "$engine" = rootless ]; then
  # A rootless engine as most Linux learners run one: an ordinary user's dockerd under rootlesskit, its cgroup
  # subtree delegated to that user (what systemd's user@.service does with Delegate=yes).
  mkdir -p /sys/fs/cgroup/user.slice/learner
  echo "+cpu +cpuset +io +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
  echo "+cpu +cpuset +io +memory +pids" >/sys/fs/cgroup/user.slice/cgroup.subtree_control
  chown -R learner:learner /sys/fs/cgroup/user.slice/learner
  mkdir -p /run/user/1000 && chown learner:learner /run/user/1000 && chmod 700 /run/user/1000
  su learner -s /bin/sh -c 'echo $$ > /sys/fs/cgroup/user.slice/learner/cgroup.procs
    export HOME=/home/learner XDG_RUNTIME_DIR=/run/user/1000 PATH=/usr/share/docker.io/contrib:$PATH
    export DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=builtin DOCKERD_ROOTLESS_ROOTLESSKIT_NET=slirp4netns
    export DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS="-p 0.0.0.0:2375:2375/tcp"
    exec dockerd-rootless.sh -H unix:///run/user/1000/docker.sock -H tcp://0.0.0.0:2375 --tls=false' \
    >/var/log/dockerd.log 2>&1 &
else
  dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375 --tls=false >/var/log/dockerd.log 2>&1 &
fi
engine_pid=$!
say "$engine engine started (pid $engine_pid)"

halt() {
  say "stopping the engine"
  kill -TERM "$engine_pid" 2>/dev/null
  i=0
  while kill -0 "$engine_pid" 2>/dev/null && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
  sync
  mount -o remount,ro / 2>/dev/null
  sync
  say "powering off"
  echo o >/proc/sysrq-trigger
}
trap halt USR1

# Reap what is orphaned to PID 1; say when the engine dies, with the end of its log.
while :; do
  sleep 5 &
  wait $!
  if ! kill -0 "$engine_pid" 2>/dev/null; then
    say "the engine exited; its log ends:"
    tail -n 20 /var/log/dockerd.log >/dev/console
    engine_pid=0
    sleep 3600
  fi
done
