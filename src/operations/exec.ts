// Running things inside a running container: commands (run), shells (root-login, login) and the
// activation of a new system. All enter the container's namespaces with the host's nsenter, so
// the container's processes see them as their own.
//
// Sessions (run, root-login, login) in a container whose PID 1 is systemd become a scope of the
// container's own systemd (systemd-run --scope): the guest's shutdown then stops them like any
// login session, with SIGHUP, instead of waiting for processes it does not know. A scope, unlike
// a service (systemd-run --wait), runs the command in our process with our stdio and terminal,
// so its exit status (128+N for a signal) arrives unchanged, and no client waits on the guest's
// bus meanwhile (a reload of the guest's systemd during the command cannot hang it: the reason
// upstream reverted its move to systemd-run services, nixpkgs PR 83392).
// Activation (switch-to-configuration) is no session: it runs with plain nsenter, as the NixOS
// unit's ExecReload does.
import {existsSync} from 'node:fs'

import type {Supervisor} from '../contract/supervisor.js'
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
  throw new UserError(`container ‘${container.name}’ is not running`)
}

export function nsenterPrefix(leader: number): string[] {
  return ['nsenter', '-t', String(leader), '-m', '-u', '-i', '-n', '-p', '--']
}

/** A program of the container's, looked up through the leader's view of its own file system. */
function containerProgram(leader: number, candidates: string[]): string | undefined {
  return candidates.find((candidate) => existsSync(`/proc/${leader}/root${candidate}`))
}

/**
 * What a session runs under: in a systemd container, a scope of its systemd (see above); the
 * scope's SIGHUP on stop ends login shells, which ignore SIGTERM; what ignores both is killed
 * after TimeoutStopSec.
 */
function sessionPrefix(leader: number, what: string): string[] {
  const systemdRun = runsSystemd(leader) ? containerProgram(leader, ['/run/current-system/sw/bin/systemd-run']) : undefined
  if (!systemdRun) return nsenterPrefix(leader)
  return [...nsenterPrefix(leader), systemdRun, '--scope', '--quiet', '--collect', `--description=nixos-container ${what}`,
    '--property=SendSIGHUP=yes', '--property=TimeoutStopSec=5s', '--']
}

/** The container's su, looked up through the leader's view of its own file system. */
export function containerSu(leader: number): string {
  // The setuid wrapper comes last: root needs none, and exec'ing a setuid file would drop the
  // parent-death signal and other state we hand down.
  const su = containerProgram(leader, ['/run/current-system/sw/bin/su', '/run/wrappers/bin/su', '/bin/su', '/usr/bin/su'])
  if (su) return su
  throw new UserError('the container has no su (looked in /run/current-system/sw/bin, /run/wrappers/bin, /bin, /usr/bin)')
}


/** Quotes each argument for `su -c` exactly as upstream does: '…' with ' as '\''. */
export function shellQuote(args: string[]): string {
  return args.map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(' ')
}

/** argv that runs ARGS as root in a login shell inside the container. */
export function runCommandLine(leader: number, args: string[]): string[] {
  return [...sessionPrefix(leader, 'run'), containerSu(leader), 'root', '-l', '-c', `exec ${shellQuote(args)}`]
}

export function rootLoginCommandLine(leader: number): string[] {
  return [...sessionPrefix(leader, 'root-login'), containerSu(leader), 'root', '-l']
}

/** The supervisor's login (machinectl login where machined knows the container), else the container's own login program. */
export async function loginCommandLine(supervisor: Supervisor, container: Container, timeoutMs = 0): Promise<string[]> {
  const leader = await requireLeader(supervisor, container, timeoutMs)
  const viaSupervisor = await supervisor.loginCommand?.(container, leader)
  if (viaSupervisor) return viaSupervisor
  return directLoginCommandLine(leader)
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
function directLoginCommandLine(leader: number): string[] {
  const login = containerProgram(leader, ['/run/current-system/sw/bin/login', '/bin/login', '/usr/bin/login'])
  if (!login) throw new UserError('the container has no login program')
  return [...sessionPrefix(leader, 'login'), login]
}

/** Activates the container's current system in it: through the supervisor (systemctl reload), else directly. */
export async function reloadContainer(supervisor: Supervisor, container: Container, log: LogSink): Promise<void> {
  if (supervisor.reload) return supervisor.reload(container, log)
  return activate(await requireLeader(supervisor, container), container, log)
}

/** Runs SYSTEM/bin/switch-to-configuration test inside the container whose PID 1 is `leader`. */
export async function activate(leader: number, container: Container, log: LogSink): Promise<void> {
  const {execa} = await import('execa')
  const [command, ...args] = [...nsenterPrefix(leader), `${systemPathInside(container.conf)}/bin/switch-to-configuration`, 'test']
  const child = execa(command, args, {reject: false, all: true, stdin: 'ignore'})
  child.all?.setEncoding('utf8')
  child.all?.on('data', (chunk: string) => chunk.split('\n').forEach((line) => log(line)))
  const result = await child
  if (result.failed) throw new UserError(`failed to reload container: switch-to-configuration exited with ${result.exitCode ?? result.signal}`)
}
