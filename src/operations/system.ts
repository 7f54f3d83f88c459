// A container about to boot has a system: built on first start when it is a flake container
// that has none yet. Core's start and container@.service's pre-start both go through here.
import {openDirectContext} from './open-context.js'
import type {OperationContext} from './context.js'
import {updateContainer} from './update.js'
import {type Container, hasSystem, loadContainer, requireSystem} from '../lib/containers.js'

/**
 * The container, ready to boot: a flake container without a system is built first, as NixOS's
 * unit does on its first start (CONTEXT, or one opened here with the direct supervisor, which a
 * container that has never run needs no other); anything else without a system is refused.
 */
export async function ensureSystem(container: Container, context?: OperationContext): Promise<Container> {
  if (hasSystem(container) || !container.conf.get('FLAKE')) {
    requireSystem(container)
    return container
  }
  const building = context ?? await openDirectContext({choice: {supervisor: 'nspawn'}})
  await updateContainer(building, {name: container.name, nixFlags: []})
  const built = loadContainer(building.host, container.name)
  requireSystem(built)
  return built
}
