// start, stop, restart, terminate: thin sequences over the selected supervisor, between the
// lifecycle hooks (a pre-* hook may refuse; post-* hooks are told what happened).

import {confRecord, type OperationContext} from './context.js'
import {updateContainer} from './update.js'

import type {RunState} from '../contract/supervisor.js'
import {hasSystem, loadContainer, requireReadableNetwork, requireSystem} from '../lib/containers.js'

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
  const {host, plugins, supervisor, progress} = context
  let container = loadContainer(host, name)
  requireReadableNetwork(container)
  await plugins.veto('pre-start', {name, conf: confRecord(container.conf)})
  // container@.service builds a flake container that has no system yet before booting it.
  if (container.conf.get('FLAKE') && !hasSystem(container)) {
    await updateContainer(context, {name, nixFlags: []})
    container = loadContainer(host, name)
  }
  // Said before any progress is drawn, so the advice is the one line the user sees.
  requireSystem(container)
  let leader = 0
  await progress.run([{
    title: `Starting container ${name} (${supervisor.name})`,
    run: async (log) => {
      leader = await supervisor.start(container, {timeoutMs, log})
    },
  }])
  await plugins.notify('post-start', {name, conf: confRecord(container.conf), leader})
  return {name, state: 'up', leader}
}

export async function stopContainer({host, plugins, supervisor, progress}: OperationContext, name: string, timeoutMs: number): Promise<LifecycleResult> {
  const container = loadContainer(host, name)
  const conf = confRecord(container.conf)
  await plugins.veto('pre-stop', {name, conf, force: false})
  await progress.run([{
    title: `Stopping container ${name}`,
    run: () => supervisor.stop(container, {timeoutMs}),
  }])
  await plugins.notify('post-stop', {name, conf, force: false})
  return {name, state: 'down'}
}

export async function terminateContainer({host, plugins, supervisor}: OperationContext, name: string): Promise<LifecycleResult> {
  const container = loadContainer(host, name)
  const conf = confRecord(container.conf)
  await plugins.notify('pre-stop', {name, conf, force: true})
  await supervisor.terminate(container)
  await plugins.notify('post-stop', {name, conf, force: true})
  return {name, state: 'down'}
}
