// cp: files in and out of a container's root, running or not (see lib/guest-copy.ts for how the
// root is kept from steering the copy). One side names the container: NAME:/PATH.
import {loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {copyFromContainer, type CopySummary, copyToContainer} from '../lib/guest-copy.js'
import {checkNameSyntax} from '../lib/names.js'
import type {HostPaths} from '../lib/paths.js'

export interface CopyResult extends CopySummary {
  name: string
  direction: 'in' | 'out'
  from: string
  to: string
}

/** NAME:/PATH, or undefined for a host path (write ./a:b for a host path with a colon). */
function containerPath(argument: string): {name: string; guestPath: string} | undefined {
  const match = /^([^/.:][^/:]*):(.*)$/.exec(argument)
  if (!match) return undefined
  checkNameSyntax(match[1])
  if (!match[2].startsWith('/')) throw new UserError(`${argument}: the path in the container must be absolute (NAME:/PATH)`)
  if (match[2].split('/').includes('..')) throw new UserError(`${argument}: refusing a path that leaves the container`)
  return {name: match[1], guestPath: match[2]}
}

export function copyFiles(host: HostPaths, source: string, destination: string): CopyResult {
  const from = containerPath(source)
  const to = containerPath(destination)
  if (from && to) throw new UserError('copy between two containers in two steps, through the host')
  if (!from && !to) throw new UserError('one side must be in a container: NAME:/PATH')
  if (from) {
    const {paths, name} = loadContainer(host, from.name)
    return {name, direction: 'out', from: source, to: destination, ...copyFromContainer(paths.root, name, from.guestPath, destination)}
  }
  const {paths, name} = loadContainer(host, to!.name)
  return {name, direction: 'in', from: source, to: destination, ...copyToContainer(paths.root, name, source, to!.guestPath)}
}
