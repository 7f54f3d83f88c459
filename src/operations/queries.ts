// Read-only questions about containers, shared by the oclif commands and the quick path.
import type {Backends} from './context.js'
import type {RunState} from '../backends/supervisors/supervisor.js'
import {currentSystem} from '../backends/builders/profile.js'
import {withoutPrefix} from '../lib/addresses.js'
import {type ContainerSummary, containerExists, listContainerNames, loadContainer, summarize} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {checkNameSyntax} from '../lib/names.js'
import type {HostPaths} from '../lib/paths.js'

export type Status = RunState | 'gone'

export function containerStatus(host: HostPaths, backends: Backends, name: string): Status {
  checkNameSyntax(name)
  if (!containerExists(host, name)) return 'gone'
  return backends.supervisor.state(loadContainer(host, name))
}

export function containerSummaries(host: HostPaths, backends: Backends): ContainerSummary[] {
  return listContainerNames(host).map((name) => {
    const container = loadContainer(host, name)
    return summarize(container, backends.supervisor.state(container), currentSystem(container.paths.profile))
  })
}

/** LOCAL_ADDRESS without prefix, else LOCAL_ADDRESS6, as upstream's show-ip. */
export function containerIp(host: HostPaths, name: string): string {
  const {conf} = loadContainer(host, name)
  const address = conf.get('LOCAL_ADDRESS') || conf.get('LOCAL_ADDRESS6')
  if (!address) throw new UserError('cannot get IP address')
  return withoutPrefix(address)
}
