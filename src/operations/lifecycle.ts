// start, stop, restart, terminate, status: thin sequences over the selected supervisor.

import type {OperationContext} from './context.js'
import {updateContainer} from './update.js'

import type {RunState} from '../backends/supervisors/supervisor.js'
import {hasSystem, loadContainer} from '../lib/containers.js'

export interface LifecycleResult {
  name: string
  state: RunState
  leader?: number
}

export interface StartRequest {
  name: string
  timeoutMs: number
}

export async function startContainer(context: OperationContext, {name, timeoutMs}: StartRequest): Promise<LifecycleResult> {
  const {host, backends, progress} = context
  let container = loadContainer(host, name)
  const {supervisor} = backends
  // container@.service builds a flake container that has no system yet before booting it.
  if (container.conf.get('FLAKE') && !hasSystem(container)) {
    await updateContainer(context, {name, nixFlags: []})
    container = loadContainer(host, name)
  }
  let leader = 0
  await progress.run([{
    title: `Starting container ${name} (${supervisor.name})`,
    run: async (log) => {
      leader = await supervisor.start(container, {timeoutMs, log})
    },
  }])
  return {name, state: 'up', leader}
}

export async function stopContainer({host, backends, progress}: OperationContext, name: string, timeoutMs: number): Promise<LifecycleResult> {
  const container = loadContainer(host, name)
  await progress.run([{
    title: `Stopping container ${name}`,
    run: () => backends.supervisor.stop(container, {timeoutMs}),
  }])
  return {name, state: 'down'}
}

export async function terminateContainer({host, backends}: OperationContext, name: string): Promise<LifecycleResult> {
  const container = loadContainer(host, name)
  await backends.supervisor.terminate(container)
  return {name, state: 'down'}
}
