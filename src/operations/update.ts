// update: rebuild (keeping profile generations), then activate inside a running container with
// SYSTEM/bin/switch-to-configuration test. A failed build leaves profile and running system alone,
// and configuration.nix too: the new one is built from a private copy and installed only after.

import path from 'node:path'

import {buildConfiguration} from './build-configuration.js'
import {type BuildHost, builderFor} from './build-host.js'
import {confRecord, type OperationContext} from './context.js'
import {activateNewSystem} from './exec.js'
import type {SystemSource} from '../contract/builder.js'
import type {ConfEntries} from '../lib/conf.js'
import {checkContainerOptions, type ContainerOptions, recordOptions} from '../lib/container-options.js'
import {loadContainer, writeConf} from '../lib/containers.js'
import {checkPortBinds, portBindKey} from '../lib/port-bind.js'
import {withContainerLock} from '../lib/container-lock.js'
import {UserError} from '../lib/errors.js'
import {checkNixFlags, checkSource} from '../lib/source-checks.js'
import {parseFlakeRef} from '../lib/flake-ref.js'
import {checkGuestWritable} from '../lib/guest-fs.js'
import {
  type ConfigSource, configurationPath, configurationText, readConfiguration,
} from '../lib/nixos-config.js'
import type {ContainerPaths} from '../lib/paths.js'
import {currentSystem} from '../lib/profile.js'
import type {Step} from '../lib/progress.js'
import {withScratchDirectory} from '../lib/scratch.js'
import {describeChanges, type SystemChanges, systemChanges} from '../lib/system-changes.js'

export interface UpdateRequest {
  name: string
  /** --flake, --system-path or --nixos-path given on the command line. */
  source?: SystemSource
  config?: ConfigSource
  nixFlags: string[]
  /** Build and report what would change, change nothing. */
  dryRun?: boolean
  /** Do not print what changes before activating. */
  quiet?: boolean
  /** The container options to record anew (create's CONTAINER flags); undefined keeps them. */
  options?: ContainerOptions
  /** --build-host: the system is built there and copied here (build-host.ts). */
  buildHost?: BuildHost
}

export interface UpdateResult {
  name: string
  systemPath: string
  activated: boolean
  /** Built only, to show what would change (--dry-run): nothing was switched or written. */
  dryRun: boolean
  changes: SystemChanges
}

/** What to rebuild: the command line's choice, else the recorded flake, else configuration.nix. */
function chooseSource(request: UpdateRequest, recordedFlake?: string, recordedAttr?: string): SystemSource {
  if (request.source && request.source.kind !== 'configuration') return request.source
  if (!request.config && recordedFlake && request.source === undefined) {
    return {kind: 'flake', flake: recordedFlake, attr: recordedAttr || parseFlakeRef(recordedFlake).attr}
  }
  return request.source ?? {kind: 'configuration'}
}

/** Under the container's lock (container-lock.ts): no start, stop or destroy runs meanwhile. */
export async function updateContainer(context: OperationContext, request: UpdateRequest): Promise<UpdateResult> {
  loadContainer(context.host, request.name)
  if (request.source) checkSource(request.source)
  return withContainerLock(context.host, request.name, () => updateLocked(context, request))
}

async function updateLocked({host, plugins, supervisor, progress}: OperationContext, request: UpdateRequest): Promise<UpdateResult> {
  const container = loadContainer(host, request.name)
  const {paths, conf, name} = container
  if (container.declarative && conf.get('SYSTEM_PATH')) {
    throw new UserError('cannot update declarative container (change it in your configuration.nix instead)', {code: 'declarative'})
  }
  const source = chooseSource(request, conf.get('FLAKE') || undefined, conf.get('FLAKE_ATTR') || undefined)
  checkNixFlags(source, request.nixFlags)
  if (request.options) {
    checkContainerOptions(request.options)
    checkPortBinds(request.options.portBinds, conf.get('HOST_PORT'))
  }
  // The text to build: the new one (installed once built), else the container's own, read confined.
  let configuration: string | undefined
  if (source.kind === 'configuration') {
    if (request.config) {
      configuration = configurationText(name, request.config)
      checkGuestWritable(paths.root, configurationPath)
    } else {
      configuration = readConfiguration(paths.root)
      if (configuration === undefined) {
        throw new UserError(`container ‘${name}’ has no ${configurationPath}; give --config, --config-file or --flake`)
      }
    }
  }
  const builder = await builderFor(plugins, source, request.buildHost)
  const previous = currentSystem(paths.profile)
  const buildStep = (buildPaths: ContainerPaths, install: boolean): Step => ({
    title: `Building the system of container ${name} (${builder.name})`,
    run: async (log) => {
      const build = {name, paths: buildPaths, source, nixFlags: request.nixFlags, log}
      systemPath = configuration === undefined
        ? await builder.build(build)
        : await buildConfiguration(builder, build, configuration, install)
    },
  })
  let systemPath = ''
  if (request.dryRun) {
    // Built into a scratch profile: the container's profile, configuration.nix and conf stay as they are.
    await withScratchProfile(paths, (scratch) => progress.run([buildStep(scratch, false)]))
    return {name, systemPath, activated: false, dryRun: true, changes: await systemChanges(previous, systemPath)}
  }
  await plugins.veto('pre-update', {name, conf: confRecord(conf)})
  const running = (await supervisor.state(container)) === 'up'
  await progress.run([buildStep(paths, Boolean(request.config))])
  // NAME.conf, written once: the flake now followed, and container options given anew.
  const newFlake = source.kind === 'flake' && !container.declarative &&
    (conf.get('FLAKE') !== source.flake || (conf.get('FLAKE_ATTR') ?? 'container') !== source.attr)
  if (newFlake) {
    conf.set('FLAKE', source.flake)
    conf.set('FLAKE_ATTR', source.attr)
  }
  if (request.options) recordOptionsAnew(conf, request.options)
  if (newFlake || request.options) writeConf(paths.conf, conf)
  // The supervisor's hooks into the host follow the options (systemd: the unit's devices).
  if (request.options && !container.declarative) await supervisor.register?.(container)
  if (request.options && running) progress.note(`nixos-container: container ‘${name}’ gets its new container options at its next start (nixos-container restart ${name})`)
  const changes = await systemChanges(previous, systemPath)
  if (!request.quiet) for (const line of describeChanges(changes)) progress.note(line)
  if (running) await activateNewSystem({supervisor, progress}, container)
  await plugins.notify('post-update', {name, conf: confRecord(conf), systemPath, activated: running})
  return {name, systemPath, activated: running, dryRun: false, changes}
}

/** Replaces what CONF records of the container options by OPTIONS; its network stays as created (update has no --use-host-network). */
function recordOptionsAnew(conf: ConfEntries, options: ContainerOptions): void {
  conf.delete('PRIVATE_USERS')
  conf.delete('EXTRA_NSPAWN_FLAGS')
  conf.delete(portBindKey)
  recordOptions(conf, options)
}

/** Runs FN with the container's paths but a profile in a new scratch directory, removed after. */
function withScratchProfile<T>(paths: ContainerPaths, fn: (scratch: ContainerPaths) => Promise<T>): Promise<T> {
  return withScratchDirectory('dry-run', (dir) => fn({...paths, profileDir: dir, profile: path.join(dir, 'system')}))
}
