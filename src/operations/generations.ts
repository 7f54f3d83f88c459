// generations and rollback: the container's systems as its Nix profile keeps them, and going back
// to one of them, activated in the running container exactly as update activates a new one.
import type {OperationContext} from './context.js'
import {activateNewSystem} from './exec.js'
import {loadContainer} from '../lib/containers.js'
import {withContainerLock} from '../lib/container-lock.js'
import {UserError} from '../lib/errors.js'
import {type Generation, listGenerations, rollbackTarget, switchGeneration} from '../lib/generations.js'
import type {HostPaths} from '../lib/paths.js'

export function containerGenerations(host: HostPaths, name: string): Generation[] {
  return listGenerations(loadContainer(host, name).paths.profile)
}

export interface RollbackRequest {
  name: string
  /** The generation to go to; by default the one before the current. */
  to?: number
}

export interface RollbackResult {
  name: string
  from?: number
  to: number
  systemPath: string
  activated: boolean
}

export async function rollbackContainer(context: OperationContext, request: RollbackRequest): Promise<RollbackResult> {
  loadContainer(context.host, request.name)
  return withContainerLock(context.host, request.name, async () => {
    const container = loadContainer(context.host, request.name)
    const {name, paths, conf} = container
    if (container.declarative && conf.get('SYSTEM_PATH')) {
      throw new UserError('cannot roll back declarative container (change it in your configuration.nix instead)', {code: 'declarative'})
    }
    const generations = listGenerations(paths.profile)
    const target = rollbackTarget(generations, request.to)
    const from = generations.find((g) => g.current)?.number
    const running = (await context.supervisor.state(container)) === 'up'
    await context.progress.run([{
      title: `Switching container ${name} to generation ${target.number}`,
      run: (log) => switchGeneration(paths.profile, target.number, log),
    }])
    if (running) await activateNewSystem(context, container)
    return {name, from, to: target.number, systemPath: target.systemPath, activated: running}
  })
}
