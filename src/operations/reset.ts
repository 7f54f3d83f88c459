// reset: throw away a container's state (its root directory) and keep what defines it (NAME.conf,
// its profile and system, and its configuration.nix), so its next start is a first boot, as for a
// declarative container after removing /var/lib/nixos-containers/NAME.
import type {OperationContext} from './context.js'
import {loadContainer} from '../lib/containers.js'
import {withContainerLock} from '../lib/container-lock.js'
import {UserError} from '../lib/errors.js'
import {installConfiguration, readConfiguration} from '../lib/nixos-config.js'
import {removeNspawnLeftovers, safeRemoveTree} from '../lib/remove.js'

export interface ResetResult {
  name: string
  /** Whether configuration.nix was kept (a container built from a flake or a store path has none). */
  keptConfiguration: boolean
}

export async function resetContainer({host, supervisor, progress}: OperationContext, name: string): Promise<ResetResult> {
  loadContainer(host, name)
  return withContainerLock(host, name, async () => {
    const container = loadContainer(host, name)
    if ((await supervisor.state(container)) === 'up') throw new UserError(`container ‘${name}’ is running: stop it first`)
    // Read (confined) before the root goes: it defines the container, as its conf does.
    const configuration = readConfiguration(container.paths.root)
    await progress.run([{
      title: `Removing the state of container ${name}`,
      run: async () => {
        await safeRemoveTree(container.paths.root)
        await removeNspawnLeftovers(container.paths.root)
        if (configuration !== undefined) installConfiguration(container.paths.root, configuration)
      },
    }])
    return {name, keptConfiguration: configuration !== undefined}
  })
}
