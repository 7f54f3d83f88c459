// The ula allocator: upstream's IPv4 pair plus IPv6 unique local addresses (RFC 4193), so
// containers are reachable over IPv6 with no configuration. Container N of the host's /48 gets
// the /64 subnet N: host PREFIX:N::1, container PREFIX:N::2 (N = 1 … ffff, the first free).
// The /48 comes from the settings file ("providers": {"ula": {"prefix": "fdXX:XXXX:XXXX::/48"}}),
// else from /etc/machine-id, so it is stable for the host and unlikely to clash with others.
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {isIPv6} from 'node:net'

import {allocateUpstream, type AllocationRequest} from './upstream.js'
import {addressesOf, type AddressSet, hostClash, hostNetworks, UserError} from 'nixos-container'

/** The three 16-bit groups of a /48 ULA prefix, e.g. ['fd42', '1', 'beef']. */
export function ulaPrefix(settings: Record<string, unknown>, machineIdFile = '/etc/machine-id'): string[] {
  const configured = settings.prefix
  if (configured !== undefined) {
    const match = typeof configured === 'string' ? /^(fd[0-9a-f]{2}):([0-9a-f]{1,4}):([0-9a-f]{1,4})::\/48$/i.exec(configured) : null
    if (!match || !isIPv6(`${match[1]}:${match[2]}:${match[3]}::`)) {
      throw new UserError(`ula: prefix ‘${String(configured)}’ is not a ULA /48 of the form fdXX:XXXX:XXXX::/48`)
    }
    return [match[1], match[2], match[3]].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
  }
  let machineId: string
  try {
    machineId = readFileSync(machineIdFile, 'utf8').trim()
  } catch {
    throw new UserError(`ula: no ${machineIdFile} to derive a prefix from; set "providers": {"ula": {"prefix": "fdXX:XXXX:XXXX::/48"}} in the settings file`)
  }
  // RFC 4193's global ID: 40 pseudo-random bits, here a hash of the host's identity.
  const id = createHash('sha256').update(`nixos-container ula ${machineId}`).digest('hex').slice(0, 10)
  return [`fd${id.slice(0, 2)}`, id.slice(2, 6), id.slice(6, 10)].map((g) => g.replace(/^0+(?=.)/, ''))
}

export async function allocateUla(request: AllocationRequest): Promise<AddressSet> {
  const addresses = await allocateUpstream(request)
  const {requested, inUse} = request
  if (requested.hostAddress6 !== undefined || requested.localAddress6 !== undefined) return addresses
  const prefix = ulaPrefix(request.settings).join(':')
  const used = new Set(inUse.flatMap(addressesOf))
  const networks = await hostNetworks()
  for (let subnet = 1; subnet <= 0xffff; subnet++) {
    const host = `${prefix}:${subnet.toString(16)}::1`
    const local = `${prefix}:${subnet.toString(16)}::2`
    if (used.has(host) || used.has(local) || hostClash(networks, host) || hostClash(networks, local)) continue
    return {...addresses, hostAddress6: host, localAddress6: local}
  }
  throw new UserError(`out of IPv6 subnets in ${prefix}::/48`, {code: 'addresses-exhausted'})
}
