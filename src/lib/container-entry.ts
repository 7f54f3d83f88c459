// How the host enters a running container to run something there: a session (run, root-login,
// login), the lookup of a session's programs, the activation of a new system. Whatever runs in
// there is the guest's: its root owns every file a path inside names, /run/current-system and the
// system profile included. So nothing is exec'd until the process holds no more than the
// container's own PID 1 does:
// - every namespace of that PID 1 that is not the host's: mount, UTS, IPC, network, PID, cgroup,
//   time, and its user namespace with private users. Upstream's `nsenter -m -u -i -n -p` leaves
//   out the cgroup and user namespaces.
// - its capability bounding set (systemd-nspawn's set, not the tool's: no CAP_SYS_MODULE), read
//   from the kernel (/proc/PID/status; the guest can shrink it, never grow it) and applied by
//   util-linux's setpriv on the host before the host's nsenter runs, so nsenter itself never holds
//   more than the guest's root once it is in the container's PID namespace, where that root could
//   ptrace it. Entering a user namespace resets the bounding set to full (in that namespace), so a
//   container's own user namespace is entered first, alone, and the set applied after it, still
//   on the host's side of every other namespace.
// - no descriptor of the tool's but standard input, output and error (see closeInherited), and an
//   environment of its own (the host's environment is not the guest's to read in /proc/PID/environ).
// What the guest still gets from the host is what the caller hands it on stdio: interactive.ts
// keeps the admin's terminal out of its reach.
import {accessSync, closeSync, constants, readdirSync, readFileSync, readlinkSync} from 'node:fs'

import {UserError} from './errors.js'
import {readProcFile} from './proc.js'

/** The namespaces a process in the container shares with its PID 1 besides the user namespace: nsenter's option for each /proc/PID/ns entry. */
const namespaces: Array<[string, string]> = [['mnt', '--mount'], ['uts', '--uts'], ['ipc', '--ipc'], ['net', '--net'], ['pid', '--pid'], ['cgroup', '--cgroup'], ['time', '--time']]

/** Linux's O_CLOEXEC, as /proc/PID/fdinfo shows it (octal flags); Node does not export it. */
const O_CLOEXEC = 0o2000000

/**
 * Whether the process's namespace KIND is another than ours. Only those are entered: entering
 * one we share changes nothing, and from inside the container's user namespace the kernel would
 * refuse to re-enter the host's own (a container usually shares the host's time namespace).
 */
function hasOwn(pid: number, kind: string): boolean {
  let theirs: string
  try {
    theirs = readlinkSync(`/proc/${pid}/ns/${kind}`)
  } catch {
    // The kernel has no such namespace (time, before Linux 5.6).
    if (kind === 'mnt' || kind === 'pid') throw new UserError(`cannot read the namespaces of the container's init (pid ${pid})`, {code: 'not-running'})
    return false
  }
  return theirs !== readlinkSync(`/proc/self/ns/${kind}`)
}

/**
 * The capability bounding set of process PID, in setpriv's terms: -all, then +cap_N for each
 * capability it keeps. Numbers, not names: the kernel may know capabilities setpriv has no name for.
 */
export function boundingSetOf(pid: number): string {
  const status = readProcFile(pid, 'status')
  const hex = status === undefined ? undefined : /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1]
  if (hex === undefined) throw new UserError(`cannot read the capabilities of the container's init (pid ${pid})`, {code: 'not-running'})
  const lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'))
  const mask = BigInt(`0x${hex}`)
  const kept: string[] = []
  for (let cap = 0; cap <= lastCap; cap++) if ((mask >> BigInt(cap)) & 1n) kept.push(`+cap_${cap}`)
  return ['-all', ...kept].join(',')
}

/** setpriv's arguments that leave a process the bounding set SET and nothing to inherit or keep across exec. */
const confined = (set: string): string[] => ['setpriv', '--bounding-set', set, '--inh-caps', '-all', '--ambient-caps', '-all', '--']

/**
 * The argv prefix that runs a program (an absolute path inside the container, given after it)
 * in the container whose PID 1 is LEADER, with that process's namespaces and bounding set (see
 * the top of this file). Everything in it is a host program run on the host's side.
 */
export function enterContainer(leader: number): string[] {
  const target = String(leader)
  // A process in our own mount or PID namespace is no container's init (a supervisor's mistake,
  // a recycled pid): nothing is run in the host's namespaces in its name.
  if (!hasOwn(leader, 'mnt') || !hasOwn(leader, 'pid')) throw new UserError(`process ${leader} is not a container's init: it shares the host's namespaces`)
  const set = boundingSetOf(leader)
  const rest = ['nsenter', '--target', target, ...namespaces.filter(([kind]) => hasOwn(leader, kind)).map(([, option]) => option), '--']
  if (!hasOwn(leader, 'user')) return [...confined(set), ...rest]
  // nsenter becomes root of the user namespace (uid 0 there, the container's base uid here), still
  // in the host's mount namespace: setpriv and nsenter after it are the host's files, found by
  // absolute path, as the unprivileged uid the guest's root is on the host.
  return ['nsenter', '--target', target, '--user', '--', ...confined(set).map((arg, i) => i === 0 ? hostProgram(arg) : arg),
    hostProgram('nsenter'), ...rest.slice(1)]
}

/** PROGRAM's absolute path on the host, from our PATH (after nsenter --user, nothing is looked up for us). */
function hostProgram(program: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (!dir.startsWith('/')) continue
    try {
      accessSync(`${dir}/${program}`, constants.X_OK)
      return `${dir}/${program}`
    } catch {
      // Not there.
    }
  }
  throw new UserError(`cannot enter the container: ‘${program}’ not found on PATH (util-linux)`)
}

/**
 * The environment of what enters a container: the host's PATH (for the host programs that enter
 * it; a login shell inside sets its own) and TERM, nothing else of the tool's.
 */
export function containerEnvironment(): Record<string, string> {
  const env: Record<string, string> = {PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}
  if (process.env.TERM) env.TERM = process.env.TERM
  return env
}

/**
 * Closes every descriptor above 2 that a child would inherit: ones this process was given open
 * by its parent (Node and libuv open their own with O_CLOEXEC), which would reach the guest through
 * nsenter, a host directory among them (a way out of the container's root).
 */
export function closeInherited(): void {
  let entries: string[]
  try {
    entries = readdirSync('/proc/self/fd')
  } catch {
    return
  }
  for (const entry of entries) {
    const fd = Number(entry)
    if (!Number.isInteger(fd) || fd <= 2) continue
    const flags = /^flags:\s*([0-7]+)$/m.exec(readProcFile('self', `fdinfo/${fd}`) ?? '')?.[1]
    if (flags === undefined || (Number.parseInt(flags, 8) & O_CLOEXEC) !== 0) continue
    try {
      closeSync(fd)
    } catch {
      // Closed meanwhile (the directory listing's own descriptor).
    }
  }
}
