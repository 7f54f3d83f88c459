// Builds ROOT/etc/nixos/configuration.nix against `<nixpkgs/nixos>` (the host's channels or
// NIX_PATH), as upstream does: nix-env -p PROFILE -I nixos-config=FILE -f NIXOS_PATH --set -A system.
import {type Builder, currentSystem, ensureProfileDir, runNix} from 'nixos-container'

export const channelsBuilder: Builder = {
  name: 'channels',
  handles: (source) => source.kind === 'configuration',
  async build({paths, source, nixFlags, log}) {
    if (source.kind !== 'configuration') throw new Error('channels builder cannot build ' + source.kind)
    ensureProfileDir(paths.profileDir)
    await runNix('nix-env', [
      '-p', paths.profile,
      '-I', `nixos-config=${paths.configurationNix}`,
      '-f', source.nixosPath ?? '<nixpkgs/nixos>',
      '--set', '-A', 'system', ...nixFlags,
    ], log, 'failed to build container configuration')
    return currentSystem(paths.profile)!
  },
}
