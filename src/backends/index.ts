// The built-in backends and how one is chosen: flag, then environment, then the host's default.
// A later step lets installed plugins add their own under the same names.
import type {Allocator} from './allocators/allocator.js'
import {upstreamAllocator} from './allocators/upstream.js'
import type {Builder} from './builders/builder.js'
import {channelsBuilder} from './builders/channels.js'
import {flakesBuilder} from './builders/flakes.js'
import {storePathBuilder} from './builders/store-path.js'
import {nspawnSupervisor} from './supervisors/nspawn.js'
import type {Supervisor} from './supervisors/supervisor.js'
import {systemdSupervisor} from './supervisors/systemd.js'
import {UserError} from '../lib/errors.js'
import {systemdIsRunning} from '../lib/systemd.js'
import type {Backends} from '../operations/context.js'

const allocators: Allocator[] = [upstreamAllocator]
const supervisors: Supervisor[] = [systemdSupervisor, nspawnSupervisor]
const builders: Builder[] = [storePathBuilder, flakesBuilder, channelsBuilder]

function pick<T extends {name: string}>(kind: string, available: T[], wanted: string | undefined, fallback: string): T {
  wanted ||= fallback
  const found = available.find((p) => p.name === wanted)
  if (!found) throw new UserError(`unknown ${kind} ‘${wanted}’ (available: ${available.map((p) => p.name).join(', ')})`)
  return found
}

export interface BackendChoice {
  allocator?: string
  supervisor?: string
}

export function selectBackends(choice: BackendChoice = {}, env: NodeJS.ProcessEnv = process.env): Backends {
  return {
    allocator: pick('allocator', allocators, choice.allocator ?? env.NIXOS_CONTAINER_ALLOCATOR, upstreamAllocator.name),
    // container@NAME.service wherever systemd runs the host, as on NixOS; else our own nspawn.
    supervisor: pick('supervisor', supervisors, choice.supervisor ?? env.NIXOS_CONTAINER_SUPERVISOR,
      systemdIsRunning() ? systemdSupervisor.name : nspawnSupervisor.name),
    builders,
  }
}
