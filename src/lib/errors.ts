// Errors meant for the user: one line, no stack trace, a chosen exit status.
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message)
    this.name = 'UserError'
  }
}

export interface ErrorReport {
  message: string
  exitCode: number
}

/** One line and an exit status for any error. Upstream exits 1 for every error, bad options included. */
export function errorReport(error: unknown): ErrorReport {
  const message = String((error as Error)?.message ?? error).split('\n')[0].replace(/^Error:\s*/, '')
  return {message, exitCode: error instanceof UserError ? error.exitCode : 1}
}

export function printError(report: ErrorReport, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify({error: report}, null, 2) + '\n')
  else process.stderr.write(`nixos-container: ${report.message}\n`)
}
