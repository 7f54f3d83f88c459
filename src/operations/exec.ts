// Running things inside a running container: commands (run), shells (root-login, login) and the
// activation of a new system. All enter the container through lib/container-entry.ts, with every
// namespace and no more capabilities than the container's own init has, because everything they
// run there (su, login, the shell that finds them, switch-to-configuration) is the guest's.
//
// Sessions (run, root-login, login) in a container whose PID 1 is systemd become a scope of the
// container's own systemd (systemd-run --scope): the guest's shutdown then stops them like any
// login session, with SIGHUP, instead of waiting for processes it does not know. A scope, unlike
// a service (systemd-run --wait), runs the command in our process with our stdio and terminal,
// so its exit status (128+N for a signal) arrives unchanged, and no client waits on the guest's
// bus meanwhile (a reload of the guest's systemd during the command cannot hang it: the reason
// upstream reverted its move to systemd-run services, nixpkgs PR 83392).
// Activation (switch-to-configuration) is no session: it runs without systemd-run, as the NixOS
// unit's ExecReload does (but confined as every other entry is).
import {spawnSync} from 'node:child_process'

import type {OperationContext} from './context.js'
import type {Supervisor} from '../contract/supervisor.js'
import {singleQuoted} from '../lib/argv.js'
import {closeInherited, containerEnvironment, enterContainer} from '../lib/container-entry.js'
import {type Container, systemPathInside} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {machinedRuns, machineRegistered} from '../lib/machined.js'
import type {LogSink} from '../lib/nix.js'
import {runsSystemd} from '../lib/proc.js'

/**
 * The leader of a running container. One that is still booting is waited for, up to `timeoutMs`,
 * so a session never lands in a half-booted system.
 */
export async function requireLeader(supervisor: Supervisor, container: Container, timeoutMs = 0): Promise<number> {
  const leader = supervisor.waitReady
    ? await supervisor.waitReady(container, timeoutMs)
    : await supervisor.leader(container)
  if (leader !== undefined) return leader
  if (timeoutMs > 0 && (await supervisor.state(container)) === 'up') {
    throw new UserError(`container ‘${container.name}’ did not finish booting within ${Math.round(timeoutMs / 1000)} s`)
  }
  throw new UserError(`container ‘${container.name}’ is not running`, {code: 'not-running'})
}

/** Where a session's programs may be in a container, in order of preference. */
const programCandidates = {
  // The setuid wrapper comes last: root needs none, and exec'ing a setuid file would drop the
  // parent-death signal and other state we hand down.
  su: ['/run/current-system/sw/bin/su', '/run/wrappers/bin/su', '/bin/su', '/usr/bin/su'],
  login: ['/run/current-system/sw/bin/login', '/bin/login', '/usr/bin/login'],
  systemdRun: ['/run/current-system/sw/bin/systemd-run'],
}
type Program = keyof typeof programCandidates

/**
 * For each of WANTED, the first of its candidates that is an executable in the container, all
 * looked up at once (one entry, on every session's path) by the container's own shell, entered as
 * every session is: it is the guest's program. Not through /proc/LEADER/root/PATH from here: an
 * absolute link the guest planted on the way would be resolved against the host's root, telling
 * the guest (by the program then chosen) whether a host path exists. Only lines that are one of
 * our own KEY=PATH arguments count: the shell may print anything.
 */
function containerPrograms(leader: number, wanted: Program[]): Partial<Record<Program, string>> {
  // Arguments are KEY=PATH; the first executable PATH of each KEY is printed.
  const script = 'found=" "; for arg; do key=${arg%%=*}; case "$found" in *" $key "*) continue;; esac; '
    + 'if [ -f "${arg#*=}" ] && [ -x "${arg#*=}" ]; then echo "$arg"; found="$found$key "; fi; done'
  const args = wanted.flatMap((key) => programCandidates[key].map((candidate) => `${key}=${candidate}`))
  const [command, ...enter] = [...enterContainer(leader), '/run/current-system/sw/bin/sh', '-c', script, 'sh', ...args]
  closeInherited()
  // setsid: no controlling terminal of ours for the guest's shell to open as /dev/tty.
  const looked = spawnSync('setsid', [command, ...enter],
    {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000, env: containerEnvironment(), maxBuffer: 64 * 1024})
  const found: Partial<Record<Program, string>> = {}
  for (const line of (looked.stdout ?? '').split('\n')) {
    if (!args.includes(line)) continue
    const key = line.slice(0, line.indexOf('=')) as Program
    found[key] = line.slice(key.length + 1)
  }
  return found
}

/**
 * A session's command line: PROGRAM (su or login) with ARGS, in a systemd container under a scope
 * of its systemd (see the top of this file); the scope's SIGHUP on stop ends login shells, which ignore SIGTERM;
 * what ignores both is killed after TimeoutStopSec.
 */
function sessionCommandLine({leader, cgroups}: Session, what: string, program: 'login' | 'su', args: string[]): string[] {
  const found = containerPrograms(leader, runsSystemd(leader) ? [program, 'systemdRun'] : [program])
  const main = found[program]
  if (!main) {
    throw new UserError(program === 'su'
      ? 'the container has no su (looked in /run/current-system/sw/bin, /run/wrappers/bin, /bin, /usr/bin)'
      : 'the container has no login program')
  }
  const enter = [...joinCgroups(cgroups), ...enterContainer(leader)]
  const scope = found.systemdRun === undefined ? [] : [found.systemdRun, '--scope', '--quiet', '--collect', `--description=nixos-container ${what}`,
    '--property=SendSIGHUP=yes', '--property=TimeoutStopSec=5s', '--']
  return [...enter, ...scope, main, ...args]
}

/**
 * A session started from the host is the host's child: it first moves itself into the container's
 * cgroups (their cgroup.procs files, from the supervisor), so the container's limits hold for it
 * and it counts among the container's processes. Best effort: a group that refuses it is skipped.
 */
function joinCgroups(procsFiles: string[]): string[] {
  if (procsFiles.length === 0) return []
  return ['/bin/sh', '-c', 'while [ "$1" != -- ]; do echo $$ 2>/dev/null > "$1"; shift; done; shift; exec "$@"', 'sh', ...procsFiles, '--']
}

/** A running container as a session reaches it: its leader, and the cgroups a session joins. */
export interface Session {
  leader: number
  cgroups: string[]
}

/** The session of a running container (waiting up to timeoutMs for one that is booting). */
export async function requireSession(supervisor: Supervisor, container: Container, timeoutMs = 0): Promise<Session> {
  const leader = await requireLeader(supervisor, container, timeoutMs)
  return {leader, cgroups: (await supervisor.sessionCgroups?.(container)) ?? []}
}

/** Quotes each argument for `su -c` exactly as upstream does: '…' with ' as '\''. */
export function shellQuote(args: string[]): string {
  return args.map(singleQuoted).join(' ')
}

/** What `run` may change of the login shell a command runs in. */
export interface RunSettings {
  /** Whose login shell (default root). */
  user?: string
  /** Variables set for the command, NAME=VALUE each. */
  env?: string[]
  /** The directory the command starts in (default the user's home). */
  chdir?: string
}

/**
 * Refuses settings the login shell's command line could not carry as they are: a user name that
 * su would take for an option, a variable name the shell cannot set, a relative directory.
 */
export function checkRunSettings({user, env = [], chdir}: RunSettings): void {
  if (user !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(user)) {
    throw new UserError(`--user: ‘${user}’ is not a user name`, {code: 'invalid-argument'})
  }
  for (const assignment of env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(assignment)) throw new UserError(`--setenv: ‘${assignment}’ is not NAME=VALUE`, {code: 'invalid-argument'})
  }
  if (chdir !== undefined && !chdir.startsWith('/')) throw new UserError(`--chdir: ‘${chdir}’ is not an absolute path in the container`, {code: 'invalid-argument'})
}

/**
 * The line `su USER -l -c` runs: each variable exported and the directory entered after the
 * login shell has set up its own environment, then the command exec'd with each argument quoted
 * exactly as upstream quotes it. Without settings it is upstream's `exec 'ARG' …`.
 */
export function loginShellLine(args: string[], {env = [], chdir}: RunSettings = {}): string {
  const exports = env.map((assignment) => `export ${singleQuoted(assignment)}; `).join('')
  const cd = chdir === undefined ? '' : `cd ${singleQuoted(chdir)} && `
  return `${exports}${cd}exec ${shellQuote(args)}`
}

/** argv that runs ARGS in a login shell of root (or settings.user) inside the container. */
export function runCommandLine(session: Session, args: string[], settings: RunSettings = {}): string[] {
  return sessionCommandLine(session, 'run', 'su', [settings.user ?? 'root', '-l', '-c', loginShellLine(args, settings)])
}

export function rootLoginCommandLine(session: Session): string[] {
  return sessionCommandLine(session, 'root-login', 'su', ['root', '-l'])
}

/** The supervisor's login (machinectl login where machined knows the container), else the container's own login program. */
export async function loginCommandLine(supervisor: Supervisor, container: Container, timeoutMs = 0): Promise<string[]> {
  const session = await requireSession(supervisor, container, timeoutMs)
  const viaSupervisor = await supervisor.loginCommand?.(container, session.leader)
  if (viaSupervisor) return viaSupervisor
  return directLoginCommandLine(session)
}

/**
 * Login for users other than root, as upstream documents it ("available to all users"): only
 * through machined, which asks polkit; entering the namespaces ourselves would need root.
 */
export async function machinedLoginCommandLine(container: Container): Promise<string[]> {
  const why = !machinedRuns() ? 'which does not run on this host'
    : !(await machineRegistered(container.name)) ? `which does not know container ‘${container.name}’ (not running, or not under the systemd supervisor)`
    : undefined
  if (why) throw new UserError(`login as a user other than root goes through systemd-machined, ${why}; ask root (sudo nixos-container login ${container.name})`)
  return ['machinectl', 'login', container.name]
}

/** A getty-style login prompt, for hosts where machinectl cannot reach the container. */
function directLoginCommandLine(session: Session): string[] {
  return sessionCommandLine(session, 'login', 'login', [])
}

/** Activates the container's current system in it: through the supervisor (systemctl reload), else directly. */
export async function reloadContainer(supervisor: Supervisor, container: Container, log: LogSink): Promise<void> {
  if (supervisor.reload) return supervisor.reload(container, log)
  return activate(await requireLeader(supervisor, container), container, log)
}

/**
 * Activates the system the container's profile now points at, inside the running container: what
 * update does after a build and rollback after switching generations.
 */
export async function activateNewSystem({supervisor, progress}: Pick<OperationContext, 'supervisor' | 'progress'>, container: Container): Promise<void> {
  // Upstream's words, on stderr.
  progress.note('reloading container...')
  await progress.run([{
    title: `Activating the new system in container ${container.name}`,
    run: (log) => reloadContainer(supervisor, container, log),
  }])
}

/** Runs SYSTEM/bin/switch-to-configuration test inside the container whose PID 1 is `leader`. */
export async function activate(leader: number, container: Container, log: LogSink): Promise<void> {
  const {execa} = await import('execa')
  const [command, ...args] = [...enterContainer(leader), `${systemPathInside(container.conf)}/bin/switch-to-configuration`, 'test']
  closeInherited()
  // A session of its own (detached: setsid), so the guest's program cannot open our terminal as /dev/tty.
  const child = execa(command, args, {reject: false, all: true, stdin: 'ignore', detached: true, env: containerEnvironment(), extendEnv: false})
  child.all?.setEncoding('utf8')
  child.all?.on('data', (chunk: string) => chunk.split('\n').forEach((line) => log(line)))
  const result = await child
  if (result.failed) throw new UserError(`failed to reload container: switch-to-configuration exited with ${result.exitCode ?? result.signal}`)
}
