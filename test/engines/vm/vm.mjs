#!/usr/bin/env node
// The engine VM: a Docker engine on cgroup v2 with the containerd image store, in QEMU, reached over TCP from this
// machine as a learner's Docker Desktop is reached from the Mac or Windows side. Built only from Debian's packages
// (the host's apt sources for the kernel, debootstrap for a trixie root), cached by what it is made from.
//
//   node test/engines/vm/vm.mjs build                 build (or find) the disk, kernel and initramfs
//   node test/engines/vm/vm.mjs up [rootful|rootless] boot one, load the lab images, print its DOCKER_HOST
//   node test/engines/vm/vm.mjs down                  stop what `up` started
//
// LEAN_LABS_VM_CACHE (default /var/cache/lean-labs/vm) holds the builds; deleting it is always safe.
// LEAN_LABS_VM_ACCEL=kvm|tcg skips the probe that picks KVM where it boots and software emulation elsewhere.
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $, sleep, which } from 'zx';

const here = dirname(fileURLToPath(import.meta.url));
const SUITE = 'trixie';
/** What the guest needs: the engine (rootful and rootless), its networking, and tools for the init script. */
const PACKAGES = [
  ...['docker.io', 'tini', 'iproute2', 'iptables', 'kmod', 'procps', 'ca-certificates'],
  // systemd as PID 1, as on a learner's Linux: it delegates cgroups to services and users (rootless Docker's cgroup
  // driver needs it), and powers off cleanly on the ACPI button.
  ...['systemd', 'systemd-sysv', 'udev', 'dbus', 'dbus-daemon', 'dbus-user-session', 'libpam-systemd'],
  // The rootless engine's parts.
  ...['uidmap', 'rootlesskit', 'slirp4netns'],
];
/** Files the guest gets (test/engines/vm/guest/): its setup service, the engines' units and settings. */
const GUEST_FILES = {
  'setup.sh': ['usr/local/sbin/lean-labs-vm-setup', 0o755],
  'lean-labs-vm.service': ['etc/systemd/system/lean-labs-vm.service', 0o644],
  'docker-rootful.conf': ['etc/systemd/system/docker.service.d/lean-labs.conf', 0o644],
  'docker.default': ['etc/default/docker', 0o644],
  'delegate.conf': ['etc/systemd/system/user@.service.d/delegate.conf', 0o644],
  'docker-rootless.service': ['home/learner/.config/systemd/user/docker.service', 0o644],
};
/** The virtio drivers the initramfs loads, in dependency order, to find the root disk. */
const BOOT_MODULES = ['virtio_ring', 'virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_pci', 'virtio_blk'];
const DISK_SIZE = '24G';
const MEMORY_MB = 3072;
const READY_TIMEOUT_MS = 15 * 60_000;
/** QEMU's own virtiofs daemon (Debian's qemu-system-common), for the shared folder. */
const VIRTIOFSD = '/usr/lib/qemu/virtiofsd';

$.quiet = true;
$.verbose = false;

export const cacheRoot = () => process.env.LEAN_LABS_VM_CACHE || '/var/cache/lean-labs/vm';
const sha = (text) => createHash('sha256').update(text).digest('hex').slice(0, 12);
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

class VmError extends Error {}

async function need(commands, pkgs) {
  const missing = [];
  for (const c of commands) if (!(await which(c, { nothrow: true }))) missing.push(c);
  if (missing.length) throw new VmError(`The engine VM needs ${missing.join(', ')}: apt-get install ${pkgs}`);
}

/** The host's Debian mirror: LEAN_LABS_DEBIAN_MIRROR, else the first deb source in /etc/apt. */
function debianMirror() {
  if (process.env.LEAN_LABS_DEBIAN_MIRROR) return process.env.LEAN_LABS_DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').map((f) => `/etc/apt/sources.list.d/${f}`) : [])];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text);
    if (m && !/security/.test(m[1])) return m[1];
  }
  throw new VmError('No Debian mirror found in /etc/apt; set LEAN_LABS_DEBIAN_MIRROR.');
}

/** The cloud kernel package the host's apt offers now (its name carries the ABI version). */
async function kernelPackage() {
  const deps = (await $`apt-cache depends linux-image-cloud-amd64`).stdout;
  const name = /Depends:\s*(linux-image-\S+-cloud-amd64)/.exec(deps)?.[1];
  if (!name) throw new VmError('apt knows no linux-image-cloud-amd64: run apt-get update, or check /etc/apt/sources.list.');
  const version = /Candidate:\s*(\S+)/.exec((await $`apt-cache policy ${name}`).stdout)?.[1] ?? '';
  return { name, version, abi: name.replace(/^linux-image-/, '') };
}

/** Builds the disk, kernel and initramfs once per recipe; returns where they are. */
export async function buildVm(say = console.log) {
  await need(['debootstrap', 'qemu-system-x86_64', 'qemu-img', 'mkfs.ext4', 'cpio', 'busybox'], 'debootstrap qemu-system-x86 qemu-utils e2fsprogs cpio busybox-static');
  const kernel = await kernelPackage();
  const guest = Object.keys(GUEST_FILES)
    .map((f) => `${f}\n${readFileSync(join(here, 'guest', f), 'utf8')}`)
    .join('\n');
  // The recipe: how the disk and the initramfs are made (this file's text from buildVm to the end of makeInitramfs,
  // read from disk, as a test runner may rewrite functions it loads), what goes in, and the kernel.
  const own = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const recipe = own.slice(own.indexOf('export async function buildVm'), own.indexOf('async function freePort'));
  const key = sha([recipe, guest, SUITE, DISK_SIZE, kernel.name, kernel.version, PACKAGES.join(','), BOOT_MODULES.join(',')].join('\n'));
  const dir = join(cacheRoot(), key);
  if (existsSync(join(dir, 'ready'))) {
    // Marks it in use: builds of other recipes are removed only once unused for a day.
    utimesSync(dir, new Date(), new Date());
    return vmFiles(dir);
  }
  const t0 = Date.now();
  mkdirSync(cacheRoot(), { recursive: true });
  const work = `${dir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    say(`engine VM: building ${key} (Debian ${SUITE} with ${PACKAGES[0]}, kernel ${kernel.abi}); a few minutes, once`);
    await $({ cwd: work })`apt-get download ${kernel.name}`;
    const deb = readdirSync(work).find((f) => f.startsWith(kernel.name) && f.endsWith('.deb'));
    await $`dpkg-deb -x ${join(work, deb)} ${join(work, 'kernel')}`;
    const root = join(work, 'root');
    say(`engine VM: debootstrap ${SUITE} (${PACKAGES.length} packages and what they need)`);
    await $`debootstrap --variant=minbase --include=${PACKAGES.join(',')} ${SUITE} ${root} ${debianMirror()}`;
    await $`cp -a ${join(work, 'kernel/lib/modules')}/. ${join(root, 'lib/modules')}/`;
    await $`chroot ${root} depmod ${kernel.abi}`;
    await $`chroot ${root} useradd --create-home --uid 1000 --shell /bin/sh learner`;
    for (const [file, [target, mode]] of Object.entries(GUEST_FILES)) {
      mkdirSync(dirname(join(root, target)), { recursive: true });
      writeFileSync(join(root, target), readFileSync(join(here, 'guest', file)), { mode });
    }
    const wants = (dir, unit, target) => {
      mkdirSync(join(root, dir, `${target}.wants`), { recursive: true });
      symlinkSync(unit, join(root, dir, `${target}.wants`, unit.split('/').pop()));
    };
    wants('etc/systemd/system', '/etc/systemd/system/lean-labs-vm.service', 'sysinit.target');
    wants('home/learner/.config/systemd/user', '/home/learner/.config/systemd/user/docker.service', 'default.target');
    // The docker socket unit follows the service's condition; the learner's user manager starts at boot (linger).
    mkdirSync(join(root, 'etc/systemd/system/docker.socket.d'), { recursive: true });
    writeFileSync(join(root, 'etc/systemd/system/docker.socket.d/lean-labs.conf'), readFileSync(join(here, 'guest', 'docker-rootful.conf')));
    mkdirSync(join(root, 'var/lib/systemd/linger'), { recursive: true });
    writeFileSync(join(root, 'var/lib/systemd/linger/learner'), '');
    // No login prompts or waits for a network manager the VM does not have.
    for (const unit of ['serial-getty@ttyS0.service', 'getty@tty1.service', 'systemd-networkd-wait-online.service', 'apt-daily.timer', 'apt-daily-upgrade.timer'])
      symlinkSync('/dev/null', join(root, 'etc/systemd/system', unit));
    mkdirSync(join(root, 'etc/docker'), { recursive: true });
    // The containerd image store, as new Docker Desktop installs have it.
    writeFileSync(join(root, 'etc/docker/daemon.json'), `${JSON.stringify({ features: { 'containerd-snapshotter': true } }, null, 2)}\n`);
    // The rootless engine's user has a block of subordinate ids.
    writeFileSync(join(root, 'etc/subuid'), 'learner:100000:65536\n');
    writeFileSync(join(root, 'etc/subgid'), 'learner:100000:65536\n');
    mkdirSync(join(root, 'home/learner/.config/docker'), { recursive: true });
    writeFileSync(join(root, 'home/learner/.config/docker/daemon.json'), `${JSON.stringify({ features: { 'containerd-snapshotter': true } }, null, 2)}\n`);
    await $`chroot ${root} chown -R learner:learner /home/learner`;
    writeFileSync(join(root, 'etc/hostname'), 'lean-labs-vm\n');
    await $`rm -rf ${join(root, 'var/cache/apt/archives')}/*.deb ${join(root, 'var/lib/apt/lists')}`;
    say('engine VM: making the disk and the initramfs');
    await $`mkfs.ext4 -q -L lean-labs -d ${root} ${join(work, 'root.img')} ${DISK_SIZE}`;
    await makeInitramfs(work, kernel.abi);
    await $`cp ${join(work, 'kernel/boot', `vmlinuz-${kernel.abi}`)} ${join(work, 'vmlinuz')}`;
    rmSync(root, { recursive: true, force: true });
    rmSync(join(work, 'kernel'), { recursive: true, force: true });
    rmSync(join(work, deb), { force: true });
    writeFileSync(join(work, 'ready'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    // Other recipes' builds (and their image layers) unused for a day are of no more use; a younger one may be
    // another checkout's, in use now.
    for (const old of readdirSync(cacheRoot())) {
      const path = join(cacheRoot(), old);
      if (/^[0-9a-f]{12}$/.test(old) && old !== key && Date.now() - statSync(path).mtimeMs > 24 * 3600_000) rmSync(path, { recursive: true, force: true });
    }
    say(`engine VM: built in ${secs(t0)}`);
    return vmFiles(dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

const vmFiles = (dir) => ({ dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), disk: join(dir, 'root.img') });

/** A busybox initramfs that loads the virtio drivers, mounts /dev/vda and hands over to the guest's init. */
async function makeInitramfs(work, abi) {
  const ir = join(work, 'initramfs');
  for (const d of ['bin', 'dev', 'proc', 'sys', 'newroot', 'modules']) mkdirSync(join(ir, d), { recursive: true });
  await $`cp /bin/busybox ${join(ir, 'bin/busybox')}`;
  const modRoot = join(work, 'kernel/lib/modules', abi);
  const all = (await $`find ${modRoot} -name *.ko*`).stdout.trim().split('\n');
  for (const m of BOOT_MODULES) {
    const file = all.find((f) => f.endsWith(`/${m}.ko`));
    if (!file) throw new VmError(`kernel ${abi} has no ${m}.ko`);
    await $`cp ${file} ${join(ir, 'modules')}/`;
  }
  writeFileSync(
    join(ir, 'init'),
    `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in ${BOOT_MODULES.join(' ')}; do insmod /modules/$m.ko || echo "initramfs: $m did not load"; done
i=0; while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
mount -o rw /dev/vda /newroot || { echo "initramfs: no root disk"; poweroff -f; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
`,
    { mode: 0o755 },
  );
  await $({ cwd: ir, shell: '/bin/bash' })`find . | cpio --quiet -o -H newc | gzip -1 > ../initrd.img`;
  rmSync(ir, { recursive: true, force: true });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the connect gate (connect-gate.mjs) on `pairs` ([listen, qemu port]...), detached like virtiofsd so it lasts
 * as long as the VM; its pid is kept in `dir` for `down`. A port taken is said here, before QEMU starts.
 */
async function startGate(pairs, dir, onFail) {
  const log = openSync(join(dir, 'gate.log'), 'a');
  const gate = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'connect-gate.mjs'), ...pairs.map(([l, t]) => `${l}:${t}`)], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
  });
  closeSync(log);
  const ready = await new Promise((resolve) => {
    gate.stdout.once('data', () => resolve(true));
    gate.once('exit', () => resolve(false));
  });
  gate.stdout.destroy();
  gate.unref();
  if (!ready) {
    onFail();
    throw new VmError(
      `The VM's ports could not be opened on this machine: ${readFileSync(join(dir, 'gate.log'), 'utf8').trim()} (the VM answers on ${pairs.map(([l]) => l).join(', ')}, as Desktop does).`,
    );
  }
  writeFileSync(join(dir, 'gate.pid'), `${gate.pid}\n`);
  return gate;
}

/** KVM where a kernel boots under it, else software emulation (this kind of host's nested KVM hangs kernels). */
async function accel(files, say) {
  const forced = process.env.LEAN_LABS_VM_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced;
  const probeFile = join(cacheRoot(), 'accel');
  if (existsSync(probeFile)) return readFileSync(probeFile, 'utf8').trim();
  let result = 'tcg';
  if (existsSync('/dev/kvm')) {
    // A kernel with no root panics at once where KVM works; panic=-1 and -no-reboot make QEMU exit then.
    const probe = await $({
      nothrow: true,
      timeout: '30s',
    })`qemu-system-x86_64 -accel kvm -cpu host -m 256 -display none -serial stdio -monitor none -no-reboot -kernel ${files.kernel} -append ${'console=ttyS0 panic=-1'}`;
    if (/Kernel panic/.test(probe.stdout)) result = 'kvm';
  }
  say(`engine VM: ${result === 'kvm' ? 'KVM boots kernels here' : 'KVM does not boot kernels here; software emulation (slow)'}`);
  writeFileSync(probeFile, `${result}\n`);
  return result;
}

/** A boot whose guest has not set itself up by then is taken for stuck, and booted once more. */
const STUCK_BOOT_MS = 6 * 60_000;

/** A first boot that got nowhere (its console kept beside, named in what is said). */
class VmStuckError extends VmError {}

/**
 * Boots a VM on a throwaway overlay of `backing` and waits until its engine answers over TCP.
 * Returns its DOCKER_HOST and a stop function. `keep` (a folder) makes the overlay and pid file last there.
 * Under emulation a boot now and then stops early, before the guest sets itself up: that one is stopped and the VM
 * booted once more.
 */
export async function bootVm(files, opts = {}) {
  try {
    return await bootOnce(files, { ...opts, stuckAfterMs: STUCK_BOOT_MS });
  } catch (err) {
    if (!(err instanceof VmStuckError)) throw err;
    (opts.say ?? console.log)(`engine VM: ${err.message} Booting it once more.`);
    return bootOnce(files, opts);
  }
}

async function bootOnce(files, { engine = 'rootful', backing = files.disk, say = console.log, runDir, share, forward = [], stuckAfterMs } = {}) {
  const dir = runDir ?? join(tmpdir(), `lean-labs-vm-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const overlay = join(dir, 'run.qcow2');
  const fmt = backing.endsWith('.qcow2') ? 'qcow2' : 'raw';
  await $`qemu-img create -q -f qcow2 -F ${fmt} -b ${backing} ${overlay}`;
  const port = await freePort();
  const log = join(dir, 'console.log');
  const pidFile = join(dir, 'qemu.pid');
  const mode = await accel(files, say);
  const t0 = Date.now();
  const cpu = mode === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', process.env.LEAN_LABS_VM_CPU ?? 'max'];
  // The host folder the VM sees at its own path (virtiofs, as Docker Desktop shares the learner's folders).
  let fsd;
  const shareArgs = [];
  if (share) {
    const sock = join(dir, 'fs.sock');
    const fsdLog = openSync(join(dir, 'virtiofsd.log'), 'a');
    fsd = spawn(VIRTIOFSD, [`--socket-path=${sock}`, '-o', `source=${share}`, '-o', 'cache=none', '-o', 'sandbox=chroot'], { detached: true, stdio: ['ignore', fsdLog, fsdLog] });
    closeSync(fsdLog);
    fsd.unref();
    writeFileSync(join(dir, 'virtiofsd.pid'), `${fsd.pid}\n`);
    for (let i = 0; i < 50 && !existsSync(sock); i++) await sleep(100);
    if (!existsSync(sock)) throw new VmError(`${VIRTIOFSD} did not start: the VM cannot share ${share}.`);
    shareArgs.push(
      ...['-chardev', `socket,id=fs,path=${sock}`, '-device', 'vhost-user-fs-pci,chardev=fs,tag=share'],
      ...['-object', `memory-backend-memfd,id=mem,size=${MEMORY_MB}M,share=on`, '-numa', 'node,memdev=mem'],
    );
  }
  // QEMU forwards from ports of its own; the gate answers on the engine's port and the labs' ports (see connect-gate.mjs).
  const qemuPort = await freePort();
  const qemuForward = await Promise.all(forward.map(async (p) => [p, await freePort()]));
  const gate = await startGate([[port, qemuPort], ...qemuForward], dir, () => fsd && stopPid(fsd.pid));
  const fwd = qemuForward.map(([p, q]) => `,hostfwd=tcp:127.0.0.1:${q}-:${p}`).join('');
  const append = [
    // The kernel's own messages stay on: a console that shows how far a boot got is what tells a stuck one.
    // net.ifnames=0: the network card stays eth0, which the guest's setup configures; udev's rename (to ens3) raced
    // that setup, and a boot that lost the race had no address, so its engine never answered.
    `console=ttyS0 panic=-1 net.ifnames=0 systemd.show_status=error lean-labs.engine=${engine}`,
    share ? `lean-labs.share=${share}` : '',
    forward.length ? `lean-labs.forward=${forward.join(',')}` : '',
    process.env.LEAN_LABS_VM_APPEND ?? '',
  ];
  const args = [
    ...cpu,
    ...['-smp', '2', '-m', `${MEMORY_MB}`, '-display', 'none', '-monitor', 'none', '-serial', `file:${log}`, '-no-reboot', '-daemonize', '-pidfile', pidFile],
    ...['-kernel', files.kernel, '-initrd', files.initrd, '-append', append.filter(Boolean).join(' ')],
    ...['-drive', `file=${overlay},if=virtio,format=qcow2,cache=unsafe`],
    ...['-nic', `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${qemuPort}-:2375${fwd}`],
    ...shareArgs,
    // QEMU's control socket: the power button, pressed to stop the VM cleanly.
    ...['-qmp', `unix:${join(dir, 'qmp.sock')},server=on,wait=off`],
  ];
  const started = await $({ nothrow: true })`qemu-system-x86_64 ${args}`;
  if (started.exitCode !== 0) {
    if (fsd) stopPid(fsd.pid);
    stopPid(gate.pid);
    throw new VmError(`QEMU did not start: ${started.stderr.trim()}`);
  }
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  // Whoever started this run may stop what it left (a test run's teardown, CI's exit trap): every VM and its file server.
  const registry = process.env.LEAN_LABS_VM_PIDS;
  const registered = registry ? [pid, fsd?.pid, gate.pid].filter(Boolean).map((p) => join(registry, String(p))) : [];
  if (registry) mkdirSync(registry, { recursive: true });
  for (const f of registered) writeFileSync(f, `${engine}\n`);
  const dockerHost = `tcp://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'docker-host'), `${dockerHost}\n`);
  const vm = {
    engine,
    dockerHost,
    pid,
    dir,
    log,
    mode,
    stop: async () => {
      await stopVm(pid, dir, runDir === undefined);
      if (fsd) stopPid(fsd.pid);
      stopPid(gate.pid);
      for (const f of registered) rmSync(f, { force: true });
    },
  };
  say(`engine VM: booting (${mode}, ${engine}), engine at ${dockerHost}; console in ${log}`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!alive(pid)) throw new VmError(`The engine VM stopped while booting. Its console ends:\n${tail(log)}`);
    const v = await $({ nothrow: true, timeout: '20s', env: { ...process.env, DOCKER_HOST: dockerHost } })`docker version --format {{.Server.Version}}`;
    if (v.exitCode === 0) {
      say(`engine VM: Docker ${v.stdout.trim()} answered after ${secs(t0)}`);
      return vm;
    }
    if (Date.now() > deadline || (stuckAfterMs && Date.now() - t0 > stuckAfterMs && !setUp(log))) {
      const kept = join(tmpdir(), `lean-labs-vm-console-${Date.now()}.log`);
      if (existsSync(log)) copyFileSync(log, kept);
      const ends = tail(log);
      await vm.stop();
      if (Date.now() <= deadline) throw new VmStuckError(`The VM had not set itself up after ${secs(t0)} (its console: ${kept}).`);
      throw new VmError(`The engine VM did not answer within ${READY_TIMEOUT_MS / 60_000} minutes (its console: ${kept}). It ends:\n${ends}`);
    }
    await sleep(3000);
  }
}

/** Whether the guest's setup service has run (it says so on the console). */
const setUp = (log) => existsSync(log) && readFileSync(log, 'utf8').includes('lean-labs-vm: set up');

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function tail(file, bytes = 3000) {
  if (!existsSync(file)) return '(no console output)';
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(Math.min(bytes, size));
  readSync(fd, buf, 0, buf.length, Math.max(0, size - buf.length));
  closeSync(fd);
  return buf.toString('utf8');
}

function stopPid(pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // gone already
  }
}

async function stopVm(pid, dir, removeDir) {
  if (alive(pid)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (removeDir) rmSync(dir, { recursive: true, force: true });
}

/** Presses the VM's power button (QMP): systemd stops the engine and powers off, so a disk layer is left clean. */
async function haltVm(vm) {
  await new Promise((resolve, reject) => {
    const sock = connect(join(vm.dir, 'qmp.sock'));
    let sent = false;
    sock.on('data', (d) => {
      if (!sent && String(d).includes('"QMP"')) {
        sent = true;
        sock.write('{"execute":"qmp_capabilities"}\n{"execute":"system_powerdown"}\n');
        setTimeout(() => sock.end(), 500);
      }
    });
    sock.on('close', resolve);
    sock.on('error', reject);
  });
  for (let i = 0; i < 1800 && alive(vm.pid); i++) await sleep(100);
  if (alive(vm.pid)) throw new VmError(`The engine VM did not power off within 3 minutes. Its console ends:\n${tail(vm.log)}`);
}

/**
 * A disk layer with the given images already loaded into the given engine: made once (boot, `docker save | docker
 * load`, clean power-off) and cached by the images' tags, which carry their content's version.
 */
export async function imagesLayer(files, { engine = 'rootful', images, say = console.log }) {
  const key = sha(`${engine}\n${[...images].sort().join('\n')}`);
  const layer = join(files.dir, `images-${engine}-${key}.qcow2`);
  if (existsSync(layer)) return layer;
  const t0 = Date.now();
  const runDir = `${layer}.partial-${process.pid}`;
  rmSync(runDir, { recursive: true, force: true });
  try {
    const vm = await bootVm(files, { engine, say, runDir });
    try {
      say(`engine VM: loading ${images.length} images into the ${engine} engine`);
      await $({ shell: '/bin/bash', env: { ...process.env, DOCKER_HOST: vm.dockerHost } })`set -o pipefail; DOCKER_HOST= docker save ${images} | docker load -q`;
      await haltVm(vm);
    } finally {
      await vm.stop();
    }
    renameSync(join(runDir, 'run.qcow2'), layer);
    say(`engine VM: images layer made in ${secs(t0)}`);
    return layer;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** The lab images the local engine holds at their current versions: each `latest` and the tags of the same image. */
export async function labImageTags() {
  const rows = (await $`docker images --format ${'{{.Repository}} {{.Tag}} {{.ID}}'} --filter reference=lean-labs/*`).stdout.trim().split('\n');
  const parsed = rows.filter(Boolean).map((r) => r.split(' '));
  const latest = new Map(parsed.filter(([, tag]) => tag === 'latest').map(([repo, , id]) => [repo, id]));
  return parsed.filter(([repo, tag, id]) => tag !== '<none>' && (latest.get(repo) ?? id) === id && !/sandbox/.test(repo)).map(([repo, tag]) => `${repo}:${tag}`);
}

/** The host ports the bundled labs publish (`-p [addr:]port:…`, Compose's `ports:`), which a VM must answer on. */
export function publishedPorts(labsDir = join(process.cwd(), 'labs')) {
  const ports = new Set();
  for (const lab of readdirSync(labsDir, { withFileTypes: true })) {
    if (!lab.isDirectory() || !existsSync(join(labsDir, lab.name, 'lab.md'))) continue;
    const text = readFileSync(join(labsDir, lab.name, 'lab.md'), 'utf8');
    for (const m of text.matchAll(/(?:-p|--publish)[ =](?:[\d.]+:)?(\d+):\d+|(?:-\s+|\[\s*|,\s*)"(?:[\d.]+:)?(\d+):\d+(?:\/tcp)?"/g)) ports.add(Number(m[1] ?? m[2]));
  }
  return [...ports].sort((a, b) => a - b);
}

async function main() {
  const [cmd, engine = 'rootful'] = process.argv.slice(2);
  const runDir = join(cacheRoot(), 'up');
  try {
    if (cmd === 'build') {
      const f = await buildVm();
      console.log(f.dir);
    } else if (cmd === 'up') {
      if (existsSync(join(runDir, 'qemu.pid')) && alive(Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8')))) throw new VmError('A VM is up already: `node test/engines/vm/vm.mjs down` first.');
      const f = await buildVm();
      const tags = await labImageTags();
      const layer = await imagesLayer(f, { engine, images: tags });
      rmSync(runDir, { recursive: true, force: true });
      // As the matrix boots it (and Desktop is): this machine's temporary folder shared, the labs' ports forwarded.
      const vm = await bootVm(f, { engine, backing: layer, runDir, share: tmpdir(), forward: publishedPorts() });
      console.log(`export DOCKER_HOST=${vm.dockerHost}`);
    } else if (cmd === 'down') {
      const pidFile = join(runDir, 'qemu.pid');
      if (!existsSync(pidFile)) return console.log('No VM is up.');
      for (const f of ['virtiofsd.pid', 'gate.pid']) if (existsSync(join(runDir, f))) stopPid(Number(readFileSync(join(runDir, f), 'utf8')));
      await stopVm(Number(readFileSync(pidFile, 'utf8')), runDir, true);
      console.log('Stopped.');
    } else {
      console.log('Usage: node test/engines/vm/vm.mjs build | up [rootful|rootless] | down');
      process.exitCode = cmd ? 2 : 0;
    }
  } catch (err) {
    console.error(err instanceof VmError ? err.message : err?.stderr ? `${err.message.split('\n')[0]}\n${err.stderr}` : err);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
