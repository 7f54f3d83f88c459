// destroy: stop the container if it runs, then remove profile, GC roots, root and NAME.conf,
// never deleting through a mount point.
import {rmSync} from 'node:fs'
import path from 'node:path'

import {confRecord, type OperationContext} from './context.js'
import {containerExists, loadContainer} from '../lib/containers.js'
import {withContainerLock} from '../lib/container-lock.js'
import {UserError} from '../lib/errors.js'
import {checkNameSyntax} from '../lib/names.js'
import type {ContainerPaths} from '../lib/paths.js'
import {stopPortForwarder} from '../lib/port-bind.js'
import type {Step} from '../lib/progress.js'
import {removeNspawnLeftovers, safeRemoveTree} from '../lib/remove.js'

export async function removeContainerFiles(paths: ContainerPaths): Promise<void> {
  await stopPortForwarder(path.basename(paths.conf, '.conf'), paths)
  await safeRemoveTree(paths.profileDir)
  await safeRemoveTree(paths.gcroots)
  await safeRemoveTree(paths.root)
  rmSync(paths.logFile, {force: true})
  await removeNspawnLeftovers(paths.root)
  rmSync(paths.conf, {force: true})
}

export interface DestroyResult {
  name: string
  destroyed: boolean
}

export async function destroyContainer({host, plugins, supervisor, progress}: OperationContext, name: string): Promise<DestroyResult> {
  checkNameSyntax(name)
  // Upstream: destroying what does not exist succeeds silently.
  if (!containerExists(host, name)) return {name, destroyed: false}
  // Under the container's lock (container-lock.ts); a destroy that waited may find it gone.
  return withContainerLock(host, name, async () => {
    if (!containerExists(host, name)) return {name, destroyed: false}
    return destroyLocked({host, plugins, supervisor, progress}, name)
  })
}

async function destroyLocked({host, plugins, supervisor, progress}: OperationContext, name: string): Promise<DestroyResult> {
  const container = loadContainer(host, name)
  if (container.declarative) {
    throw new UserError('cannot destroy declarative container (remove it from your configuration.nix instead)', {code: 'declarative'})
  }
  const conf = confRecord(container.conf)
  await plugins.veto('pre-destroy', {name, conf})
  const steps: Step[] = []
  const running = (await supervisor.state(container)) === 'up'
  if (running) {
    await plugins.notify('pre-stop', {name, conf, force: true})
    steps.push({title: `Terminating container ${name}`, run: () => supervisor.terminate(container)})
  }
  if (supervisor.unregister) {
    steps.push({title: `Unhooking container ${name} from ${supervisor.name}`, run: () => supervisor.unregister!(container)})
  }
  steps.push({title: `Removing the files of container ${name}`, run: () => removeContainerFiles(container.paths)})
  await progress.run(steps)
  if (running) await plugins.notify('post-stop', {name, conf, force: true})
  await plugins.notify('post-destroy', {name, conf})
  return {name, destroyed: true}
}
