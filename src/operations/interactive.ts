// Running a session's process (run, login, root-login) and handing back its exit status.
import {spawn} from 'node:child_process'
import {constants} from 'node:os'

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
 * there after the CLI has gone (nsenter does not forward them itself). From a terminal, Ctrl-C and
 * Ctrl-\ already reach the whole foreground process group, the command included: those are not
 * sent twice. A hang-up also continues anything stopped, as the kernel does for orphaned groups.
 */
function forwardSignals(child: number, fromTerminal: boolean): () => void {
  const forwarded: NodeJS.Signals[] = fromTerminal ? ['SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP']
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
  // Ctrl-C and Ctrl-\ at the terminal are the command's to act on; the CLI waits for it.
  const ignore = (): void => {}
  const ignored: NodeJS.Signals[] = fromTerminal ? ['SIGINT', 'SIGQUIT'] : []
  for (const signal of ignored) process.on(signal, ignore)
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
    for (const signal of ignored) process.off(signal, ignore)
  }
}

/** Runs with stdio inherited; resolves to the exit status (128+N for a signal, like a shell). */
export function runInteractive(argv: string[]): Promise<number> {
  const [command, ...args] = argv
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: 'inherit'})
    const stopForwarding = child.pid === undefined ? () => {} : forwardSignals(child.pid, Boolean(process.stdin.isTTY))
    child.once('error', (error) => {
      stopForwarding()
      reject(new UserError(`cannot run ${command}: ${error.message}`))
    })
    child.once('exit', (code, signal) => {
      stopForwarding()
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

/** Runs with stdout and stderr captured (run --json); signals reach the command as in runInteractive. */
export async function runCaptured(argv: string[]): Promise<CapturedRun> {
  const {execa} = await import('execa')
  const [command, ...args] = argv
  const child = execa(command, args, {reject: false, stdin: 'inherit', stripFinalNewline: false})
  // Our listeners also keep execa's signal-exit from re-raising the signal and killing the CLI,
  // and the command in the container with it unreached (issue 16 #10).
  const stopForwarding = child.pid === undefined ? () => {} : forwardSignals(child.pid, Boolean(process.stdin.isTTY))
  try {
    const result = await child
    const exitCode = result.exitCode ?? (result.signal ? signalExitStatus(result.signal) : 128)
    return {exitCode, stdout: String(result.stdout), stderr: String(result.stderr)}
  } finally {
    stopForwarding()
  }
}
