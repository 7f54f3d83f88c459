// What every operation works with: where containers live, the selected backends, and progress.
import type {Allocator} from '../backends/allocators/allocator.js'
import type {Builder, SystemSource} from '../backends/builders/builder.js'
import type {Supervisor} from '../backends/supervisors/supervisor.js'
import {UserError} from '../lib/errors.js'
import type {HostPaths} from '../lib/paths.js'
import type {Progress} from '../lib/progress.js'

export interface Backends {
  allocator: Allocator
  builders: Builder[]
  supervisor: Supervisor
}

export interface OperationContext {
  host: HostPaths
  backends: Backends
  progress: Progress
}

export function builderFor(backends: Backends, source: SystemSource): Builder {
  const builder = backends.builders.find((b) => b.handles(source))
  if (!builder) throw new UserError(`no builder can build a ${source.kind} source`)
  return builder
}
