// What a declarative container can have and an imperative one gets from create's flags (issue 13):
// bind mounts, the host's network, user namespacing, an ephemeral root, TUN, capabilities and any
// other systemd-nspawn flag. Each is recorded in NAME.conf the way the NixOS module writes it and
// its container@.service reads it (EXTRA_NSPAWN_FLAGS, PRIVATE_USERS, PRIVATE_NETWORK), so a
// container made here means the same to that unit as to both of our supervisors.
import {statSync} from 'node:fs'
import path from 'node:path'

import type {ConfEntries} from './conf.js'
import {listValue} from './conf.js'
import {UserError} from './errors.js'
import {portBindKey, portBindsOf} from './port-bind.js'

export interface Bind {
  host: string
  guest: string
  readOnly: boolean
}

export interface ContainerOptions {
  binds: Bind[]
  /** Share the host's network: no veth, no addresses of its own (PRIVATE_NETWORK=0). */
  hostNetwork: boolean
  ephemeral: boolean
  /** systemd-nspawn --private-users: pick, identity, or a first host uid (with an optional :range). */
  privateUsers?: string
  enableTun: boolean
  capabilities: string[]
  /** Anything else, passed to systemd-nspawn as given. */
  extraNspawnFlags: string[]
  /** Host addresses or interfaces where the port forwards answer too (PORT_BIND; port-bind.ts). */
  portBinds: string[]
}

export const noOptions: ContainerOptions = {binds: [], hostNetwork: false, ephemeral: false, enableTun: false, capabilities: [], extraNspawnFlags: [], portBinds: []}

/**
 * The module's unit expands EXTRA_NSPAWN_FLAGS unquoted, so a word may hold no blank, quote,
 * backslash or shell character: such a value would mean something else there.
 */
const safeWord = /^[A-Za-z0-9_@%+=:,./-]+$/

function checkWord(flag: string, value: string): void {
  if (!safeWord.test(value)) {
    throw new UserError(`${flag}: ‘${value}’ cannot be recorded in NAME.conf (no blanks, quotes, backslashes or shell characters)`)
  }
}

/** --bind HOST[:GUEST] (GUEST defaults to HOST): HOST must exist and both be absolute. */
export function parseBind(flag: string, spec: string, readOnly: boolean): Bind {
  checkWord(flag, spec)
  const [host, guest = host, ...rest] = spec.split(':')
  if (rest.length > 0) throw new UserError(`${flag}: ‘${spec}’ is not HOST[:GUEST]`)
  if (!path.isAbsolute(host)) throw new UserError(`${flag}: the host path ‘${host}’ is not absolute`)
  if (!path.isAbsolute(guest)) throw new UserError(`${flag}: the container path ‘${guest}’ is not absolute`)
  if (!statSync(host, {throwIfNoEntry: false})) throw new UserError(`${flag}: ${host}: no such file or directory`)
  return {host: path.normalize(host), guest: path.normalize(guest), readOnly}
}

const privateUsersValue = /^(pick|identity|yes|no|\d+(:\d+)?)$/

export function checkContainerOptions(options: ContainerOptions): void {
  if (options.privateUsers !== undefined && !privateUsersValue.test(options.privateUsers)) {
    throw new UserError(`--private-users: ‘${options.privateUsers}’ is not pick, identity or a host uid (UID[:RANGE])`)
  }
  for (const capability of options.capabilities) {
    if (!/^CAP_[A-Z_]+$/.test(capability) && capability !== 'all') throw new UserError(`--capability: ‘${capability}’ is not a capability name such as CAP_NET_ADMIN`)
  }
  for (const flag of options.extraNspawnFlags) checkWord('--extra-nspawn-flags', flag)
}

/** The systemd-nspawn flags that carry OPTIONS, as they go into EXTRA_NSPAWN_FLAGS. */
export function nspawnFlagsOf(options: ContainerOptions): string[] {
  return [
    ...options.binds.map(({host, guest, readOnly}) => `--bind${readOnly ? '-ro' : ''}=${host}${guest === host ? '' : `:${guest}`}`),
    ...(options.ephemeral ? ['--ephemeral'] : []),
    // As the module's enableTun: the device, and the capability a VPN needs to configure it.
    ...(options.enableTun ? ['--bind=/dev/net/tun', '--capability=CAP_NET_ADMIN'] : []),
    ...options.capabilities.map((capability) => `--capability=${capability}`),
    ...options.extraNspawnFlags,
  ]
}

/** Records OPTIONS in a new container's CONF. */
export function recordOptions(conf: ConfEntries, options: ContainerOptions): void {
  if (options.hostNetwork) conf.set('PRIVATE_NETWORK', '0')
  if (options.privateUsers !== undefined) conf.set('PRIVATE_USERS', options.privateUsers)
  const flags = nspawnFlagsOf(options)
  if (flags.length > 0) conf.set('EXTRA_NSPAWN_FLAGS', flags.join(' '))
  if (options.portBinds.length > 0) conf.set(portBindKey, options.portBinds.join(' '))
}

/** What a conf file asks of systemd-nspawn beyond upstream's defaults, for status --json. */
export interface RecordedOptions {
  hostNetwork: boolean
  privateUsers?: string
  binds: Bind[]
  ephemeral: boolean
  extraNspawnFlags: string[]
  portBinds: string[]
}

export function recordedOptions(conf: ConfEntries): RecordedOptions {
  const binds: Bind[] = []
  const rest: string[] = []
  let ephemeral = false
  for (const flag of listValue(conf, 'EXTRA_NSPAWN_FLAGS')) {
    const bind = /^--bind(-ro)?=([^:]+)(?::([^:]+))?(?::.*)?$/.exec(flag)
    if (bind) binds.push({host: bind[2], guest: bind[3] ?? bind[2], readOnly: bind[1] !== undefined})
    else if (flag === '--ephemeral' || flag === '-x') ephemeral = true
    else rest.push(flag)
  }
  return {hostNetwork: conf.get('PRIVATE_NETWORK') === '0', privateUsers: conf.get('PRIVATE_USERS') || undefined, binds, ephemeral, extraNspawnFlags: rest, portBinds: portBindsOf(conf)}
}
