// Read-only questions about containers, shared by the oclif commands and the quick path.
import {type RunState, statesOf, type Supervisor} from '../contract/supervisor.js'
import {withoutPrefix} from '../lib/addresses.js'
import {type ContainerSummary, containerExists, listContainerNames, loadContainer, summarize} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {checkNameSyntax} from '../lib/names.js'
import type {HostPaths} from '../lib/paths.js'
import {currentSystem} from '../lib/profile.js'

export type Status = RunState | 'gone'

export interface StatusReport {
  state: Status
  /** What is wrong with it although it runs (Supervisor.problem). */
  problem?: string
}

export async function containerStatus(host: HostPaths, supervisor: Supervisor, name: string): Promise<StatusReport> {
  checkNameSyntax(name)
  if (!containerExists(host, name)) return {state: 'gone'}
  const container = loadContainer(host, name)
  const state = await supervisor.state(container)
  const problem = state === 'up' && supervisor.problem ? await supervisor.problem(container) : undefined
  return problem === undefined ? {state} : {state, problem}
}

export async function containerSummaries(host: HostPaths, supervisor: Supervisor): Promise<ContainerSummary[]> {
  const containers = listContainerNames(host).map((name) => loadContainer(host, name))
  const states = await statesOf(supervisor, containers)
  return containers.map((container, i) => summarize(container, states[i], currentSystem(container.paths.profile)))
}

/** LOCAL_ADDRESS without prefix, else LOCAL_ADDRESS6, as upstream's show-ip. */
export function containerIp(host: HostPaths, name: string): string {
  const {conf} = loadContainer(host, name)
  const address = conf.get('LOCAL_ADDRESS') || conf.get('LOCAL_ADDRESS6')
  if (!address) throw new UserError('cannot get IP address')
  return withoutPrefix(address)
}
