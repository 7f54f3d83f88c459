// What list, status and show-ip print, from what operations/queries.ts finds: one presenter per
// command, for the command classes and for list over several hosts (operations/remote.ts).
import type {ContainerSummary} from './lib/containers.js'
import {UserError} from './lib/errors.js'
import {resolveHostPaths} from './lib/paths.js'
import type {OperationContext} from './operations/context.js'
import {containerIp, containerStatus, containerSummaries, containerSummary, readableNames, type Status} from './operations/queries.js'

const line = (text: string): void => {
  process.stdout.write(text + '\n')
}

/** Many lines in one write: a list of a thousand containers is one system call, not a thousand. */
const lines = (texts: string[]): void => {
  if (texts.length > 0) process.stdout.write(texts.map((text) => text + '\n').join(''))
}

/** Where containers live and the selected supervisor: the command's context. */
type QueryContext = Pick<OperationContext, 'host' | 'supervisor'>

/** status: the state; with --json, the container's whole summary and any problem. */
export type StatusOutput = Partial<ContainerSummary> & {name: string; state: Status; problem?: string}

/**
 * "up", "down" or "gone" on stdout, as upstream. A container that runs but not as it should (its
 * nspawn killed, its start interrupted) is "up" (its processes run), with the reason on stderr.
 */
export async function statusOutput(name: string, json: boolean, {host, supervisor}: QueryContext): Promise<StatusOutput> {
  const status = await containerStatus(host, supervisor, name)
  if (!json) line(status.state)
  if (status.state === 'gone') throw new UserError(`container ‘${name}’ does not exist`, {code: 'not-found'})
  const {state, problem, container} = status
  if (problem !== undefined && !json) process.stderr.write(`nixos-container: warning: container ‘${name}’ is not running as it should: ${problem}; \`nixos-container start ${name}\` repairs it, stop or terminate ends it\n`)
  // A script gets the whole summary (addresses, generation, leader …) without a second call.
  const summary = json ? await containerSummary(supervisor, container, state) : {name, state}
  return problem === undefined ? summary : {...summary, problem}
}

export function showIpOutput(name: string, json: boolean): {name: string; ip: string} {
  const ip = containerIp(resolveHostPaths(), name)
  if (!json) line(ip)
  return {name, ip}
}

/** What list gives a script: every readable container's summary, or (plain list) just its name. */
export type ListEntry = Partial<ContainerSummary> & {name: string}

/** A conf file that cannot be read is named on stderr (in all modes, so the JSON keeps its shape). */
function reportNotListed(broken: string[]): void {
  for (const message of broken) process.stderr.write(`nixos-container: ${message}; not listed\n`)
}

/** Every readable container's summary, with its runtime details; the unreadable ones named on stderr. */
export async function listSummaries(openContext: () => Promise<QueryContext>): Promise<ContainerSummary[]> {
  const {host, supervisor} = await openContext()
  const {summaries, broken} = await containerSummaries(host, supervisor, {details: true})
  reportNotListed(broken)
  return summaries
}

/** Names a line; --long, a table; --json, every container's summary. The others are listed past a broken conf. */
export async function listOutput(json: boolean, openContext: () => Promise<QueryContext>, {long = false} = {}): Promise<ListEntry[]> {
  if (!json && !long) {
    // Names need no supervisor: plain list (which completion runs) works even with a bad supervisor setting.
    const {names, broken} = readableNames(resolveHostPaths())
    reportNotListed(broken)
    lines(names)
    return names.map((name) => ({name}))
  }
  const summaries = await listSummaries(openContext)
  if (!json) lines(longListing(summaries))
  return summaries
}

/** list --long: a table for people. */
function longListing(summaries: ContainerSummary[], now = Date.now()): string[] {
  const rows = [['NAME', 'STATE', 'ADDRESS', 'GENERATION', 'UPTIME'], ...summaries.map((s) => [
    s.name,
    s.state,
    s.localAddress ?? s.localAddress6 ?? '-',
    s.generation === undefined ? '-' : String(s.generation),
    s.startedAt === undefined ? '-' : duration(now - Date.parse(s.startedAt)),
  ])]
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '))
}

/** 42s, 5m 03s, 2h 05m, 3d 04h. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60]
  const two = (n: number): string => String(n).padStart(2, '0')
  if (d > 0) return `${d}d ${two(h)}h`
  if (h > 0) return `${h}h ${two(m)}m`
  if (m > 0) return `${m}m ${two(s % 60)}s`
  return `${s}s`
}
