// The builder contract: build a container's NixOS system and point its profile at it. A failed
// build must leave the profile as it was (nix-env --set only switches on success).
import type {LogSink} from '../lib/nix.js'
import type {ContainerPaths} from '../lib/paths.js'
import type {SystemSource} from '../lib/system-source.js'

export type {SystemSource} from '../lib/system-source.js'

export interface BuildRequest {
  name: string
  paths: ContainerPaths
  source: SystemSource
  /**
   * For a 'configuration' source: the configuration.nix to evaluate, a private file on the host
   * (the new text, or a copy of the container's). Never evaluate ROOT/etc/nixos/configuration.nix
   * itself: the guest controls it, and Nix would follow a link planted there to any host file.
   */
  configurationFile?: string
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
  /**
   * Optional: evaluates what build() would build, building nothing, and returns the system's
   * derivation (a .drv store path). `--build-host` needs it: the derivation is built there.
   */
  instantiate?(request: BuildRequest): Promise<string>
}
