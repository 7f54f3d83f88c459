// The builder contract: build a container's NixOS system and point its profile at it. A failed
// build must leave the profile as it was (nix-env --set only switches on success).
import type {LogSink} from '../lib/nix.js'
import type {ContainerPaths} from '../lib/paths.js'

export type SystemSource =
  /** Evaluate ROOT/etc/nixos/configuration.nix with `<nixpkgs/nixos>` (or --nixos-path). */
  | {kind: 'configuration'; nixosPath?: string}
  /** `REF#nixosConfigurations."ATTR".config.system.build.toplevel`. */
  | {kind: 'flake'; flake: string; attr: string}
  /** An already built system in the store. */
  | {kind: 'store-path'; systemPath: string}

export interface BuildRequest {
  name: string
  paths: ContainerPaths
  source: SystemSource
  /** Nix pass-through flags (--option K V, --impure, --override-input I REF, …). */
  nixFlags: string[]
  log: LogSink
}

export interface Builder {
  readonly name: string
  /** Which sources this builder can build. */
  handles(source: SystemSource): boolean
  /** Builds and sets the profile; returns the new system's store path. */
  build(request: BuildRequest): Promise<string>
}
