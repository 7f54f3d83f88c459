// Builds the container's configuration.nix against `<nixpkgs/nixos>` (the host's channels or
// NIX_PATH), as upstream does: nix-env -p PROFILE -I nixos-config=FILE -f NIXOS_PATH --set -A system,
// FILE being the private copy the caller made (configurationFile), not the one in the guest's root.
import {type Builder, currentSystem, ensureProfileDir, runNix} from 'nixos-container'

export const channelsBuilder: Builder = {
  name: 'channels',
  handles: (source) => source.kind === 'configuration',
  async build({paths, source, configurationFile, nixFlags, log}) {
    if (source.kind !== 'configuration') throw new Error('channels builder cannot build ' + source.kind)
    if (!configurationFile) throw new Error('channels builder needs the configuration file to build')
    ensureProfileDir(paths.profileDir)
    await runNix('nix-env', [
      '-p', paths.profile,
      '-I', `nixos-config=${configurationFile}`,
      '-f', source.nixosPath ?? '<nixpkgs/nixos>',
      '--set', '-A', 'system', ...nixFlags,
    ], log, 'failed to build container configuration')
    return currentSystem(paths.profile)!
  },
}
