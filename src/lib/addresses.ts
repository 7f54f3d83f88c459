// IP address syntax as NAME.conf carries it: an address with an optional prefix length.
import {isIPv4, isIPv6} from 'node:net'

export interface AddressSet {
  hostAddress?: string
  localAddress?: string
  hostAddress6?: string
  localAddress6?: string
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
