import { execFileSync } from 'node:child_process';
import engineSetup from './engine.js';
import { stopLeftoverVms, vmPidDir } from '../engines/engines.js';

/**
 * The engine matrix needs this machine's engine and lab images (as the integration tests do: the VMs are loaded from
 * them) and QEMU with Debian's tools to build the VM. Missing tools fail the run here, loudly, with the install line:
 * these tests never skip. The teardown stops any VM a test left running.
 */
export default function setup(): () => void {
  const missing = ['qemu-system-x86_64', 'qemu-img', 'debootstrap', 'cpio', 'busybox'].filter((c) => {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) throw new Error(`The engine matrix builds a VM with ${missing.join(', ')}: apt-get install qemu-system-x86 qemu-utils debootstrap cpio busybox-static (.ci/run does).`);
  engineSetup();
  // The test workers (and the VM script) register every VM they boot here: the teardown stops what is left.
  process.env.LEAN_LABS_VM_PIDS = vmPidDir(process.pid);
  return () => {
    const stopped = stopLeftoverVms(process.pid);
    if (stopped.length) process.stderr.write(`engine matrix: stopped VMs left running: ${stopped.join(', ')}\n`);
  };
}
