// Running Nix commands with their log streamed line by line to whoever shows progress.

import {UserError} from './errors.js'

export type LogSink = (line: string) => void

/** Flags that make flake commands work on any Nix from 2.4 on, whatever nix.conf enables. */
export const flakeFeatures = ['--extra-experimental-features', 'nix-command flakes']

/**
 * Runs a Nix command, streaming stderr (where Nix logs) to `log`. On failure throws a UserError
 * with `failure` and Nix's last error line, so the user sees why without scrolling. Returns its
 * stdout, trimmed (a store path, for the commands that print one).
 */
export async function runNix(command: string, args: string[], log: LogSink, failure: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const {execa} = await import('execa')
  const env = {NIXOS_CONFIG: '', ...extraEnv}
  const child = execa(command, args, {env, stdin: 'ignore', stdout: 'pipe', reject: false, buffer: false})
  let stdout = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  const tail: string[] = []
  child.stderr?.setEncoding('utf8')
  let partial = ''
  child.stderr?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      log(line)
      tail.push(line)
      if (tail.length > 30) tail.shift()
    }
  })
  const result = await child
  if (partial) {
    log(partial)
    tail.push(partial)
  }
  if (result.failed) {
    if ((result as {code?: string}).code === 'ENOENT') throw new UserError(`${failure}: ‘${command}’ not found (is Nix installed?)`)
    const reason = lastErrorLine(tail)
    throw new UserError(reason ? `${failure}: ${reason}` : failure, {code: 'build-failed'})
  }
  return stdout.trim()
}

/** The most telling line of a Nix failure: the "error: …" paragraph, else the last non-empty line. */
function lastErrorLine(lines: string[]): string | undefined {
  // eslint-disable-next-line no-control-regex
  const clean = lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
  const errorIndex = clean.findLastIndex((l) => l.startsWith('error:'))
  if (errorIndex === -1) return clean.filter(Boolean).at(-1)
  // Nix prints "error:" then the message (e.g. "Failed assertions:", "- …") on following lines.
  const paragraph = [clean[errorIndex].replace(/^error:\s*/, '')]
  for (const line of clean.slice(errorIndex + 1)) {
    if (line.startsWith('(use \'--show-trace\'') || line.startsWith('…') || line.startsWith('at ')) break
    paragraph.push(line)
  }
  return paragraph.filter(Boolean).join(' ')
}
