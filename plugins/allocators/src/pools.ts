// Address pools: the IPv4 ranges an allocator takes container address pairs from. The default is
// upstream's 10.233.0.0/16, where pair N is 10.233.N.1 (host) / 10.233.N.2 (container) for
// N = 1 … 254, so both tools agree on what is free; an admin names other or more pools with
// --pool or the allocator's "pools" setting. Any pool of /24 or larger works the same way: one
// pair per /24 (the first and last /24 left out when there are three or more, as upstream's).
import {isIPv4} from 'node:net'

import {upstreamPool, UserError} from 'nixos-container'

const toNumber = (address: string): number => address.split('.').reduce((n, part) => n * 256 + Number(part), 0)
const toAddress = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')

interface Pool {
  cidr: string
  first: number
  blocks: number
}

export function parsePool(cidr: string): Pool {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr)
  const length = Number(match?.[2])
  if (!match || !isIPv4(match[1]) || !(length >= 0 && length <= 24)) {
    throw new UserError(`pool ‘${cidr}’ is not an IPv4 range of /24 or larger (such as 10.233.0.0/16)`)
  }
  const size = 2 ** (32 - length)
  const first = Math.floor(toNumber(match[1]) / size) * size
  return {cidr: `${toAddress(first)}/${length}`, first, blocks: size / 256}
}

/** The pools of the allocator's settings ("pools": ["CIDR", …]), else the default. */
export function poolsOf(settings: Record<string, unknown>): Pool[] {
  const configured = settings.pools
  if (configured === undefined) return [parsePool(upstreamPool)]
  if (!Array.isArray(configured) || configured.length === 0 || !configured.every((p) => typeof p === 'string')) {
    throw new UserError('"pools" in the settings must be a list of IPv4 ranges such as ["10.233.0.0/16"]')
  }
  return configured.map(parsePool)
}

/** The address pairs of POOL, in order: [host, container]. */
export function* pairsOf(pool: Pool): Generator<[string, string]> {
  const skipEnds = pool.blocks >= 3
  for (let block = skipEnds ? 1 : 0; block < (skipEnds ? pool.blocks - 1 : pool.blocks); block++) {
    const base = pool.first + block * 256
    yield [toAddress(base + 1), toAddress(base + 2)]
  }
}

/** The pool (of POOLS, or the default) that holds ADDRESS, for list and status. */
export function poolHolding(pools: Pool[], address: string): string | undefined {
  if (!isIPv4(address)) return undefined
  const n = toNumber(address)
  return pools.find((pool) => n >= pool.first && n < pool.first + pool.blocks * 256)?.cidr
}
