// The default allocator: upstream's scheme, extended past its 254-container limit.
// Pairs are HOST 10.B.N.1 / CONTAINER 10.B.N.2 for B = 233, 234, …, 254 and N = 1 … 254, taken in
// that order; the first 254 pairs are exactly upstream's, so both tools agree on what is free.
// A pair is free when neither address appears as any container's HOST_ADDRESS or LOCAL_ADDRESS.
// Addresses given on the command line are kept (core has already checked them).
import {addressesOf, type AddressSet, type HookOptions, UserError} from 'nixos-container'

export type AllocationRequest = Pick<HookOptions<'network-allocate'>, 'requested' | 'inUse' | 'settings'>

export function* upstreamPairs(): Generator<[string, string]> {
  for (let block = 233; block <= 254; block++) {
    for (let nr = 1; nr <= 254; nr++) yield [`10.${block}.${nr}.1`, `10.${block}.${nr}.2`]
  }
}

export function allocateUpstream({requested, inUse}: AllocationRequest): AddressSet {
  if (requested.hostAddress !== undefined) return {...requested}
  const used = new Set(inUse.flatMap(addressesOf))
  for (const [host, local] of upstreamPairs()) {
    if (!used.has(host) && !used.has(local)) return {...requested, hostAddress: host, localAddress: local}
  }
  throw new UserError('out of IP addresses')
}
