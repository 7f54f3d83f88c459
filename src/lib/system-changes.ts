// What an update would change in a container's system, for people to read before it happens:
// the store paths that come and go between the two closures (nix-store -qR, any Nix), and the
// version summary of `nix store diff-closures` (which names packages whose versions or sizes
// change, but says nothing when only configuration files do, hence both).
import path from 'node:path'

import {runCommand} from './command.js'
import {flakeFeatures} from './nix.js'

export interface SystemChanges {
  /** The current system; undefined before the first build. */
  from?: string
  to: string
  /** Store paths in the new closure only, and in the old one only. */
  added: string[]
  removed: string[]
  /** diff-closures' lines ("nginx: 1.24.0 → 1.26.1, +1.2 MiB"). */
  versions: string[]
}

async function closure(systemPath: string): Promise<string[]> {
  const result = await runCommand(['nix-store', '--query', '--requisites', systemPath])
  return result.failed ? [] : result.stdout.split('\n').filter(Boolean)
}

export async function systemChanges(from: string | undefined, to: string): Promise<SystemChanges> {
  if (from === undefined || from === to) return {from, to, added: [], removed: [], versions: []}
  const [before, after] = await Promise.all([closure(from), closure(to)])
  const old = new Set(before)
  const fresh = new Set(after)
  const diff = await runCommand(['nix', ...flakeFeatures, 'store', 'diff-closures', from, to])
  // eslint-disable-next-line no-control-regex
  const versions = diff.failed ? [] : diff.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter(Boolean)
  return {from, to, added: after.filter((p) => !old.has(p)).sort(), removed: before.filter((p) => !fresh.has(p)).sort(), versions}
}

/** How many changed paths the text lists of each kind; --json has them all. */
const listedPaths = 20

/** The changes as lines for people. */
export function describeChanges({from, to, added, removed, versions}: SystemChanges): string[] {
  if (from === undefined) return [`system: ${to} (the first)`]
  if (from === to) return [`system: unchanged (${to})`]
  const name = (storePath: string): string => path.basename(storePath).replace(/^[a-z0-9]{32}-/, '')
  const listed = (sign: string, paths: string[]): string[] => [
    ...paths.slice(0, listedPaths).map((p) => `  ${sign} ${name(p)}  ${p}`),
    ...(paths.length > listedPaths ? [`  … and ${paths.length - listedPaths} more`] : []),
  ]
  return [
    `system: ${from} → ${to}`,
    ...versions.map((line) => `  ${line}`),
    `store paths: ${added.length} new, ${removed.length} no longer used`,
    ...listed('+', added),
    ...listed('-', removed),
  ]
}
