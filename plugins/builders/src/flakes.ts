// Builds nixosConfigurations."ATTR" of a flake and points the profile at it.
import {readlinkSync, rmSync} from 'node:fs'

import {type Builder, ensureProfileDir, flakeFeatures, runNix, setProfile} from 'nixos-container'

/** `nix build`'s arguments: the toplevel of nixosConfigurations."ATTR" of FLAKE, linked at OUT_LINK. */
export function flakeBuildArguments(flake: string, attr: string, outLink: string, nixFlags: string[]): string[] {
  return [...flakeFeatures, 'build', '-o', outLink, ...nixFlags, '--', `${flake}#nixosConfigurations."${attr}".config.system.build.toplevel`]
}

export const flakesBuilder: Builder = {
  name: 'flakes',
  handles: (source) => source.kind === 'flake',
  async build({paths, source, nixFlags, log}) {
    if (source.kind !== 'flake') throw new Error('flakes builder cannot build ' + source.kind)
    ensureProfileDir(paths.profileDir)
    // The out-link is a GC root for the moment between build and profile switch.
    const outLink = `${paths.profile}.tmp-${process.pid}`
    try {
      await runNix('nix', flakeBuildArguments(source.flake, source.attr, outLink, nixFlags), log, `failed to build container from flake '${source.flake}'`)
      const systemPath = readlinkSync(outLink)
      await setProfile(paths.profile, systemPath, log)
      return systemPath
    } finally {
      rmSync(outLink, {force: true})
    }
  },
  async instantiate({source, nixFlags, log}) {
    if (source.kind !== 'flake') throw new Error('flakes builder cannot instantiate ' + source.kind)
    return runNix('nix', [...flakeFeatures, 'eval', '--raw', ...nixFlags, '--', `${source.flake}#nixosConfigurations."${source.attr}".config.system.build.toplevel.drvPath`],
      log, `failed to evaluate flake '${source.flake}'`)
  },
}
