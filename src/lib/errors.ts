// Errors meant for the user: one line, no stack trace, a chosen exit status, and a stable code.

/**
 * What went wrong, for scripts to branch on (`--json` errors carry it as `code`): messages may be
 * reworded, codes are not. docs/containers.md lists them.
 */
export type ErrorCode =
  | 'not-found' | 'exists' | 'invalid-name' | 'invalid-argument' | 'build-failed' | 'busy' | 'not-running'
  | 'needs-root' | 'declarative' | 'addresses-exhausted' | 'address-in-use' | 'start-failed' | 'host-unreachable'
  | 'error' | 'internal'

export class UserError extends Error {
  readonly exitCode: number
  readonly code: ErrorCode

  /** OPTIONS: the exit status (1 by default) and the code ('error' when none fits better). */
  constructor(message: string, options: number | {exitCode?: number; code?: ErrorCode} = {}) {
    super(message)
    this.name = 'UserError'
    const {exitCode = 1, code = 'error'} = typeof options === 'number' ? {exitCode: options} : options
    this.exitCode = exitCode
    this.code = code
  }
}

/**
 * A command only root may run, refused before it reads or touches anything: the user learns what
 * to do instead of the permission error some later step would hit (issue 20).
 */
export class NeedsRootError extends UserError {
  /** The refused command, filled in by the command that catches it. */
  command?: string

  /** REASON says what needs root when it is only part of a command ("needs root to read …"). */
  constructor(reason = 'needs root') {
    super(`${reason} (try sudo)`, {code: 'needs-root'})
    this.name = 'NeedsRootError'
  }
}

export interface ErrorReport {
  message: string
  /** Stable, for scripts: see ErrorCode. */
  code: ErrorCode
  exitCode: number
  /** The command the message is about, printed as "nixos-container COMMAND: MESSAGE". */
  command?: string
}

/** One line and an exit status for any error. Upstream exits 1 for every error, bad options included. */
export function errorReport(error: unknown): ErrorReport {
  const text = String((error as Error)?.message ?? error)
  const parse = isParseError(error) || /^Parsing --\S+ ?\n/.test(text)
  const message = parse ? parseErrorLine(text) : text.split('\n')[0].replace(/^Error:\s*/, '')
  const command = error instanceof NeedsRootError && error.command ? {command: error.command} : {}
  // A flag parser's own UserError is still a bad argument; anything not meant for the user is ours.
  const code: ErrorCode = parse ? 'invalid-argument' : error instanceof UserError ? error.code : 'internal'
  return {message, code, exitCode: error instanceof UserError ? error.exitCode : 1, ...command}
}

/** oclif's argument and flag errors carry `parse` (what it had parsed so far). */
function isParseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'parse' in error
}

/**
 * oclif spreads a parse error over lines ("Parsing --timeout", "\tExpected … but received: 0",
 * "See more help with --help"); the reason is in the later lines, so join them into one:
 * "--timeout: expected an integer greater than or equal to 1 but received: 0",
 * "missing 1 required arg: name (container name)".
 */
function parseErrorLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
    .filter((l) => !/^(See more help with|Note: |Alternatively, you can use)/.test(l))
  const [first, ...rest] = lines
  const parsing = /^Parsing (--?\S+)$/.exec(first ?? '')
  if (parsing && rest.length > 0) {
    const reason = rest.join(' ').replace(/^(UserError|Error): /, '')
    // Our own flag parsers already name the flag.
    return reason.startsWith(parsing[1]) ? reason : `${parsing[1]}: ${reason.replace(/^\w/, (c) => c.toLowerCase())}`
  }
  // "name  container name" under "Missing 1 required arg:" is an argument and its description.
  const details = rest.map((l) => l.replace(/^(\S+)\s{2,}(.+)$/, '$1 ($2)'))
  return [first, ...details].join(' ').replace(/:$/, '')
}

export function printError(report: ErrorReport, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify({error: report}, null, 2) + '\n')
  else process.stderr.write(`nixos-container${report.command ? ` ${report.command}` : ''}: ${report.message}\n`)
}

/**
 * How every entry point reports a failure (the oclif commands and container@.service's steps):
 * one line or a JSON document, the exit status, and with NIXOS_CONTAINER_DEBUG the stack.
 */
export function reportError(error: unknown, json: boolean): void {
  const report = errorReport(error)
  process.exitCode = report.exitCode
  printError(report, json)
  if (process.env.NIXOS_CONTAINER_DEBUG && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n')
}
