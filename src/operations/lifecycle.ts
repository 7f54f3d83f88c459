// start, stop, restart, terminate: thin sequences over the selected supervisor, between the
// lifecycle hooks (a pre-* hook may refuse; post-* hooks are told what happened).

import {confRecord, type OperationContext} from './context.js'
import {ensureSystem} from './system.js'

import type {RunState, Supervisor} from '../contract/supervisor.js'
import {type Container, loadContainer, requireReadableNetwork} from '../lib/containers.js'
import {withContainerLock} from '../lib/container-lock.js'
import {UserError} from '../lib/errors.js'
import type {HostPaths} from '../lib/paths.js'
import {requireNoHostClash} from '../lib/host-networks.js'
import {startPortForwarder, stopPortForwarder} from '../lib/port-bind.js'
import {portForwardingProblem} from '../lib/ports.js'
import {onInterrupt} from '../lib/signals.js'

export interface LifecycleResult {
  name: string
  state: RunState
  leader?: number
  /** False when the container already was in that state: nothing changed and no hook fired. */
  changed: boolean
}

/** Up, and as it should be (not a half-started container that start must repair). */
async function runsAsItShould(supervisor: Supervisor, container: Container): Promise<boolean> {
  return await supervisor.state(container) === 'up' && await supervisor.problem?.(container) === undefined
}

export interface StartRequest {
  name: string
  timeoutMs: number
  /**
   * Aborted by whoever owns the CLI's signals (SIGINT, SIGTERM, SIGHUP): the container is then
   * stopped again, and start fails, so an interrupted start leaves it fully down, never half-up.
   */
  signal?: AbortSignal
}

/**
 * Every operation on one container runs under its lock (container-lock.ts). The container is
 * loaded before (a name that does not exist fails without making a lock file) and again inside,
 * since the command that held the lock may have changed it.
 */
function locked<T>(host: HostPaths, name: string, body: (container: Container) => Promise<T>): Promise<T> {
  loadContainer(host, name)
  return withContainerLock(host, name, () => body(loadContainer(host, name)))
}

const interrupted = Symbol('interrupted')

/** `work`, unless `signal` aborts first: then `undo` runs (again once work has settled) and the result is an error. */
async function undoneOnAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, undo: () => Promise<void>, why: string): Promise<T> {
  if (!signal) return work
  let onAbort = (): void => {}
  const aborted = new Promise<typeof interrupted>((resolve) => {
    onAbort = () => resolve(interrupted)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, {once: true})
  })
  try {
    const first = await Promise.race([work, aborted])
    if (first !== interrupted) return first
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  // Undone at once, so the work fails fast; and again after it settled, in case it got further.
  await undo()
  await work.catch(() => undefined)
  await undo()
  throw new UserError(why)
}

export async function startContainer(context: OperationContext, request: StartRequest): Promise<LifecycleResult> {
  const {host, plugins, supervisor, progress} = context
  const {name, timeoutMs, signal} = request
  return locked(host, name, async (loaded) => {
    let container = loaded
    requireReadableNetwork(container)
    if (await runsAsItShould(supervisor, container)) {
      // Nothing to start, so no hook fires; like `systemctl start`, it returns once booted.
      const leader = (await supervisor.waitReady?.(container, timeoutMs)) ?? (await supervisor.leader(container))
      if (leader !== undefined) return {name, state: 'up', leader, changed: false}
    }
    // The host's networks are read (three `ip` runs) while the rest gets ready, the progress
    // display loading among it; the verdict still comes before anything is drawn or started.
    const hostChecked = requireNoHostClash(container)
    hostChecked.catch(() => undefined) // awaited below; a veto or build failure may come first
    progress.prepare()
    await plugins.veto('pre-start', {name, conf: confRecord(container.conf)})
    // Said before any progress is drawn, so the advice is the one line the user sees.
    container = await ensureSystem(container, context)
    await hostChecked
    let leader = 0
    await progress.run([{
      title: `Starting container ${name} (${supervisor.name})`,
      run: async (log) => {
        // Ctrl-C, SIGTERM or SIGHUP (signals.ts) leaves the container fully down, never half-up.
        const release = onInterrupt(() => supervisor.terminate(container))
        try {
          const started = supervisor.start(container, {timeoutMs, log})
          leader = await undoneOnAbort(started, signal, () => supervisor.terminate(container),
            `start of container ‘${name}’ was interrupted; it has been stopped again`)
        } finally {
          release()
        }
      },
    }])
    // Started by the supervisor's boot already, unless a container@.service not ours ran it.
    await startPortForwarder(name, container.conf, container.paths, leader).catch(async (error: unknown) => {
      await supervisor.terminate(container)
      throw error
    })
    const forwarding = portForwardingProblem(container.conf)
    if (forwarding) progress.note(`nixos-container: warning: container ‘${name}’ runs, but ${forwarding}`)
    await plugins.notify('post-start', {name, conf: confRecord(container.conf), leader})
    return {name, state: 'up', leader, changed: true}
  })
}

export async function stopContainer(context: OperationContext, name: string, timeoutMs: number): Promise<LifecycleResult> {
  const {host, plugins, supervisor, progress} = context
  return locked(host, name, async (container) => {
    // A stopped container is still handed to the supervisor (it tidies up what a crash left), but
    // its state does not change, so no hook fires.
    const changed = await supervisor.state(container) === 'up'
    const conf = confRecord(container.conf)
    if (changed) await plugins.veto('pre-stop', {name, conf, force: false})
    await progress.run([{
      title: `Stopping container ${name}`,
      run: async () => {
        await supervisor.stop(container, {timeoutMs})
        await stopPortForwarder(name, container.paths)
      },
    }])
    if (changed) await plugins.notify('post-stop', {name, conf, force: false})
    return {name, state: 'down', changed}
  })
}

/** Stop, then start, under one hold of the lock: no other command gets in between. */
export async function restartContainer(context: OperationContext, request: StartRequest): Promise<LifecycleResult> {
  return locked(context.host, request.name, async (container) => {
    // Before the stop: a restart that start would refuse must not leave the container down.
    await requireNoHostClash(container)
    await stopContainer(context, request.name, request.timeoutMs)
    return startContainer(context, request)
  })
}

export async function terminateContainer({host, plugins, supervisor}: OperationContext, name: string): Promise<LifecycleResult> {
  return locked(host, name, async (container) => {
    const changed = await supervisor.state(container) === 'up'
    const conf = confRecord(container.conf)
    if (changed) await plugins.notify('pre-stop', {name, conf, force: true})
    await supervisor.terminate(container)
    await stopPortForwarder(name, container.paths)
    if (changed) await plugins.notify('post-stop', {name, conf, force: true})
    return {name, state: 'down', changed}
  })
}
