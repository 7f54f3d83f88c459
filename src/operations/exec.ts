// Running things inside a running container: commands (run), shells (root-login, login) and the
// activation of a new system. All enter the container's namespaces with the host's nsenter, so
// the container's processes see them as their own; they die with the container's PID 1, so they
// never keep it from stopping.
import {existsSync} from 'node:fs'

import type {Supervisor} from '../contract/supervisor.js'
import {type Container, systemPathInside} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import type {LogSink} from '../lib/nix.js'

export async function requireLeader(supervisor: Supervisor, container: Container): Promise<number> {
  const leader = await supervisor.leader(container)
  if (leader === undefined) throw new UserError(`container ‘${container.name}’ is not running`)
  return leader
}

export function nsenterPrefix(leader: number): string[] {
  return ['nsenter', '-t', String(leader), '-m', '-u', '-i', '-n', '-p', '--']
}

/** The container's su, looked up through the leader's view of its own file system. */
export function containerSu(leader: number): string {
  for (const candidate of ['/run/wrappers/bin/su', '/run/current-system/sw/bin/su', '/bin/su', '/usr/bin/su']) {
    if (existsSync(`/proc/${leader}/root${candidate}`)) return candidate
  }
  throw new UserError('the container has no su (looked in /run/wrappers/bin, /run/current-system/sw/bin, /bin, /usr/bin)')
}

/** Quotes each argument for `su -c` exactly as upstream does: '…' with ' as '\''. */
export function shellQuote(args: string[]): string {
  return args.map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(' ')
}

/** argv that runs ARGS as root in a login shell inside the container. */
export function runCommandLine(leader: number, args: string[]): string[] {
  return [...nsenterPrefix(leader), containerSu(leader), 'root', '-l', '-c', `exec ${shellQuote(args)}`]
}

export function rootLoginCommandLine(leader: number): string[] {
  return [...nsenterPrefix(leader), containerSu(leader), 'root', '-l']
}

/** The supervisor's login (machinectl login where machined knows the container), else the container's own login program. */
export async function loginCommandLine(supervisor: Supervisor, container: Container): Promise<string[]> {
  const leader = await requireLeader(supervisor, container)
  const viaSupervisor = await supervisor.loginCommand?.(container, leader)
  if (viaSupervisor) return viaSupervisor
  return directLoginCommandLine(leader)
}

/** A getty-style login prompt, for hosts where machinectl cannot reach the container. */
function directLoginCommandLine(leader: number): string[] {
  for (const candidate of ['/run/current-system/sw/bin/login', '/bin/login', '/usr/bin/login']) {
    if (existsSync(`/proc/${leader}/root${candidate}`)) return [...nsenterPrefix(leader), candidate]
  }
  throw new UserError('the container has no login program')
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
