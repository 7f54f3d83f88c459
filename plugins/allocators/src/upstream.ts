// The default allocator: upstream's scheme, from the pools the admin chose (pools.ts; by default
// upstream's 10.233.0.0/16, so both tools agree on what is free). A pair is free when neither
// address is any container's HOST_ADDRESS or LOCAL_ADDRESS, and the host itself neither has it nor
// routes a network that holds it (a LAN or VPN in the same range: its route must stay the host's).
// Addresses given on the command line are kept (core has already checked them).
import {pairsOf, poolsOf} from './pools.js'
import {addressesOf, type AddressSet, type HookOptions, hostClash, hostNetworks, UserError} from 'nixos-container'

export type AllocationRequest = Pick<HookOptions<'network-allocate'>, 'requested' | 'inUse' | 'settings' | 'provider'>

export async function allocateUpstream({requested, inUse, settings, provider}: AllocationRequest): Promise<AddressSet> {
  if (requested.hostAddress !== undefined) return {...requested}
  const pools = poolsOf(settings)
  const used = new Set(inUse.flatMap(addressesOf))
  const host = await hostNetworks()
  for (const pool of pools) {
    for (const [hostAddress, localAddress] of pairsOf(pool)) {
      if (used.has(hostAddress) || used.has(localAddress) || hostClash(host, hostAddress) || hostClash(host, localAddress)) continue
      return {...requested, hostAddress, localAddress, pool: pool.cidr}
    }
  }
  throw new UserError(`out of IP addresses in ${pools.map((p) => p.cidr).join(', ')}: add pools with --pool CIDR, or "providers": {"${provider}": {"pools": [...]}} in the settings file`, {code: 'addresses-exhausted'})
}
