// Running a short host command and collecting its output, for the paths every start, stop and
// status takes (ip, mkfifo, systemctl). node:child_process alone: loading execa costs ~90 ms, more
// than the commands themselves; execa stays where its extras pay (streamed Nix logs, captured runs).
import {spawn} from 'node:child_process'

export interface CommandResult {
  exitCode?: number
  signal?: NodeJS.Signals
  stdout: string
  stderr: string
  /** Did not run, or did not exit 0. */
  failed: boolean
  timedOut: boolean
  /** Why it could not run at all (ENOENT…), if so. */
  error?: Error
}

export interface CommandOptions {
  input?: string
  timeoutMs?: number
}

export function runCommand(argv: string[], {input, timeoutMs}: CommandOptions = {}): Promise<CommandResult> {
  const [command, ...args] = argv
  return new Promise((resolve) => {
    const child = spawn(command, args, {stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    const finish = (result: Partial<CommandResult>): void => {
      clearTimeout(timer)
      resolve({stdout, stderr, timedOut, failed: result.exitCode !== 0, ...result})
    }
    child.once('error', (error) => finish({error}))
    child.once('close', (code, signal) => finish({exitCode: code ?? undefined, signal: signal ?? undefined}))
    if (input !== undefined) {
      // A command that exits without reading all of its input must not crash us (EPIPE).
      child.stdin!.on('error', () => {})
      child.stdin!.end(input)
    }
  })
}

/** The first line of a failed command's complaint, for a one-line error. */
export function failureReason(result: CommandResult): string {
  if (result.error) return result.error.message
  if (result.timedOut) return 'timed out'
  return result.stderr.split('\n').find((line) => line.trim()) ?? `exited with ${result.exitCode ?? result.signal}`
}
