// Running a session's process (run, login, root-login) and handing back its exit status.
//
// The session is the guest's code (exec.ts), so it never gets the admin's terminal: a process
// holding a descriptor of it could push keystrokes into it (TIOCSTI, which the container's
// CAP_SYS_ADMIN allows on any terminal) that the admin's shell would run as host root once the
// session ends, and a process whose controlling terminal it is could open it as /dev/tty. So:
// - with a terminal on both standard input and output (an interactive session), the session gets
//   a pseudo-terminal of its own, relayed by util-linux's script(1) as machinectl shell relays
//   one; a standard error that is not a terminal (2>file) is kept apart, as without a terminal;
// - otherwise it runs in a session of its own (setsid: no controlling terminal), and whichever of
//   its standard streams is a terminal is relayed through a pipe.
// Either way it is never in the terminal's foreground process group: Ctrl-C and other signals
// reach it through us (forwardSignals), or as keys on its own terminal.
import {type ChildProcess, spawn, type StdioOptions} from 'node:child_process'
import {constants} from 'node:os'
import {isatty} from 'node:tty'

import {singleQuoted} from '../lib/argv.js'
import {closeInherited, containerEnvironment} from '../lib/container-entry.js'
import {UserError} from '../lib/errors.js'
import {children} from '../lib/proc.js'

/** Exit status of a process that ended by signal, as a shell reports it: 128+N. */
export function signalExitStatus(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0)
}

/** Everything below `pid`: what nsenter runs in the container, and what that started. */
function descendants(pid: number): number[] {
  return children(pid).flatMap((child) => [child, ...descendants(child)])
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {
      // Gone meanwhile.
    }
  }
}

/**
 * Signals sent to the CLI are passed on to the command in the container, so nothing stays running
 * there after the CLI has gone (nsenter does not forward them itself). A hang-up also continues
 * anything stopped, as the kernel does for orphaned groups.
 */
function forwardSignals(child: number): () => void {
  const forwarded: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP']
  const handlers = new Map<NodeJS.Signals, () => void>()
  for (const signal of forwarded) {
    const handler = (): void => {
      const inside = descendants(child)
      signalAll(inside, signal)
      if (signal === 'SIGHUP') signalAll([child, ...inside], 'SIGCONT')
    }
    handlers.set(signal, handler)
    process.on(signal, handler)
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}

/** How a session's standard streams reach it: each 'inherit' (not a terminal), or 'pipe' (relayed). */
type Streams = ['inherit' | 'pipe', 'inherit' | 'pipe', 'inherit' | 'pipe']

const relayedTerminals = (): Streams => [0, 1, 2].map((fd) => isatty(fd) ? 'pipe' : 'inherit') as Streams

/** Copies our terminal to the child's pipes and back; returns what stops copying. */
function relay(child: ChildProcess, streams: Streams): () => void {
  if (streams[0] === 'pipe') {
    child.stdin!.on('error', () => {})
    process.stdin.pipe(child.stdin!)
  }
  if (streams[1] === 'pipe') child.stdout!.pipe(process.stdout)
  if (streams[2] === 'pipe') child.stderr!.pipe(process.stderr)
  return () => {
    if (streams[0] !== 'pipe') return
    process.stdin.unpipe(child.stdin!)
    process.stdin.destroy()
  }
}

/** What runs ARGV: on a pseudo-terminal of its own, or in a session of its own with terminals relayed. */
function sessionSpawn(argv: string[]): {command: string; args: string[]; stdio: StdioOptions; detached: boolean; streams: Streams; env: Record<string, string>} {
  const env = containerEnvironment()
  if (isatty(0) && isatty(1)) {
    // script(1) runs the line with $SHELL -c; a standard error that is no terminal comes as fd 3.
    const keepStderr = !isatty(2)
    const line = `${keepStderr ? 'exec 2>&3 3>&-; ' : ''}exec ${argv.map(singleQuoted).join(' ')}`
    return {
      command: 'script', args: ['--quiet', '--return', '--command', line, '/dev/null'],
      stdio: keepStderr ? ['inherit', 'inherit', 'inherit', 2] : 'inherit', detached: false, streams: ['inherit', 'inherit', 'inherit'],
      env: {...env, SHELL: '/bin/sh'},
    }
  }
  const streams = relayedTerminals()
  return {command: argv[0], args: argv.slice(1), stdio: streams, detached: true, streams, env}
}

/** Runs a session; resolves to its exit status (128+N for a signal, like a shell). */
export function runInteractive(argv: string[]): Promise<number> {
  closeInherited()
  const {command, args, stdio, detached, streams, env} = sessionSpawn(argv)
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio, detached, env})
    const stopForwarding = child.pid === undefined ? () => {} : forwardSignals(child.pid)
    const stopRelay = relay(child, streams)
    child.once('error', (error) => {
      stopForwarding()
      stopRelay()
      reject(new UserError(`cannot run ${command}: ${error.message}`))
    })
    // 'close', not 'exit': relayed output is all written by then.
    child.once('close', (code, signal) => {
      stopForwarding()
      stopRelay()
      resolve(code ?? (signal ? signalExitStatus(signal) : 128))
    })
  })
}

export interface CapturedRun {
  name?: string
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs with stdout and stderr captured (run --json), in a session of its own; signals reach the command as in runInteractive. */
export async function runCaptured(argv: string[]): Promise<CapturedRun> {
  const {execa} = await import('execa')
  closeInherited()
  const [command, ...args] = argv
  const stdin = isatty(0) ? 'pipe' : 'inherit'
  const child = execa(command, args, {reject: false, stdin, stripFinalNewline: false, detached: true, env: containerEnvironment(), extendEnv: false})
  // Our listeners also keep execa's signal-exit from re-raising the signal and killing the CLI,
  // and the command in the container with it unreached (issue 16 #10).
  const stopForwarding = child.pid === undefined ? () => {} : forwardSignals(child.pid)
  const stopRelay = relay(child, [stdin, 'inherit', 'inherit'])
  try {
    const result = await child
    const exitCode = result.exitCode ?? (result.signal ? signalExitStatus(result.signal) : 128)
    return {exitCode, stdout: String(result.stdout), stderr: String(result.stderr)}
  } finally {
    stopForwarding()
    stopRelay()
  }
}
