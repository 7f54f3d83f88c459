// logs: what a container wrote. Its journal, which systemd-nspawn --link-journal=try-guest keeps
// in the container's /var/log/journal where the host can read it (as `journalctl -M` does), and
// its console: the direct supervisor's NAME.log, or the container unit's journal under systemd.
import {spawn} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import path from 'node:path'

import type {OperationContext} from './context.js'
import {signalExitStatus} from './interactive.js'
import {type Container, loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {openGuestJournal} from '../lib/guest-fs.js'
import {withScratchDirectory} from '../lib/scratch.js'

export type LogSource = 'journal' | 'console'

/** Which journal entries to show, as journalctl chooses them (its options of the same names). */
export interface JournalFilters {
  since?: string
  until?: string
  grep?: string
  priority?: string
}

const priorityNames = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']
const priority = `(?:${priorityNames.join('|')}|[0-7])`
const priorityPattern = new RegExp(`^${priority}(?:\\.\\.${priority})?$`)

/** journalctl's options for FILTERS; a priority it would not know is refused here, in our words. */
function journalFilterArguments(filters: JournalFilters = {}): string[] {
  if (filters.priority !== undefined && !priorityPattern.test(filters.priority)) {
    throw new UserError(`--priority: ‘${filters.priority}’ is not a priority (${priorityNames.join(', ')}, 0 to 7, or FROM..TO)`, {code: 'invalid-argument'})
  }
  return Object.entries(filters).filter(([, value]) => value !== undefined).map(([option, value]) => `--${option}=${value}`)
}

const filtered = (filters: JournalFilters = {}): boolean => Object.values(filters).some((value) => value !== undefined)

export interface LogsRequest {
  name: string
  follow: boolean
  /** How many of the last lines; undefined: 50, or all of them when filters choose the entries. */
  lines?: number
  /** Which log; by default the journal where the container keeps one, else its console. */
  source?: LogSource
  /** One JSON object a line (journalctl's JSON for the journal; {"message"} for the console). */
  json: boolean
  /** Journal entries to show (the console has no times or priorities to choose by). */
  filters?: JournalFilters
}

const defaultLines = 50

/** How many entries to show: as asked, else all that the filters choose, else the last 50. */
const lineCount = ({lines, filters}: LogsRequest): number | 'all' => lines ?? (filtered(filters) ? 'all' : defaultLines)

/** The argv that prints the console log, as the supervisor keeps it. */
export function consoleCommand(context: OperationContext, container: Container, {follow, lines = defaultLines}: LogsRequest): string[] {
  const own = context.supervisor.consoleLogCommand?.(container, {follow, lines})
  if (own) return own
  return ['tail', `--lines=${lines}`, ...(follow ? ['--follow=name', '--retry'] : []), container.paths.logFile]
}

function journalCommand(request: LogsRequest, files: string[]): string[] {
  const {follow, json, filters} = request
  // Each journal file opened confined to the container's root (journalctl --directory would follow
  // links planted in it), handed over as /proc/OUR-PID/fd/N.
  return ['journalctl', ...files, '--no-pager', `--lines=${lineCount(request)}`, `--output=${json ? 'json' : 'short-iso'}`, ...journalFilterArguments(filters),
    ...(follow ? ['--follow'] : [])]
}

/** Streams the log to our stdout until it ends (or, with follow, until interrupted); returns the exit status. */
export async function showLogs(context: OperationContext, request: LogsRequest): Promise<number> {
  const container = loadContainer(context.host, request.name)
  journalFilterArguments(request.filters)
  if (request.source === 'console' && filtered(request.filters)) {
    throw new UserError('--since, --until, --grep and --priority choose journal entries: they do not apply to --console', {code: 'invalid-argument'})
  }
  const opened = request.source === 'console' ? undefined : openGuestJournal(container.paths.root)
  const hasJournal = opened !== undefined && opened.files.length > 0
  if (!hasJournal || request.follow) opened?.close()
  if ((request.source === 'journal' || filtered(request.filters)) && !hasJournal) {
    throw new UserError(`container ‘${container.name}’ keeps no journal (its /var/log/journal has none)`)
  }
  if (!hasJournal) return run(consoleCommand(context, container, request), {consoleAsJson: request.json})
  if (request.follow) return followJournal(container.paths.root, request)
  try {
    return await run(journalCommand(request, opened!.journalctlArguments))
  } finally {
    opened!.close()
  }
}

/** Runs ARGV with our stdout (console lines as JSON objects when asked); SIGINT/SIGTERM end it with status 0. */
async function run([command, ...args]: string[], {consoleAsJson = false, stdout}: {consoleAsJson?: boolean; stdout?: 'ignore'} = {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(command, args, {stdio: ['ignore', stdout ?? (consoleAsJson ? 'pipe' : 'inherit'), 'inherit']})
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
}

/** How often a follow looks for new journal entries. */
const followInterval = 250

/**
 * `logs -f` on the journal. journalctl --follow cannot be used: it learns of new entries through
 * inotify on the directories of its --file arguments, and ours are /proc/PID/fd/N (see
 * openGuestJournal), which never report a change. So the journal is reopened confined every
 * interval and, when a file was added or changed, journalctl prints what came after the cursor
 * it saved last time (--cursor-file); a journal rotated or vacuumed meanwhile is picked up too.
 */
function followJournal(root: string, request: LogsRequest): Promise<number> {
  // Its own SIGINT and SIGTERM end the following with status 0 (the signal owner would exit 130).
  return withScratchDirectory('logs', async (scratch) => {
    const cursorFile = path.join(scratch, 'cursor')
    let stopped = false
    const stop = (): void => {
      stopped = true
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    try {
      let seen = ''
      for (let first = true; !stopped; first = false) {
        const journal = openGuestJournal(root)
        try {
          const now = signature(journal.files)
          if (journal.files.length > 0 && now !== seen) {
            seen = now
            // The first round prints the last --lines entries (with 0, it reads one, unprinted, for
            // the cursor); later rounds print what follows the cursor, or all when the journal was
            // empty before.
            const count = lineCount(request)
            const lines = first ? [`--lines=${count === 'all' ? count : Math.max(count, 1)}`] : existsSync(cursorFile) ? [] : ['--lines=all']
            const base = journalCommand({...request, follow: false}, journal.journalctlArguments).filter((a) => !a.startsWith('--lines='))
            const status = await run([...base, ...lines, `--cursor-file=${cursorFile}`], first && request.lines === 0 ? {stdout: 'ignore'} : {})
            if (status !== 0) return status
          }
        } finally {
          journal.close()
        }
        await new Promise((resolve) => setTimeout(resolve, followInterval))
      }
      return 0
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }, {removeOnSignal: false})
}

/** What changes when journald writes: which files there are, their sizes and times (journald touches each after a write). */
function signature(files: string[]): string {
  return files.map((file) => {
    const {ino, size, mtimeMs} = statSync(file)
    return `${ino}:${size}:${mtimeMs}`
  }).join(' ')
}
