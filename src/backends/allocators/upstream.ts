// The default allocator: upstream's scheme, extended past its 254-container limit.
// Pairs are HOST 10.B.N.1 / CONTAINER 10.B.N.2 for B = 233, 234, …, 254 and N = 1 … 254, taken in
// that order; the first 254 pairs are exactly upstream's, so both tools agree on what is free.
// A pair is free when neither address appears as any container's HOST_ADDRESS or LOCAL_ADDRESS.
import {addressesOf, isIPv4WithPrefix, isIPv6WithPrefix, withoutPrefix, type AddressSet} from '../../lib/addresses.js'
import {UserError} from '../../lib/errors.js'
import type {AllocationRequest, Allocator} from './allocator.js'

export function* upstreamPairs(): Generator<[string, string]> {
  for (let block = 233; block <= 254; block++) {
    for (let nr = 1; nr <= 254; nr++) yield [`10.${block}.${nr}.1`, `10.${block}.${nr}.2`]
  }
}

/**
 * Checks addresses given on the command line. A container address may not be used by anyone
 * else; a host address may be shared between containers (the NixOS manual's pattern of one host
 * address for all veth links) but may not be another container's address.
 */
export function checkRequested(requested: AddressSet, inUse: AddressSet[]): void {
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
      throw new UserError(`address ${withoutPrefix(local)} is already in use by another container`)
    }
  }
  for (const host of [hostAddress, hostAddress6]) {
    if (host && containerAddresses.has(withoutPrefix(host).toLowerCase())) {
      throw new UserError(`address ${withoutPrefix(host)} is already in use by another container`)
    }
  }
}

export const upstreamAllocator: Allocator = {
  name: 'upstream',
  allocate({requested, inUse}: AllocationRequest): AddressSet {
    checkRequested(requested, inUse)
    if (requested.hostAddress !== undefined) return {...requested}
    const used = new Set(inUse.flatMap(addressesOf))
    for (const [host, local] of upstreamPairs()) {
      if (!used.has(host) && !used.has(local)) return {...requested, hostAddress: host, localAddress: local}
    }
    throw new UserError('out of IP addresses')
  },
}
