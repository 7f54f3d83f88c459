// Read-only questions about containers: what list, status and show-ip (and completion) ask.
import {type RunState, statesOf, type Supervisor} from '../contract/supervisor.js'
import {withoutPrefix} from '../lib/addresses.js'
import {checkConfReadable, type Container, type ContainerSummary, containerExists, listContainerNames, loadContainer, summarize} from '../lib/containers.js'
import {errorReport, UserError} from '../lib/errors.js'
import {checkNameSyntax} from '../lib/names.js'
import type {HostPaths} from '../lib/paths.js'
import {processStartTime} from '../lib/proc.js'
import {profileSystem} from '../lib/profile.js'

export type Status = RunState | 'gone'

export type StatusReport = {state: 'gone'} | {
  state: RunState
  /** What is wrong with it although it runs (Supervisor.problem). */
  problem?: string
  /** The container as its conf was read for this answer, for whoever asks more of it. */
  container: Container
}

export async function containerStatus(host: HostPaths, supervisor: Supervisor, name: string): Promise<StatusReport> {
  checkNameSyntax(name)
  if (!containerExists(host, name)) return {state: 'gone'}
  const container = loadContainer(host, name)
  const state = await supervisor.state(container)
  const problem = state === 'up' && supervisor.problem ? await supervisor.problem(container) : undefined
  return problem === undefined ? {state, container} : {state, problem, container}
}

export interface Summaries {
  summaries: ContainerSummary[]
  /** NAME.conf files that could not be read (a directory, unreadable, vanished): one message each. */
  broken: string[]
}

/** What READ makes of each NAME.conf it can read, and a message for each other: one broken conf file must not hide the others. */
function eachReadable<T>(host: HostPaths, read: (name: string) => T): {found: T[]; broken: string[]} {
  const found: T[] = []
  const broken: string[] = []
  for (const name of listContainerNames(host)) {
    try {
      found.push(read(name))
    } catch (error) {
      broken.push(errorReport(error).message)
    }
  }
  return {found, broken}
}

/** The names of the containers whose NAME.conf can be read (plain list). */
export function readableNames(host: HostPaths): {names: string[]; broken: string[]} {
  const {found, broken} = eachReadable(host, (name) => {
    checkConfReadable(host, name)
    return name
  })
  return {names: found, broken}
}

/** The containers whose NAME.conf can be read. */
function readableContainers(host: HostPaths): {containers: Container[]; broken: string[]} {
  const {found, broken} = eachReadable(host, (name) => loadContainer(host, name))
  return {containers: found, broken}
}

/**
 * Every readable container's summary; one broken conf file must not hide the others. With
 * `details`, also what costs a look per running container: its leader and when it started.
 */
export async function containerSummaries(host: HostPaths, supervisor: Supervisor, {details = false} = {}): Promise<Summaries> {
  const {containers, broken} = readableContainers(host)
  const states = await statesOf(supervisor, containers)
  const summaries = containers.map((container, i) => summarize(container, states[i], profileSystem(container.paths.profile)))
  if (details) await Promise.all(summaries.map((summary, i) => addRuntimeDetails(summary, supervisor, containers[i])))
  return {summaries, broken}
}

/** The supervisor, and for a running container its leader and start time. */
async function addRuntimeDetails(summary: ContainerSummary, supervisor: Supervisor, container: Container): Promise<void> {
  summary.supervisor = supervisor.name
  if (summary.state !== 'up') return
  summary.leader = await supervisor.leader(container)
  summary.startedAt = summary.leader === undefined ? undefined : processStartTime(summary.leader)?.toISOString()
  summary.memoryCurrent = (await supervisor.usage?.(container))?.memoryBytes
}

/** One container's summary with its runtime details (status --json). */
export async function containerSummary(supervisor: Supervisor, container: Container, state: RunState): Promise<ContainerSummary> {
  const summary = summarize(container, state, profileSystem(container.paths.profile))
  await addRuntimeDetails(summary, supervisor, container)
  return summary
}

/** LOCAL_ADDRESS without prefix, else LOCAL_ADDRESS6, as upstream's show-ip. */
export function containerIp(host: HostPaths, name: string): string {
  const {conf} = loadContainer(host, name)
  const address = conf.get('LOCAL_ADDRESS') || conf.get('LOCAL_ADDRESS6')
  if (!address && conf.get('PRIVATE_NETWORK') === '0') throw new UserError('container uses host network, no separate IP address')
  if (!address) throw new UserError('cannot get IP address')
  return withoutPrefix(address)
}
