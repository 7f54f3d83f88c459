// The read-only commands scripts call most (list, status, show-ip) must start fast, and loading
// @oclif/core costs several times a bare Node start. bin/run.js therefore hands these commands,
// when given nothing but a name and --json, straight to this module; everything else (help,
// other flags, mistakes) goes through oclif. The oclif commands call the same functions below,
// so both paths print the same thing. Plugins are found from their package.json files here, and
// only the selected supervisor's plugin is loaded (see plugin-host/).
import type {ContainerSummary} from './lib/containers.js'
import {errorReport, printError, UserError} from './lib/errors.js'
import {resolveHostPaths} from './lib/paths.js'
import type {OperationContext} from './operations/context.js'
import {containerIp, containerStatus, containerSummaries, type Status} from './operations/queries.js'
import {openDirectContext} from './plugin-host/open.js'

const line = (text: string): void => {
  process.stdout.write(text + '\n')
}

/** Where containers live and the selected supervisor: the command's context, or (fast path) one opened here. */
type QueryContext = Pick<OperationContext, 'host' | 'supervisor'>
const directContext = (): Promise<QueryContext> => openDirectContext({progress: 'silent'})

/**
 * "up", "down" or "gone" on stdout, as upstream. A container that runs but not as it should (its
 * nspawn killed, its start interrupted) is "up" (its processes run), with the reason on stderr.
 */
export async function statusOutput(name: string, json: boolean, context?: QueryContext): Promise<{name: string; state: Status; problem?: string}> {
  const {host, supervisor} = context ?? await directContext()
  const {state, problem} = await containerStatus(host, supervisor, name)
  if (!json) line(state)
  if (state === 'gone') throw new UserError(`container ‘${name}’ does not exist`)
  if (problem === undefined) return {name, state}
  if (!json) process.stderr.write(`nixos-container: warning: container ‘${name}’ is not running as it should: ${problem}; \`nixos-container start ${name}\` repairs it, stop or terminate ends it\n`)
  return {name, state, problem}
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
export async function listOutput(json: boolean, context?: QueryContext): Promise<ContainerSummary[] | undefined> {
  const {host, supervisor} = context ?? await directContext()
  const {summaries, broken} = await containerSummaries(host, supervisor)
  for (const message of broken) process.stderr.write(`nixos-container: ${message}; not listed\n`)
  if (!json) {
    for (const {name} of summaries) line(name)
    return undefined
  }
  return summaries
}
const quickCommands: Record<string, {takesName: boolean; run: (name: string, json: boolean) => unknown}> = {
  list: {takesName: false, run: (_name, json) => listOutput(json)},
  status: {takesName: true, run: (name, json) => statusOutput(name, json)},
  'show-ip': {takesName: true, run: showIpOutput},
}

/** Runs argv if it is a quick command; returns false to let oclif handle it. */
export async function runQuick(argv: string[]): Promise<boolean> {
  const [id, ...rest] = argv
  const command = quickCommands[id]
  if (!command) return false
  const json = rest.includes('--json')
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
