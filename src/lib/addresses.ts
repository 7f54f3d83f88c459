// IP address syntax as NAME.conf carries it: an address with an optional prefix length.
import {isIPv4, isIPv6} from 'node:net'

import {UserError} from './errors.js'

export interface AddressSet {
  hostAddress?: string
  localAddress?: string
  hostAddress6?: string
  localAddress6?: string
  /** The pool an allocator took the IPv4 pair from (recorded as ADDRESS_POOL). */
  pool?: string
}

/** Upstream's address range: pairs 10.233.N.1 / 10.233.N.2; allocators' default pool. */
export const upstreamPool = '10.233.0.0/16'

/** The pool a container's addresses came from: as recorded at create, else upstream's when they are in it. */
export function poolOf(conf: {get(key: string): string | undefined}): string | undefined {
  const recorded = conf.get('ADDRESS_POOL')
  if (recorded) return recorded
  const local = conf.get('LOCAL_ADDRESS')
  return local && /^10\.233\.\d+\.\d+(\/\d+)?$/.test(local) ? upstreamPool : undefined
}

/** "10.233.1.2/24" → "10.233.1.2". */
export function withoutPrefix(address: string): string {
  return address.split('/')[0]
}

function prefixOk(address: string, max: number): boolean {
  const parts = address.split('/')
  if (parts.length === 1) return true
  return parts.length === 2 && /^\d{1,3}$/.test(parts[1]) && Number(parts[1]) <= max
}

export function isIPv4WithPrefix(address: string): boolean {
  return isIPv4(withoutPrefix(address)) && prefixOk(address, 32)
}

export function isIPv6WithPrefix(address: string): boolean {
  return isIPv6(withoutPrefix(address)) && prefixOk(address, 128)
}

/** Every address a set uses, prefixes dropped and IPv6 lower-cased, for comparisons. */
export function addressesOf(set: AddressSet): string[] {
  return [set.hostAddress, set.localAddress, set.hostAddress6, set.localAddress6]
    .filter((a): a is string => Boolean(a))
    .map((a) => withoutPrefix(a).toLowerCase())
}

/**
 * Checks addresses given on the command line. A container address may not be used by anyone
 * else; a host address may be shared between containers (the NixOS manual's pattern of one host
 * address for all veth links) but may not be another container's address.
 */
export function checkAddresses(requested: AddressSet, inUse: AddressSet[]): void {
  const {hostAddress, localAddress, hostAddress6, localAddress6} = requested
  if ((hostAddress === undefined) !== (localAddress === undefined)) {
    throw new UserError('With --host-address set, --local-address is required as well!')
  }
  for (const [flag, value, ok] of [
    ['--host-address', hostAddress, isIPv4WithPrefix],
    ['--local-address', localAddress, isIPv4WithPrefix],
    ['--host-address6', hostAddress6, isIPv6WithPrefix],
    ['--local-address6', localAddress6, isIPv6WithPrefix],
  ] as const) {
    if (value !== undefined && !ok(value)) throw new UserError(`${flag}: ‘${value}’ is not a valid address`)
  }
  for (const [host, local] of [[hostAddress, localAddress], [hostAddress6, localAddress6]]) {
    if (host && local && withoutPrefix(host).toLowerCase() === withoutPrefix(local).toLowerCase()) {
      throw new UserError(`host and container address must differ (both are ${withoutPrefix(host)})`)
    }
  }
  const everyAddress = new Set(inUse.flatMap(addressesOf))
  const containerAddresses = new Set(inUse.flatMap((s) => addressesOf({localAddress: s.localAddress, localAddress6: s.localAddress6})))
  for (const local of [localAddress, localAddress6]) {
    if (local && everyAddress.has(withoutPrefix(local).toLowerCase())) {
      throw new UserError(`address ${withoutPrefix(local)} is already in use by another container`, {code: 'address-in-use'})
    }
  }
  for (const host of [hostAddress, hostAddress6]) {
    if (host && containerAddresses.has(withoutPrefix(host).toLowerCase())) {
      throw new UserError(`address ${withoutPrefix(host)} is already in use by another container`, {code: 'address-in-use'})
    }
  }
}
