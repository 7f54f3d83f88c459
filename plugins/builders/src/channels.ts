// Builds the container's configuration.nix against `<nixpkgs/nixos>` (the host's channels or
// NIX_PATH), as upstream does: nix-env -p PROFILE -I nixos-config=FILE -f NIXOS_PATH --set -A system,
// FILE being the private copy the caller made (configurationFile), not the one in the guest's root.
import {type Builder, currentSystem, ensureProfileDir, runNix} from 'nixos-container'

/** nix-env's arguments, as upstream's: the configuration FILE evaluated by NIXOS_PATH's <nixpkgs/nixos> into PROFILE. */
export function channelsBuildArguments(profile: string, file: string, nixosPath: string | undefined, nixFlags: string[]): string[] {
  return ['-p', profile, '-I', `nixos-config=${file}`, '-f', nixosPath ?? '<nixpkgs/nixos>', '--set', '-A', 'system', ...nixFlags]
}

export const channelsBuilder: Builder = {
  name: 'channels',
  handles: (source) => source.kind === 'configuration',
  async build({paths, source, configurationFile, nixFlags, log}) {
    if (source.kind !== 'configuration') throw new Error('channels builder cannot build ' + source.kind)
    if (!configurationFile) throw new Error('channels builder needs the configuration file to build')
    ensureProfileDir(paths.profileDir)
    await runNix('nix-env', channelsBuildArguments(paths.profile, configurationFile, source.nixosPath, nixFlags), log, 'failed to build container configuration')
    return currentSystem(paths.profile)!
  },
  async instantiate({source, configurationFile, nixFlags, log}) {
    if (source.kind !== 'configuration' || !configurationFile) throw new Error('channels builder instantiates a configuration file only')
    return runNix('nix-instantiate', ['-I', `nixos-config=${configurationFile}`, source.nixosPath ?? '<nixpkgs/nixos>', '-A', 'system', ...nixFlags], log,
      'failed to evaluate container configuration')
  },
}
