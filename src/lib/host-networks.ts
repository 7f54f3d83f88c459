// What the host itself uses of the address space: the addresses on its interfaces and the prefixes
// it routes (every routing table, so a VPN's policy routes count), as `ip -json` reports them. An
// address for a container must be none of those: its /32 host route through ve-NAME would take
// that address (or a piece of that network) away from where the host sends it now.
import {BlockList, isIPv6} from 'node:net'

import {failureReason, runCommand} from './command.js'
import {withoutPrefix} from './addresses.js'
import type {Container} from './containers.js'
import {UserError} from './errors.js'

interface Route {
  dst: string
  type?: string
  dev?: string
  gateway?: string
}

interface Interface {
  ifname: string
  addr_info?: Array<{local: string; prefixlen: number}>
}

export interface HostNetworks {
  /** Address → the interface that has it. */
  addresses: Map<string, string>
  routes: Array<{prefix: string; via: string; covers: BlockList}>
}

/** Routes that describe no network of the host's: the default route, and the kernel's own entries for its addresses. */
const ignoredRouteTypes = new Set(['local', 'broadcast', 'anycast', 'multicast'])

async function ipJson<T>(args: string[]): Promise<T[]> {
  const result = await runCommand(['ip', '-json', ...args])
  if (result.failed) throw new UserError(`cannot read the host's networks (ip ${args.join(' ')}): ${failureReason(result)}`)
  return JSON.parse(result.stdout || '[]') as T[]
}

/**
 * The host's addresses and routed prefixes, leaving out what belongs to containers' links
 * (ve-*, vb-*: their own addresses are known from their conf files) and OWN-LINKS.
 */
export async function hostNetworks(ownLinks: (device: string) => boolean = (device) => /^v[eb]-/.test(device)): Promise<HostNetworks> {
  const [interfaces, routes4, routes6] = await Promise.all([
    ipJson<Interface>(['address', 'show']),
    ipJson<Route>(['-4', 'route', 'show', 'table', 'all']),
    ipJson<Route>(['-6', 'route', 'show', 'table', 'all']),
  ])
  const addresses = new Map<string, string>()
  for (const link of interfaces) {
    if (ownLinks(link.ifname)) continue
    for (const {local} of link.addr_info ?? []) addresses.set(local, link.ifname)
  }
  const networks: HostNetworks['routes'] = []
  for (const route of [...routes4, ...routes6]) {
    if (route.dst === 'default' || ignoredRouteTypes.has(route.type ?? 'unicast') || (route.dev && ownLinks(route.dev))) continue
    const [network, length] = route.dst.split('/')
    const family = isIPv6(network) ? 'ipv6' : 'ipv4'
    const prefixLength = length === undefined ? (family === 'ipv6' ? 128 : 32) : Number(length)
    // fe80::/64 is on every link: link-local addresses are never a container's.
    if (family === 'ipv6' && network.toLowerCase().startsWith('fe80:')) continue
    const covers = new BlockList()
    covers.addSubnet(network, prefixLength, family)
    const via = route.dev ? `dev ${route.dev}` : route.type ?? 'unicast'
    networks.push({prefix: `${network}/${prefixLength}`, via, covers})
  }
  return {addresses, routes: networks}
}

/** Why ADDRESS cannot be a container's here, if it cannot: one clause, naming what the host has. */
export function hostClash(networks: HostNetworks, address: string): string | undefined {
  const bare = withoutPrefix(address)
  const device = networks.addresses.get(bare)
  if (device) return `the host has ${bare} on ${device}`
  const family = isIPv6(bare) ? 'ipv6' : 'ipv4'
  const route = networks.routes.find((r) => r.covers.check(bare, family))
  return route ? `the host routes ${route.prefix} (${route.via}), which holds ${bare}` : undefined
}

/**
 * The host must not have taken the container's addresses since it was made (a LAN, a VPN in the
 * same range): its /32 routes would cut the host off from that network. Bridged containers live in
 * their bridge's network by design and are not checked.
 */
export async function requireNoHostClash(container: Container): Promise<void> {
  const {conf, name} = container
  if (conf.get('PRIVATE_NETWORK') !== '1' || conf.get('HOST_BRIDGE')) return
  const keys = ['HOST_ADDRESS', 'LOCAL_ADDRESS', 'HOST_ADDRESS6', 'LOCAL_ADDRESS6'].filter((key) => conf.get(key))
  if (keys.length === 0) return
  // Containers' links do not count: theirs are in their conf files, checked against each other at
  // create (one host address on many links is the NixOS manual's own pattern).
  const networks = await hostNetworks()
  for (const key of keys) {
    const clash = hostClash(networks, conf.get(key)!)
    if (clash) throw new UserError(`cannot start container ‘${name}’: its ${key} ${withoutPrefix(conf.get(key)!)} clashes with the host's network (${clash}); give it other addresses in ${container.paths.conf}`)
  }
}
