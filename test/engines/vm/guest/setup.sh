#!/bin/sh
# The engine VM's own setup (lean-labs-vm.service, before the engine): modules, qemu's user network, the learner's
# shared folder and forwarded ports, as the kernel command line asks (lean-labs.share=PATH, lean-labs.forward=P,Q).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
say() { echo "lean-labs-vm: $*" >/dev/console; }

for m in virtio_net overlay bridge br_netfilter veth nf_nat nf_conntrack xt_MASQUERADE xt_conntrack xt_addrtype \
  iptable_nat iptable_filter iptable_mangle ip6table_nat ip6table_filter ip_tables ip6_tables xt_nat xt_tcpudp \
  nft_chain_nat nft_compat nf_tables tun button virtiofs; do
  modprobe -q "$m" || say "module $m did not load"
done
chmod 666 /dev/net/tun 2>/dev/null
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo 'nameserver 10.0.2.3' >/etc/resolv.conf
sysctl -qw net.ipv4.ip_forward=1 net.ipv4.ip_unprivileged_port_start=0

share=""
forward=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    lean-labs.share=*) share=${arg#lean-labs.share=} ;;
    lean-labs.forward=*) forward=$(echo "${arg#lean-labs.forward=}" | tr , ' ') ;;
  esac
done
# Docker Desktop shares the learner's folders with its VM at the same paths, so `-v "$PWD/site:/site"` and Compose's
# `./site` mount what the learner edits. The same here: the host's folder, over virtiofs as Desktop does, at its path.
if [ -n "$share" ]; then
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
say "set up"
