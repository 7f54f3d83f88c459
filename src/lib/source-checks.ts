// What can be known about a build source without building it: the inputs a user names on the
// command line exist and look like what they should be. Checked before a lock is taken, an address
// reserved or anything printed or written (issue 19), so a typo costs nothing to fix.
import {accessSync, constants, statSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'
import type {SystemSource} from './system-source.js'

const isDirectory = (file: string): boolean => statSync(file, {throwIfNoEntry: false})?.isDirectory() ?? false

/** --system-path: an existing NixOS system, which has an executable `init` at its top. */
export function checkSystemPath(systemPath: string): void {
  const stats = statSync(systemPath, {throwIfNoEntry: false})
  if (!stats) throw new UserError(`--system-path: ${systemPath}: no such file or directory`, {code: 'invalid-argument'})
  try {
    accessSync(path.join(systemPath, 'init'), constants.X_OK)
  } catch {
    throw new UserError(`--system-path: ${systemPath} is not a NixOS system (it has no executable init)`, {code: 'invalid-argument'})
  }
}

/** The directory a flake reference names on this machine, when it names one (a path, path:…, git+file:…). */
export function localFlakeDirectory(flake: string): string | undefined {
  const match = /^(?:path:|git\+file:(?:\/\/)?)?([^?#]*)/.exec(flake)
  const location = match?.[1] ?? ''
  const isPath = flake.startsWith('/') || flake.startsWith('.') || /^(path|git\+file):/.test(flake)
  return isPath && location !== '' ? path.resolve(location) : undefined
}

/** A local --flake exists and has a flake.nix; remote references are left to Nix. */
export function checkFlake(flake: string): void {
  const directory = localFlakeDirectory(flake)
  if (directory === undefined) return
  if (!isDirectory(directory)) throw new UserError(`--flake: ${flake}: no such directory`, {code: 'invalid-argument'})
  if (statSync(path.join(directory, 'flake.nix'), {throwIfNoEntry: false}) === undefined) {
    throw new UserError(`--flake: ${flake}: no flake.nix in ${directory}`, {code: 'invalid-argument'})
  }
}

/** A --nixos-path given as a path exists (a <lookup> path or URL is left to Nix). */
export function checkNixosPath(nixosPath: string): void {
  if (!/^[./]/.test(nixosPath)) return
  if (statSync(nixosPath, {throwIfNoEntry: false}) === undefined) throw new UserError(`--nixos-path: ${nixosPath}: no such file or directory`, {code: 'invalid-argument'})
}

/** Every check that applies to SOURCE. */
export function checkSource(source: SystemSource): void {
  if (source.kind === 'store-path') checkSystemPath(source.systemPath)
  else if (source.kind === 'flake') checkFlake(source.flake)
  else if (source.nixosPath !== undefined) checkNixosPath(source.nixosPath)
}

/** Nix flags only `nix build` knows: nix-env, which builds configuration.nix, refuses them. */
const flakeOnlyNixFlags = ['--refresh']

/** Refuses pass-through flags the build of SOURCE would reject, before anything is done. */
export function checkNixFlags(source: SystemSource, nixFlags: string[]): void {
  if (source.kind === 'flake') return
  const flag = nixFlags.find((f) => flakeOnlyNixFlags.includes(f))
  if (flag) throw new UserError(`${flag} applies to containers built from a flake only`, {code: 'invalid-argument'})
}
