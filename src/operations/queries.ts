// Read-only questions about containers, shared by the oclif commands and the quick path.
import {type RunState, statesOf, type Supervisor} from '../contract/supervisor.js'
import {withoutPrefix} from '../lib/addresses.js'
import {type ContainerSummary, containerExists, listContainerNames, loadContainer, summarize} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {checkNameSyntax} from '../lib/names.js'
import type {HostPaths} from '../lib/paths.js'
import {currentSystem} from '../lib/profile.js'

export type Status = RunState | 'gone'

export async function containerStatus(host: HostPaths, supervisor: Supervisor, name: string): Promise<Status> {
  checkNameSyntax(name)
  if (!containerExists(host, name)) return 'gone'
  return supervisor.state(loadContainer(host, name))
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
