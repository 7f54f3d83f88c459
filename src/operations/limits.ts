// set: change a container's resource limits, recorded in NAME.conf for its later starts and put
// in force at once when it runs (the supervisor's applyLimits: unit properties, or its cgroup).
import type {OperationContext} from './context.js'
import {loadContainer, writeConf} from '../lib/containers.js'
import {withContainerLock} from '../lib/container-lock.js'
import {UserError} from '../lib/errors.js'
import {type LimitChanges, recordLimits, type ResourceLimits} from '../lib/limits.js'

export interface SetLimitsRequest {
  name: string
  changes: LimitChanges
}

export interface SetLimitsResult {
  name: string
  /** The limits now recorded (and in force, when `applied`). */
  limits: ResourceLimits
  /** Whether the running container got them at once (false when it is stopped). */
  applied: boolean
}

export async function setLimits({host, supervisor, progress}: OperationContext, request: SetLimitsRequest): Promise<SetLimitsResult> {
  if (Object.values(request.changes).every((change) => change === undefined)) {
    throw new UserError('nothing to set: give --memory, --cpus or --tasks-max')
  }
  loadContainer(host, request.name)
  return withContainerLock(host, request.name, async () => {
    const container = loadContainer(host, request.name)
    if (container.declarative) throw new UserError('cannot change the limits of a declarative container (set them in your configuration.nix instead)', {code: 'declarative'})
    const conf = new Map(container.conf)
    const limits = recordLimits(conf, request.changes)
    const running = (await supervisor.state(container)) === 'up'
    if (running) {
      if (!supervisor.applyLimits) throw new UserError(`the ${supervisor.name} supervisor cannot change the limits of a running container`)
      // In force first: a conf that says more than the kernel does would mislead status.
      await progress.run([{
        title: `Setting the limits of container ${container.name}`,
        run: () => supervisor.applyLimits!({...container, conf}, limits),
      }])
    }
    writeConf(container.paths.conf, conf)
    return {name: container.name, limits, applied: running}
  })
}
