// create: choose a name and addresses under the lock shared with upstream (network-allocate asks
// the selected allocator), let pre-create hooks refuse, write NAME.conf, then build and register.
// Any failure removes everything create made, so nothing is left half-made.
import {existsSync, mkdirSync} from 'node:fs'

import {buildConfiguration} from './build-configuration.js'
import {type BuildHost, builderFor} from './build-host.js'
import {confRecord, type OperationContext} from './context.js'
import {removeContainerFiles} from './destroy.js'
import type {SystemSource} from '../contract/builder.js'
import type {Supervisor} from '../contract/supervisor.js'
import {type AddressSet, checkAddresses} from '../lib/addresses.js'
import {type ConfEntries, createConf} from '../lib/conf.js'
import {type LimitChanges, recordLimits} from '../lib/limits.js'
import {checkContainerOptions, type ContainerOptions, noOptions, recordOptions} from '../lib/container-options.js'
import {addressesInUse, type Container, loadContainer, writeConf} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {withExclusiveLock} from '../lib/lock.js'
import {checkNameLength, checkNewName, uniqueName} from '../lib/names.js'
import {type ConfigSource, configurationText} from '../lib/nixos-config.js'
import {containerPaths, type ContainerPaths, type HostPaths} from '../lib/paths.js'
import {checkPortBinds} from '../lib/port-bind.js'
import {checkPorts} from '../lib/ports.js'
import {currentSystem} from '../lib/profile.js'
import {onInterrupt} from '../lib/signals.js'
import {checkNixFlags, checkSource} from '../lib/source-checks.js'
import {pauseForTest} from '../lib/test-pause.js'

export interface CreateRequest {
  name: string
  ensureUniqueName: boolean
  addresses: AddressSet
  bridge?: string
  ports?: string
  autoStart: boolean
  source: SystemSource
  config?: ConfigSource
  nixFlags: string[]
  /** Bind mounts, the host's network, private users … (see container-options.ts). */
  options?: ContainerOptions
  /** --pool: address ranges for the allocator, instead of its settings'. */
  pools?: string[]
  /** Memory, CPU and task limits (see limits.ts). */
  limits?: LimitChanges
  /** --build-host: the system is built there and copied here (build-host.ts). */
  buildHost?: BuildHost
}

/** The addresses as allocated (with the pool they came from) or given. */
export interface CreateResult extends AddressSet {
  name: string
  systemPath: string
}

function isTaken(host: HostPaths, name: string): boolean {
  const paths = containerPaths(host, name)
  return existsSync(paths.conf) || existsSync(paths.root)
}

/** What a new container asks for before its conf can be written: a name and addresses. */
export interface Reservation {
  name: string
  ensureUniqueName: boolean
  addresses: AddressSet
  /** On the host's network: no addresses of its own. */
  hostNetwork: boolean
  /** --pool: the ranges to allocate from instead of the allocator's. */
  pools?: string[]
}

/**
 * Phase one of create (and clone), under the lock shared with upstream: the final name and
 * addresses, and NAME.conf as CONF-FOR makes it from them. WRITTEN is told the name in the same
 * tick as the conf is written, so a signal cannot slip in between.
 */
export async function reserveContainer(
  {host, plugins}: Pick<OperationContext, 'host' | 'plugins'>,
  reservation: Reservation,
  confFor: (addresses: AddressSet) => ConfEntries,
  written: (name: string) => void,
): Promise<{name: string; addresses: AddressSet}> {
  mkdirSync(host.configDir, {recursive: true, mode: 0o755})
  mkdirSync(host.stateDir, {recursive: true, mode: 0o700})
  return withExclusiveLock(host.lockFile, async () => {
    const name = reservation.ensureUniqueName ? uniqueName(reservation.name, (n) => isTaken(host, n)) : reservation.name
    const paths = containerPaths(host, name)
    if (existsSync(paths.conf)) throw new UserError(`container ‘${name}’ already exists`, {code: 'exists'})
    checkNewName(name)
    checkNameLength(name)
    if (existsSync(paths.root)) throw new UserError(`${paths.root} already exists (left over from an earlier container?)`, {code: 'exists'})
    const inUse = addressesInUse(host)
    checkAddresses(reservation.addresses, inUse)
    const addresses = reservation.hostNetwork ? {} : await plugins.allocate({name, requested: reservation.addresses, inUse, pools: reservation.pools})
    const conf = confFor(addresses)
    await plugins.veto('pre-create', {name, conf: confRecord(conf)})
    writeConf(paths.conf, conf)
    written(name)
    return {name, addresses}
  })
}

/**
 * From the moment a new container's NAME.conf exists, a failure or a signal (Ctrl-C, SIGTERM,
 * SIGHUP) removes everything made for it; undo() runs once even when both happen. release() when
 * the container is complete.
 */
export function guardNewContainer(supervisor: Supervisor): {reserved(paths: ContainerPaths): void; loaded(container: Container): void; undo(): Promise<void>; release(): void} {
  let paths: ContainerPaths | undefined
  let container: Container | undefined
  let undoing: Promise<void> | undefined
  const undo = (): Promise<void> => undoing ??= (async () => {
    if (!paths) return
    if (container) await supervisor.unregister?.(container).catch(() => {})
    await removeContainerFiles(paths)
  })()
  return {
    reserved: (reserved) => {
      paths = reserved
    },
    loaded: (loaded) => {
      container = loaded
    },
    undo,
    release: onInterrupt(undo),
  }
}

export function checkCreateRequest(request: CreateRequest): void {
  checkNewName(request.name)
  if (!request.ensureUniqueName) checkNameLength(request.name)
  if ((request.addresses.hostAddress === undefined) !== (request.addresses.localAddress === undefined)) {
    throw new UserError('With --host-address set, --local-address is required as well!')
  }
  if (request.ports) checkPorts(request.ports)
  if (request.bridge !== undefined && !/^[a-zA-Z0-9_.:-]{1,15}$/.test(request.bridge)) {
    throw new UserError(`--bridge: ‘${request.bridge}’ is not a valid interface name`)
  }
  const options = request.options ?? noOptions
  if (options.hostNetwork) {
    const {hostAddress, localAddress, hostAddress6, localAddress6} = request.addresses
    if (hostAddress !== undefined || localAddress !== undefined || hostAddress6 !== undefined || localAddress6 !== undefined) {
      throw new UserError('--use-host-network cannot be used with --host-address or --local-address!')
    }
    if (request.bridge !== undefined || request.ports) throw new UserError('--use-host-network cannot be used with --bridge or --port (they need a network of its own)')
  }
  checkContainerOptions(options)
  checkPortBinds(options.portBinds, request.ports)
  checkSource(request.source)
  checkNixFlags(request.source, request.nixFlags)
}

export async function createContainer({host, plugins, supervisor, progress}: OperationContext, request: CreateRequest): Promise<CreateResult> {
  checkCreateRequest(request)
  const builder = await builderFor(plugins, request.source, request.buildHost)
  const guard = guardNewContainer(supervisor)
  let container: Container | undefined
  let systemPath = ''
  let result: CreateResult
  try {
    const options = request.options ?? noOptions
    const flake = request.source.kind === 'flake' ? request.source : undefined
    const reservation = {name: request.name, ensureUniqueName: request.ensureUniqueName, addresses: request.addresses, hostNetwork: options.hostNetwork, pools: request.pools}
    const {name, addresses} = await reserveContainer({host, plugins}, reservation, (allocated) => {
      const conf = createConf({
        ...allocated,
        bridge: request.bridge,
        ports: request.ports,
        autoStart: request.autoStart,
        flake: flake?.flake,
        flakeAttr: flake?.attr,
      })
      recordOptions(conf, options)
      recordLimits(conf, request.limits ?? {})
      return conf
    }, (reserved) => guard.reserved(containerPaths(host, reserved)))
    progress.note(addresses.localAddress === undefined ? 'using host network' : `host IP is ${addresses.hostAddress}, container IP is ${addresses.localAddress}`)
    container = loadContainer(host, name)
    guard.loaded(container)
    const made = container
    await pauseForTest('conf-written')
    await progress.run([{
      title: `Building the system of container ${name} (${builder.name})`,
      run: async (log) => {
        const build = {name, paths: made.paths, source: request.source, nixFlags: request.nixFlags, log}
        systemPath = request.source.kind === 'configuration'
          ? await buildConfiguration(builder, build, configurationText(name, request.config), true)
          : await builder.build(build)
      },
    }])
    await pauseForTest('profile-set')
    if (supervisor.register) {
      await progress.run([{
        title: `Registering container ${name} with ${supervisor.name}`,
        run: () => supervisor.register!(made),
      }])
    }
    systemPath ||= currentSystem(made.paths.profile) || ''
    result = {name, ...addresses, systemPath}
  } catch (error) {
    await guard.undo()
    throw error
  } finally {
    guard.release()
  }
  await plugins.notify('post-create', {name: result.name, conf: confRecord(container.conf), systemPath})
  return result
}
