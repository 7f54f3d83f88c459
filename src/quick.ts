// The read-only commands scripts call most (list, status, show-ip) must start fast, and loading
// @oclif/core costs several times a bare Node start. bin/run.js therefore hands these commands,
// when given nothing but a name and --json, straight to this module; everything else (help,
// other flags, mistakes) goes through oclif. The oclif commands call the same functions below,
// so both paths print the same thing. Plugins are found from their package.json files here, and
// only the selected supervisor's plugin is loaded (see plugin-host/).
import type {ContainerSummary} from './lib/containers.js'
import {errorReport, printError, UserError} from './lib/errors.js'
import {resolveHostPaths} from './lib/paths.js'
import {runRemote, takeRemoteFlags} from './lib/remote.js'
import type {OperationContext} from './operations/context.js'
import {containerIp, containerStatus, containerSummaries, containerSummary, type Status} from './operations/queries.js'
import {openDirectContext} from './plugin-host/open.js'

const line = (text: string): void => {
  process.stdout.write(text + '\n')
}

/** Where containers live and the selected supervisor: the command's context, or (fast path) one opened here. */
type QueryContext = Pick<OperationContext, 'host' | 'supervisor'>

/** status: the state; with --json, the container's whole summary and any problem. */
export type StatusOutput = Partial<ContainerSummary> & {name: string; state: Status; problem?: string}
const directContext = (): Promise<QueryContext> => openDirectContext({progress: 'silent'})

/**
 * "up", "down" or "gone" on stdout, as upstream. A container that runs but not as it should (its
 * nspawn killed, its start interrupted) is "up" (its processes run), with the reason on stderr.
 */
export async function statusOutput(name: string, json: boolean, context?: QueryContext): Promise<StatusOutput> {
  const {host, supervisor} = context ?? await directContext()
  const {state, problem} = await containerStatus(host, supervisor, name)
  if (!json) line(state)
  if (state === 'gone') throw new UserError(`container ‘${name}’ does not exist`, {code: 'not-found'})
  if (problem !== undefined && !json) process.stderr.write(`nixos-container: warning: container ‘${name}’ is not running as it should: ${problem}; \`nixos-container start ${name}\` repairs it, stop or terminate ends it\n`)
  // A script gets the whole summary (addresses, generation, leader …) without a second call.
  const summary = json ? await containerSummary(host, supervisor, name, state) : {name, state}
  return problem === undefined ? summary : {...summary, problem}
}

export function showIpOutput(name: string, json: boolean): {name: string; ip: string} {
  const ip = containerIp(resolveHostPaths(), name)
  if (!json) line(ip)
  return {name, ip}
}

/**
 * Names a line; with --json, every container's summary. A conf file that cannot be read is named
 * on stderr (in both modes, so the JSON keeps its shape) and the others are listed.
 */
export async function listOutput(json: boolean, context?: QueryContext, {long = false} = {}): Promise<ContainerSummary[] | undefined> {
  const {host, supervisor} = context ?? await directContext()
  const {summaries, broken} = await containerSummaries(host, supervisor, {details: json || long})
  for (const message of broken) process.stderr.write(`nixos-container: ${message}; not listed\n`)
  if (json) return summaries
  if (long) for (const row of longListing(summaries)) line(row)
  else for (const {name} of summaries) line(name)
  return undefined
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
const quickCommands: Record<string, {takesName: boolean; run: (name: string, json: boolean) => unknown}> = {
  list: {takesName: false, run: (_name, json) => listOutput(json)},
  status: {takesName: true, run: (name, json) => statusOutput(name, json)},
  'show-ip': {takesName: true, run: showIpOutput},
}

/** Runs argv if it is a quick command; returns false to let oclif handle it. */
export async function runQuick(argv: string[]): Promise<boolean> {
  const [id, ...given] = argv
  const command = quickCommands[id]
  if (!command) return false
  // One remote --host (or NIXOS_CONTAINER_HOST): the tool there answers; several hosts, and a bad
  // --host, are oclif's (list combines them, errors are reported there).
  let remote: ReturnType<typeof takeRemoteFlags>
  try {
    remote = takeRemoteFlags(given)
  } catch {
    return false
  }
  const rest = remote.argv
  const json = rest.includes('--json')
  if (remote.target && (remote.target.hosts.length > 1 || !remote.target.hosts[0].local)) {
    if (remote.target.hosts.length > 1) return false
    try {
      process.exitCode = (await runRemote(remote.target.hosts[0], remote.target.sshOptions, [id, ...rest])).exitCode
    } catch (error) {
      const report = errorReport(error)
      process.exitCode = report.exitCode
      printError(report, json)
    }
    return true
  }
  const positional = rest.filter((a) => a !== '--json')
  if (positional.some((a) => a.startsWith('-')) || positional.length !== (command.takesName ? 1 : 0)) return false
  try {
    const result = await command.run(positional[0], json)
    if (json) process.stdout.write(JSON.stringify(result ?? [], null, 2) + '\n')
  } catch (error) {
    const report = errorReport(error)
    process.exitCode = report.exitCode
    printError(report, json)
  }
  return true
}
