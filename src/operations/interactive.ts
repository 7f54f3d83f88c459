// Running a process with our terminal (run, login, root-login) and handing back its exit status.
import {spawn} from 'node:child_process'

import {UserError} from '../lib/errors.js'

/** Runs with stdio inherited; resolves to the exit status (128+N for a signal, like a shell). */
export function runInteractive(argv: string[]): Promise<number> {
  const [command, ...args] = argv
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: 'inherit'})
    // The child shares our terminal and gets Ctrl-C itself; we only wait for it.
    const ignore = (): void => {}
    process.on('SIGINT', ignore)
    process.on('SIGQUIT', ignore)
    child.once('error', (error) => reject(new UserError(`cannot run ${command}: ${error.message}`)))
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore)
      process.off('SIGQUIT', ignore)
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0))
    })
  })
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15}
  return numbers[signal] ?? 1
}

export interface CapturedRun {
  name?: string
  exitCode: number
  stdout: string
  stderr: string
}

export async function runCaptured(argv: string[]): Promise<CapturedRun> {
  const {execa} = await import('execa')
  const [command, ...args] = argv
  const result = await execa(command, args, {reject: false, stdin: 'inherit', stripFinalNewline: false})
  return {exitCode: result.exitCode ?? 128, stdout: String(result.stdout), stderr: String(result.stderr)}
}
