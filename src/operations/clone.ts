// clone: a new container from an existing one: its NAME.conf (but addresses of its own, allocated
// as create does, and no forwarded ports, which would clash), its current system, and a copy of its
// root directory with a fresh identity (empty machine-id, no SSH host keys), left stopped.
import {confRecord, type OperationContext} from './context.js'
import {guardNewContainer, reserveContainer} from './create.js'
import type {AddressSet} from '../lib/addresses.js'
import type {ConfEntries} from '../lib/conf.js'
import {type Container, containerExists, loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {copyTree} from '../lib/guest-copy.js'
import {withGuestRoot} from '../lib/guest-fs.js'
import {checkNameLength, checkNewName} from '../lib/names.js'
import {installConfiguration, readConfiguration} from '../lib/nixos-config.js'
import {containerPaths} from '../lib/paths.js'
import {portBindKey} from '../lib/port-bind.js'
import {currentSystem, ensureProfileDir, setProfile} from '../lib/profile.js'

export interface CloneRequest {
  source: string
  name: string
  /** Copy a running container's root as it is (it may be inconsistent). */
  force: boolean
}

/** DEST's addresses, allocated as create allocates them (with their pool). */
export interface CloneResult extends AddressSet {
  name: string
  source: string
  systemPath: string
}

/** Keys that belong to one container only: its addresses (allocated anew) and its host ports (and where they are bound). */
const ownKeys = ['HOST_ADDRESS', 'LOCAL_ADDRESS', 'HOST_ADDRESS6', 'LOCAL_ADDRESS6', 'HOST_PORT', portBindKey]

function cloneConf(source: ConfEntries, addresses: {hostAddress?: string; localAddress?: string; hostAddress6?: string; localAddress6?: string}): ConfEntries {
  const conf: ConfEntries = new Map()
  for (const [key, value] of source) {
    if (key === 'HOST_ADDRESS' && addresses.hostAddress) conf.set(key, addresses.hostAddress)
    else if (key === 'LOCAL_ADDRESS' && addresses.localAddress) conf.set(key, addresses.localAddress)
    else if (key === 'HOST_PORT') conf.set(key, '')
    else if (!ownKeys.includes(key)) conf.set(key, value)
  }
  // A source without addresses of its own (on a bridge, by DHCP) still gets the pair allocated for it.
  if (addresses.hostAddress && !conf.has('HOST_ADDRESS')) conf.set('HOST_ADDRESS', addresses.hostAddress)
  if (addresses.localAddress && !conf.has('LOCAL_ADDRESS')) conf.set('LOCAL_ADDRESS', addresses.localAddress)
  if (addresses.hostAddress6) conf.set('HOST_ADDRESS6', addresses.hostAddress6)
  if (addresses.localAddress6) conf.set('LOCAL_ADDRESS6', addresses.localAddress6)
  return conf
}

/**
 * The copy is another machine: a new machine-id at its first boot, new SSH host keys, and its own
 * name in the configuration.nix create generated (from its next update on).
 */
function freshIdentity(root: string, source: string, name: string): void {
  const configuration = readConfiguration(root)
  const generatedName = `  networking.hostName = lib.mkDefault "${source}";\n`
  if (configuration?.includes(generatedName)) {
    installConfiguration(root, configuration.replace(generatedName, `  networking.hostName = lib.mkDefault "${name}";\n`))
  }
  withGuestRoot(root, (guest) => {
    if (guest.entry('/etc/machine-id')) guest.write('/etc/machine-id', '', {mode: 0o444})
    const ssh = guest.directory('/etc/ssh')
    if (ssh === undefined) return
    for (const name of guest.list(ssh).filter((entry) => entry.startsWith('ssh_host_'))) guest.remove(ssh, name, ['etc', 'ssh', name])
  })
}

export async function cloneContainer(context: OperationContext, request: CloneRequest): Promise<CloneResult> {
  const {host, plugins, supervisor, progress} = context
  const source = loadContainer(host, request.source)
  checkNewName(request.name)
  checkNameLength(request.name)
  if (containerExists(host, request.name)) throw new UserError(`container ‘${request.name}’ already exists`, {code: 'exists'})
  if (source.declarative) throw new UserError(`cannot clone declarative container ‘${source.name}’ (declare another one in your configuration.nix instead)`, {code: 'declarative'})
  const systemPath = source.conf.get('SYSTEM_PATH') || currentSystem(source.paths.profile)
  if (!systemPath) throw new UserError(`container ‘${source.name}’ has no system yet (build it with update first)`)
  if ((await supervisor.state(source)) === 'up') {
    if (!request.force) throw new UserError(`container ‘${source.name}’ is running: stop it first, or give --force to copy it as it is`)
    progress.note(`nixos-container: warning: copying the root of running container ‘${source.name}’: the copy may be inconsistent`)
  }
  const hostNetwork = source.conf.get('PRIVATE_NETWORK') === '0'
  const guard = guardNewContainer(supervisor)
  let result: CloneResult
  let clone: Container
  try {
    const reservation = {name: request.name, ensureUniqueName: false, addresses: {}, hostNetwork}
    const {name, addresses} = await reserveContainer(context, reservation, (allocated) => cloneConf(source.conf, allocated),
      (reserved) => guard.reserved(containerPaths(host, reserved)))
    if (addresses.localAddress) progress.note(`host IP is ${addresses.hostAddress}, container IP is ${addresses.localAddress}`)
    clone = loadContainer(host, name)
    guard.loaded(clone)
    const made = clone
    await progress.run([
      {
        title: `Copying the root of container ${source.name}`,
        run: async () => {
          await copyTree(source.paths.root, made.paths.root)
          freshIdentity(made.paths.root, source.name, name)
        },
      },
      {
        title: `Setting the system of container ${name}`,
        run: async (log) => {
          ensureProfileDir(made.paths.profileDir)
          await setProfile(made.paths.profile, systemPath, log)
        },
      },
      ...(supervisor.register ? [{title: `Registering container ${name} with ${supervisor.name}`, run: () => supervisor.register!(made)}] : []),
    ])
    result = {name, source: source.name, ...addresses, systemPath}
  } catch (error) {
    await guard.undo()
    throw error
  } finally {
    guard.release()
  }
  await plugins.notify('post-create', {name: result.name, conf: confRecord(clone.conf), systemPath})
  return result
}
