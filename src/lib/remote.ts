// --host: a command acts on another machine's containers by running this same tool there over the
// user's own ssh (their config, agent and known_hosts; no key handling of ours). This module builds
// the ssh command line, quotes the remote command for the remote shell, checks the remote tool's
// version in the same connection, and turns ssh's failures into one line naming the host.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {constants} from 'node:os'
import path from 'node:path'

import {singleQuoted, takeFromArgv} from './argv.js'
import {packageRoot} from './entry.js'
import {UserError} from './errors.js'
import {interruptedBy, onInterrupt} from './signals.js'

export interface RemoteHost {
  /** As given: [USER@]HOST[:PORT]. */
  spec: string
  /** USER@HOST for ssh and ssh-ng:// (an IPv6 address without its brackets). */
  destination: string
  port?: number
  /** `local` or `localhost`: this machine, without ssh. */
  local: boolean
}

/** The hosts and ssh options of one command line. */
export interface RemoteTarget {
  hosts: RemoteHost[]
  /** ssh arguments, each --ssh-option split at white space (as Nix splits NIX_SSHOPTS). */
  sshOptions: string[]
}

export function parseHost(spec: string, named: Record<string, string> = {}, flag = '--host'): RemoteHost {
  // A name from the settings file's "hosts": that host, shown by its name.
  if (Object.hasOwn(named, spec)) return {...parseHost(named[spec], {}, flag), spec}
  const match = /^(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(spec)
  const port = match?.[3] === undefined ? undefined : Number(match[3])
  if (!match || (port !== undefined && (port < 1 || port > 65_535))) {
    throw new UserError(`${flag}: ‘${spec}’ is not [USER@]HOST[:PORT]`)
  }
  const [, user, host] = match
  const bare = host.replace(/^\[(.*)\]$/, '$1')
  const local = user === undefined && port === undefined && (bare === 'local' || bare === 'localhost')
  return {spec, destination: user === undefined ? bare : `${user}@${bare}`, port, local}
}

export interface HostDefaults {
  /** The settings file's named hosts. */
  named?: Record<string, string>
  /** Without --host or NIXOS_CONTAINER_HOST, these (list: this machine and every named host). */
  fallback?: string[]
}

/**
 * Takes --host and --ssh-option (either form, `--x V` or `--x=V`) out of ARGV up to a `--`, so the
 * rest can be sent to the remote tool as it is. No --host: NIXOS_CONTAINER_HOST, if set, else
 * DEFAULTS.fallback. A host named in the settings file is that host. The ssh options are also
 * returned alone: --build-host without --host uses them.
 */
export function takeRemoteFlags(argv: string[], env: NodeJS.ProcessEnv = process.env, defaults: HostDefaults = {}): {argv: string[]; target?: RemoteTarget; sshOptions: string[]} {
  const hosts: string[] = []
  const options: string[] = []
  let buildHost = false
  const rest = takeFromArgv(argv, (arg, next) => {
    const flag = /^--(host|ssh-option)(?:=(.*))?$/s.exec(arg)
    if (/^--build-host(=|$)/.test(arg)) buildHost = true
    if (!flag) return 0
    const value = flag[2] ?? next[0]
    if (value === undefined) throw new UserError(`--${flag[1]} needs a value`)
    ;(flag[1] === 'host' ? hosts : options).push(value)
    return flag[2] === undefined ? 2 : 1
  })
  if (hosts.length === 0 && env.NIXOS_CONTAINER_HOST) hosts.push(...env.NIXOS_CONTAINER_HOST.split(/[\s,]+/).filter(Boolean))
  if (hosts.length === 0) hosts.push(...(defaults.fallback ?? []))
  const sshOptions = options.flatMap((o) => o.split(/\s+/).filter(Boolean))
  if (hosts.length === 0) {
    if (options.length > 0 && !buildHost) throw new UserError('--ssh-option needs --host or --build-host')
    return {argv: rest, sshOptions}
  }
  return {argv: rest, target: {hosts: hosts.map((spec) => parseHost(spec, defaults.named)), sshOptions}, sshOptions}
}

/** ARG as one word for a POSIX shell: as it is when nothing in it is special, else single-quoted. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(arg) ? arg : singleQuoted(arg)
}

/** ssh's options for HOST: the user's, then the port. Also what NIX_SSHOPTS gets for nix copy. */
export function sshOptionsFor(host: RemoteHost, sshOptions: string[]): string[] {
  return [...sshOptions, ...(host.port === undefined ? [] : ['-p', String(host.port)])]
}

/** This tool's version, as `--version` prints it first: nixos-container/X.Y.Z. */
export function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {name: string; version: string}
  return `${pkg.name}/${pkg.version}`
}

/** The remote versions this one works with: the same major (the same minor while 0.x), as a shell pattern. */
export function compatiblePattern(version = ownVersion()): string {
  const [name, number] = version.split('/')
  const [major, minor] = number.split('.')
  return major === '0' ? `${name}/0.${minor}.*` : `${name}/${major}.*`
}

// The remote script's lines to us start with this (RS, a character no tool prints) on stderr.
const marker = '\u001Enc-remote'

/**
 * The remote shell's word for PID's start time (as lib/proc.ts startTicks reads it: field 22 of
 * /proc/PID/stat, counted after the command name, which may hold ') ').
 */
function remoteStartTicks(pid: string): string {
  return `"$(sed 's/.*) //' /proc/${pid}/stat 2>/dev/null | cut -d' ' -f20)"`
}

// The remote script's pieces: the marker in $M, a failure said with it, the check for Nix.
const markerFail = (what: string): string => `{ printf '%s ${what}\\n' "$M" >&2; exit 255; }`
const markerSet = `M=$(printf '\\036')nc-remote`
const nixCheck = `command -v nix-store >/dev/null 2>&1 || ${markerFail('no-nix')}`

/**
 * The one command the remote shell runs: check the tool (and Nix when needed), say so on stderr
 * with the marker, then exec the tool with ARGV.
 */
export function remoteCommand(argv: string[], {needsNix = false, stdin = false} = {}): string {
  const script = [
    markerSet,
    `v=$(nixos-container --version 2>/dev/null) || ${markerFail('no-tool')}`,
    `case "$v" in ${compatiblePattern()}) ;; *) printf '%s version %s\\n' "$M" "$v" >&2; exit 255;; esac`,
    ...(needsNix ? [nixCheck] : []),
    // $$: the pid the tool will have (exec), and its start time: see interruptRemote.
    `printf '%s ok %s %s\\n' "$M" "$$" ${remoteStartTicks('$$')} >&2`,
  ].join('\n')
  return execTool(argv, script, {hangUp: !stdin})
}

/**
 * `sh -c` running SCRIPT, then the tool with ARGV. Wrapped so a login shell that is not POSIX
 * (fish, nushell) runs it all the same; a NIXOS_CONTAINER_HOST in the host's own environment must
 * not send the command on again.
 */
function execTool(argv: string[], script = '', {hangUp = false} = {}): string {
  const exec = `exec nixos-container ${argv.map(shellQuote).join(' ')}`
  // Without data on stdin, stdin is the connection (see hangUpFd): given to the tool as fd 3.
  const lines = ['unset NIXOS_CONTAINER_HOST', script, hangUp ? `exec 3<&0 </dev/null; ${hangUpVariable}=3 ${exec}` : exec]
  return `sh -c ${shellQuote(lines.filter(Boolean).join('\n'))}`
}

/**
 * Commands that read no stdin get a pipe from us as their ssh stdin instead of /dev/null, never
 * written and closed only when this process ends; the remote tool watches it (bin/run.js) and
 * takes its end as a hang-up. So a dropped connection or a Ctrl-C here stops the remote command
 * as a Ctrl-C there would: an unfinished create or update is undone, not left half-made.
 */
export const hangUpVariable = 'NIXOS_CONTAINER_HANGUP_FD'

export function sshArgv(host: RemoteHost, sshOptions: string[], command: string, {tty = false} = {}): string[] {
  return [...sshOptionsFor(host, sshOptions), ...(tty ? ['-t'] : []), '--', host.destination, command]
}

/** A host that cannot be used: one line naming it; exit 255, as ssh's own failures. */
export class RemoteError extends UserError {
  constructor(readonly host: string, reason: string) {
    super(`${host}: ${reason}`, {exitCode: 255, code: 'host-unreachable'})
    this.name = 'RemoteError'
  }
}

/** ssh's stderr when it failed to connect, as one reason. */
export function sshFailure(lines: string[]): string {
  const text = lines.join('\n')
  const known: [RegExp, string][] = [
    [/Could not resolve hostname/i, 'unknown host name'],
    [/timed out/i, 'unreachable (connection timed out)'],
    [/Connection refused/i, 'unreachable (connection refused: no ssh server there?)'],
    [/No route to host|Network is unreachable/i, 'unreachable (no route to host)'],
    [/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i, 'host key verification failed (is it in your known_hosts?)'],
    [/Permission denied/i, 'authentication refused (check your ssh key, agent or --ssh-option -i KEY)'],
    [/Connection (closed|reset)|Broken pipe/i, 'connection lost'],
  ]
  const found = known.find(([pattern]) => pattern.test(text))
  return found ? found[1] : `ssh failed: ${lines.filter(Boolean).at(-1) ?? 'no reason given'}`
}

/** The marker's reason, as a line for the user. */
function markerFailure(words: string[]): string {
  const [what, ...rest] = words
  const wanted = compatiblePattern().replace('*', 'x')
  if (what === 'no-tool') return `nixos-container is not installed there (or not on the PATH of ssh commands): install ${wanted} there`
  if (what === 'no-nix') return 'Nix is not installed there (nix-store not on the PATH of ssh commands): install Nix there'
  return `it has ${rest.join(' ') || 'an unknown version of nixos-container'}, this is ${ownVersion()}: install ${wanted} there`
}

export interface RemoteRunOptions {
  /** Pass this process's stdin on (run, cp); otherwise ssh -n. */
  stdin?: boolean
  /** A terminal there (ssh -t): interactive commands. */
  tty?: boolean
  /** Capture stdout instead of passing it on. */
  captureStdout?: boolean
  /** The command needs Nix there (create, update). */
  needsNix?: boolean
}

export interface RemoteRunResult {
  exitCode: number
  stdout: string
}

/**
 * Runs the tool on HOST with ARGV. Its stdout, stderr and exit status are passed on as they are;
 * what ssh says before the remote script's "ok" is held back, and a failure to connect or a
 * missing or incompatible tool becomes a RemoteError. With a terminal the remote stderr joins
 * stdout, so the checks run first in a connection of their own.
 */
export async function runRemote(host: RemoteHost, sshOptions: string[], argv: string[], options: RemoteRunOptions = {}): Promise<RemoteRunResult> {
  if (options.tty) {
    await runRemote(host, sshOptions, ['--version'], {captureStdout: true, needsNix: options.needsNix})
    return spawnSsh(host, sshArgv(host, sshOptions, execTool(argv), {tty: true}), {...options, checked: true})
  }
  return spawnSsh(host, sshArgv(host, sshOptions, remoteCommand(argv, options)), {...options, sshOptions, checked: false})
}

/**
 * A build host (--build-host) needs Nix there, not this tool: checked over ssh before anything is
 * evaluated, so a host that cannot be reached or has no Nix is one line naming it (exit 255).
 */
export async function checkNixThere(host: RemoteHost, sshOptions: string[]): Promise<void> {
  const script = [markerSet, nixCheck, `printf '%s ok\\n' "$M" >&2`].join('\n')
  await spawnSsh(host, sshArgv(host, sshOptions, `sh -c ${shellQuote(script)}`), {captureStdout: true, checked: false})
}

/**
 * A command with data on stdin (run, cp) has no hang-up pipe (execTool): its end of input is no
 * sign of a lost connection. Interrupted here (Ctrl-C, SIGTERM), we tell its host through a second
 * connection: SIGINT to the remote tool, which passes it on to the command in the container as it
 * does any signal it gets without a terminal (operations/interactive.ts).
 */
async function interruptRemote(host: RemoteHost, sshOptions: string[], pid: string, started: string): Promise<void> {
  // Only if PID is still our command (the same start time), never a process that took its number.
  const command = `[ ${remoteStartTicks(pid)} = ${started} ] && kill -INT ${pid}`
  const child = spawn('ssh', sshArgv(host, [...sshOptions, '-o', 'ConnectTimeout=5'], command), {stdio: 'ignore'})
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await new Promise((resolve) => child.once('close', resolve).once('error', resolve))
  clearTimeout(timer)
}

function spawnSsh(host: RemoteHost, args: string[], options: RemoteRunOptions & {checked: boolean; sshOptions?: string[]}): Promise<RemoteRunResult> {
  return new Promise((resolve, reject) => {
    let remote: {pid: string; started: string} | undefined
    let told: Promise<void> | undefined
    const tellRemote = (): Promise<void> | undefined =>
      remote === undefined ? undefined : (told ??= interruptRemote(host, options.sshOptions!, remote.pid, remote.started))
    const forget = options.stdin && !options.checked && options.sshOptions ? onInterrupt(tellRemote) : () => {}
    const child = spawn('ssh', args, {
      // Not the user's stdin: the hang-up pipe (execTool), left open until this process ends.
      stdio: [options.stdin || options.tty ? 'inherit' : 'pipe', options.captureStdout ? 'pipe' : 'inherit', options.checked ? 'inherit' : 'pipe'],
    })
    let stdout = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    // Until the marker says the tool runs, ssh's lines are held: they are the connection's.
    let passing = options.checked
    let partial = ''
    const held: string[] = []
    let failure: string | undefined
    child.stderr?.on('data', (chunk: Buffer) => {
      if (passing) {
        process.stderr.write(chunk)
        return
      }
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop()!
      for (const [i, line] of lines.entries()) {
        if (!line.startsWith(marker + ' ')) {
          held.push(line)
          continue
        }
        const words = line.slice(marker.length + 1).split(' ')
        if (words[0] !== 'ok') {
          failure = markerFailure(words)
          continue
        }
        passing = true
        if (/^\d+$/.test(words[1] ?? '') && /^\d+$/.test(words[2] ?? '')) remote = {pid: words[1], started: words[2]}
        // What ssh said before (a "Warning: Permanently added …") is the user's to see.
        const rest = [...held, ...lines.slice(i + 1)].map((l) => l + '\n').join('') + partial
        if (rest) process.stderr.write(rest)
        return
      }
    })
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new RemoteError(host.spec, 'ssh is not installed here') : error)
    })
    child.once('close', async (code, signal) => {
      child.stdin?.destroy()
      const exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal])
      // ssh killed, or ended by a signal (it says "Killed by signal N" and exits 255): the connection
      // may be gone with the command still running there. A command without stdin data hangs up
      // there by itself; one with (run, cp) is told, as the signal may reach ssh before us.
      if ((signal !== null || code === 255) && options.stdin && !options.checked) await tellRemote()
      if (!interruptedBy()) forget()
      if (signal !== null && !interruptedBy()) return reject(new RemoteError(host.spec, `connection lost (ssh killed by ${signal})`))
      if (!passing) {
        if (failure) return reject(new RemoteError(host.spec, failure))
        if (exitCode !== 0) return reject(new RemoteError(host.spec, sshFailure([...held, partial])))
      }
      resolve({exitCode, stdout})
    })
  })
}
