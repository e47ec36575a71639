/**
 * The system calls a class sandbox may not make (pure). The learner lives in a user namespace inside the sandbox
 * (images/sandbox/cell), where the kernel's own checks already refuse them everything that needs the host's root;
 * this filter takes away, besides, the calls no lab needs whose kernel code is the usual way out of a container:
 * loading kernel code, the clock, swap and reboot, file handles, BPF, perf, userfaultfd and io_uring.
 *
 * Docker's default filter cannot serve: it refuses pivot_root and keyctl, which the nested engine's runc makes
 * for every container. So everything else is allowed, and these few are refused with EPERM.
 */
export const REFUSED_SYSCALLS: readonly string[] = [
  // kernel code and the machine itself
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'create_module',
  'query_module',
  'get_kernel_syms',
  'reboot',
  'swapon',
  'swapoff',
  'acct',
  'syslog',
  'iopl',
  'ioperm',
  'vm86',
  'vm86old',
  'uselib',
  // the host's clock
  'settimeofday',
  'stime',
  'clock_settime',
  'clock_settime64',
  'clock_adjtime',
  'clock_adjtime64',
  'adjtimex',
  // files by handle (the way past a mount's root), old and unneeded calls
  'open_by_handle_at',
  'lookup_dcookie',
  'quotactl',
  'quotactl_fd',
  'nfsservctl',
  'sysfs',
  '_sysctl',
  'ustat',
  'afs_syscall',
  // kernel subsystems where escapes have been found and no lab goes
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'fanotify_init',
];

export interface SeccompProfile {
  readonly defaultAction: 'SCMP_ACT_ALLOW';
  readonly architectures: readonly string[];
  readonly syscalls: ReadonlyArray<{ readonly names: readonly string[]; readonly action: 'SCMP_ACT_ERRNO'; readonly errnoRet: number }>;
}

const EPERM = 1;

export const SANDBOX_SECCOMP: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ALLOW',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
  syscalls: [{ names: REFUSED_SYSCALLS, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }],
};
