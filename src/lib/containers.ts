// The containers on this host, as their NAME.conf files describe them.
import {accessSync, closeSync, constants, existsSync, lstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, writeFileSync} from 'node:fs'

import {type AddressSet, isIPv4WithPrefix, isIPv6WithPrefix, poolOf} from './addresses.js'
import {parseConf, parseConfLines, type ConfEntries, formatConf} from './conf.js'
import {UserError} from './errors.js'
import {recordedOptions, type RecordedOptions} from './container-options.js'
import {limitsOfConf, type ResourceLimits} from './limits.js'
import {currentGeneration} from './generations.js'
import {withGuestRoot} from './guest-fs.js'
import {checkNameSyntax} from './names.js'
import {confPath, containerPaths, foreignConfFiles, type ContainerPaths, type HostPaths} from './paths.js'
import {isRoot} from './privileges.js'

export interface Container {
  name: string
  paths: ContainerPaths
  conf: ConfEntries
  /** Written by the NixOS module (read-only); only NixOS may change or remove it. */
  declarative: boolean
  /** Lines of NAME.conf that are neither settings nor comments (loadContainer fills it in). */
  unreadable?: string[]
}

export function listContainerNames(host: HostPaths): string[] {
  let files: string[]
  try {
    files = readdirSync(host.configDir)
  } catch {
    return []
  }
  return files
    .filter((f) => f.endsWith('.conf') && !foreignConfFiles.has(f))
    .map((f) => f.slice(0, -'.conf'.length))
    .sort()
}

export function containerExists(host: HostPaths, name: string): boolean {
  return existsSync(confPath(host, name))
}

function isDeclarative(conf: string): boolean {
  try {
    // The module's confs are links into the store (through /etc/static); only a link is resolved,
    // so `list` over many imperative containers makes no realpath walk for each.
    if (lstatSync(conf).isSymbolicLink() && realpathSync.native(conf).startsWith('/nix/store/')) return true
    // Whether root may write it (a read-only /etc): other users may write no conf at all.
    if (!isRoot()) return false
    accessSync(conf, constants.W_OK)
    return false
  } catch {
    return true
  }
}

/** Loads a container, or fails with upstream's message when it has no NAME.conf. */
export function loadContainer(host: HostPaths, name: string): Container {
  checkNameSyntax(name)
  const paths = containerPaths(host, name)
  let text: string
  try {
    text = readFileSync(paths.conf, 'utf8')
  } catch (error) {
    throw confReadError(name, paths.conf, error)
  }
  const {entries, unreadable} = parseConfLines(text)
  return {name, paths, conf: entries, unreadable, declarative: isDeclarative(paths.conf)}
}

/**
 * Fails as loadContainer would when NAME.conf cannot be read, reading one byte of it only: plain
 * `list` checks a thousand containers without holding a thousand parsed confs.
 */
export function checkConfReadable(host: HostPaths, name: string): void {
  checkNameSyntax(name)
  const file = confPath(host, name)
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    readSync(fd, Buffer.alloc(1), 0, 1, 0)
  } catch (error) {
    throw confReadError(name, file, error)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function confReadError(name: string, file: string, error: unknown): UserError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new UserError(`container ‘${name}’ does not exist`, {code: 'not-found'})
  return new UserError(`cannot read ${file}: ${(error as Error).message}`)
}

const networkKeys: [key: string, valid: (value: string) => boolean][] = [
  ['PRIVATE_NETWORK', (v) => v === '' || v === '0' || v === '1'],
  ['HOST_ADDRESS', isIPv4WithPrefix],
  ['LOCAL_ADDRESS', isIPv4WithPrefix],
  ['HOST_ADDRESS6', isIPv6WithPrefix],
  ['LOCAL_ADDRESS6', isIPv6WithPrefix],
]

/**
 * Refuses to boot a container whose network settings cannot be read: guessing would put it in
 * the host's network namespace (an absent PRIVATE_NETWORK means exactly that).
 */
export function requireReadableNetwork(container: Container): void {
  for (const [key, valid] of networkKeys) {
    const bad = (container.unreadable ?? []).find((l) => l.includes(key))
    const value = container.conf.get(key)
    const shown = bad ?? (value !== undefined && value !== '' && !valid(value) ? `${key}=${value}` : undefined)
    if (shown !== undefined) {
      throw new UserError(`cannot start ‘${container.name}’: ${key} in ${container.paths.conf} cannot be read (‘${shown}’); fix the file`)
    }
  }
}

/** Whether the container has a system to boot: SYSTEM_PATH (declarative) or a built profile. */
export function hasSystem(container: Container): boolean {
  return Boolean(container.conf.get('SYSTEM_PATH')) || existsSync(container.paths.profile)
}

/** Where the container sees its own profile (PROFILES/NAME is bind-mounted on /nix/var/nix/profiles). */
export const systemInsideContainer = '/nix/var/nix/profiles/system'

/** The system the container boots, as a path inside it: SYSTEM_PATH (declarative) or its profile. */
export function systemPathInside(conf: ConfEntries): string {
  return conf.get('SYSTEM_PATH') || systemInsideContainer
}

/** Refuses to boot a container whose system has not been built. */
export function requireSystem(container: Container): void {
  if (hasSystem(container)) return
  const {name, conf, paths} = container
  // `update NAME` alone rebuilds only what was recorded: a flake or configuration.nix.
  // Looked up confined to the root (guest-fs.ts), as every path inside it: a link there is refused.
  if (conf.get('FLAKE') || withGuestRoot(paths.root, (guest) => guest.entry('etc/nixos/configuration.nix') !== undefined)) {
    throw new UserError(`container ‘${name}’ has no system yet (run ‘nixos-container update ${name}’)`)
  }
  throw new UserError(`container ‘${name}’ has no system (its create did not finish): run ‘nixos-container destroy ${name}’ and create it again, or give it one with ‘nixos-container update ${name} --config-file FILE’`)
}

export function addressesOfConf(conf: ConfEntries): AddressSet {
  return {
    hostAddress: conf.get('HOST_ADDRESS') || undefined,
    localAddress: conf.get('LOCAL_ADDRESS') || undefined,
    hostAddress6: conf.get('HOST_ADDRESS6') || undefined,
    localAddress6: conf.get('LOCAL_ADDRESS6') || undefined,
  }
}

/** Every container's addresses, for the allocator. Unreadable files are skipped, as upstream does. */
export function addressesInUse(host: HostPaths): AddressSet[] {
  const sets: AddressSet[] = []
  for (const name of listContainerNames(host)) {
    try {
      sets.push(addressesOfConf(parseConf(readFileSync(confPath(host, name), 'utf8'))))
    } catch {
      // A file that vanished or cannot be read holds no addresses we could honour.
    }
  }
  return sets
}

/** Writes NAME.conf atomically, so a reader (systemd, another tool) never sees half a file. */
export function writeConf(file: string, entries: ConfEntries): void {
  const tmp = `${file}.tmp-${process.pid}`
  writeFileSync(tmp, formatConf(entries), {mode: 0o644})
  renameSync(tmp, file)
}

/** The container's settings as scripts see them in `list --json`. */
export interface ContainerSummary extends AddressSet, RecordedOptions {
  name: string
  state: 'up' | 'down'
  autoStart: boolean
  bridge?: string
  ports?: string
  flake?: string
  flakeAttr?: string
  systemPath?: string
  declarative: boolean
  /** The generation of its profile it runs or will run (see `generations`). */
  generation?: number
  /** Which supervisor runs it. */
  supervisor?: string
  /** When up: its init's PID on the host, and when that started. */
  leader?: number
  startedAt?: string
  /** The address pool its IPv4 pair came from (see allocators' pools). */
  pool?: string
  /** Its resource limits (as NAME.conf records them; in force while it runs), and when up its memory use. */
  limits: ResourceLimits
  memoryCurrent?: number
  /** Fields left out because only root may read them (for other users: the profile's systemPath and generation). */
  unavailable?: Array<'systemPath' | 'generation'>
}

/** SYSTEM is the profile's system, 'denied' when this user may not read the profile. */
export function summarize(container: Container, state: 'up' | 'down', system?: string | 'denied'): ContainerSummary {
  const {conf} = container
  const systemPath = system === 'denied' ? undefined : system
  const unavailable = system === 'denied' && !conf.get('SYSTEM_PATH') ? {unavailable: ['systemPath' as const, 'generation' as const]} : {}
  return {
    name: container.name,
    state,
    ...addressesOfConf(conf),
    autoStart: conf.get('AUTO_START') === '1',
    bridge: conf.get('HOST_BRIDGE') || undefined,
    ports: conf.get('HOST_PORT') || undefined,
    flake: conf.get('FLAKE') || undefined,
    flakeAttr: conf.get('FLAKE') ? (conf.get('FLAKE_ATTR') || 'container') : undefined,
    systemPath: conf.get('SYSTEM_PATH') || systemPath,
    declarative: container.declarative,
    generation: conf.get('SYSTEM_PATH') ? undefined : currentGeneration(container.paths.profile),
    ...recordedOptions(conf),
    limits: limitsOfConf(conf),
    pool: poolOf(conf),
    ...unavailable,
  }
}
