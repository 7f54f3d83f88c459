// logs: what a container wrote. Its journal, which systemd-nspawn --link-journal=try-guest keeps
// in the container's /var/log/journal where the host can read it (as `journalctl -M` does), and
// its console: the direct supervisor's NAME.log, or the container unit's journal under systemd.
import {spawn} from 'node:child_process'

import type {OperationContext} from './context.js'
import {signalExitStatus} from './interactive.js'
import {type Container, loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {openGuestJournal} from '../lib/guest-fs.js'

export type LogSource = 'journal' | 'console'

export interface LogsRequest {
  name: string
  follow: boolean
  lines: number
  /** Which log; by default the journal where the container keeps one, else its console. */
  source?: LogSource
  /** One JSON object a line (journalctl's JSON for the journal; {"message"} for the console). */
  json: boolean
}

/** The argv that prints the console log, as the supervisor keeps it. */
export function consoleCommand(context: OperationContext, container: Container, {follow, lines}: LogsRequest): string[] {
  const own = context.supervisor.consoleLogCommand?.(container, {follow, lines})
  if (own) return own
  return ['tail', `--lines=${lines}`, ...(follow ? ['--follow=name', '--retry'] : []), container.paths.logFile]
}

function journalCommand({follow, lines, json}: LogsRequest, files: string[]): string[] {
  // Each journal file opened confined to the container's root (journalctl --directory would follow
  // links planted in it), handed over as /proc/OUR-PID/fd/N.
  return ['journalctl', ...files, '--no-pager', `--lines=${lines}`, `--output=${json ? 'json' : 'short-iso'}`, ...(follow ? ['--follow'] : [])]
}

/** Streams the log to our stdout until it ends (or, with follow, until interrupted); returns the exit status. */
export async function showLogs(context: OperationContext, request: LogsRequest): Promise<number> {
  const container = loadContainer(context.host, request.name)
  const opened = request.source === 'console' ? undefined : openGuestJournal(container.paths.root)
  const journal = opened && opened.files.length > 0 ? opened : undefined
  if (!journal) opened?.close()
  if (request.source === 'journal' && journal === undefined) {
    throw new UserError(`container ‘${container.name}’ keeps no journal (its /var/log/journal has none)`)
  }
  const argv = journal === undefined ? consoleCommand(context, container, request) : journalCommand(request, journal.journalctlArguments)
  const consoleAsJson = journal === undefined && request.json
  const [command, ...args] = argv
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, {stdio: ['ignore', consoleAsJson ? 'pipe' : 'inherit', 'inherit']})
      if (consoleAsJson) {
        let rest = ''
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n')
          rest = lines.pop() ?? ''
          for (const message of lines) process.stdout.write(JSON.stringify({source: 'console', message: message.replace(/\r$/, '')}) + '\n')
        })
      }
      // Ctrl-C ends a follow: the child gets it from the terminal; we only wait for it.
      const stop = (): void => {
        child.kill('SIGTERM')
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      child.once('error', (error) => reject(new UserError(`cannot run ${command}: ${error.message}`)))
      child.once('exit', (code, signal) => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        // Ended by our own interrupt: a follow that was asked to stop has done its job.
        resolve(signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : code ?? (signal ? signalExitStatus(signal) : 1))
      })
    })
  } finally {
    journal?.close()
  }
}
