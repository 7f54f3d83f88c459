// Where a container's system comes from; builders (contract/builder.ts) say which they handle.
export type SystemSource =
  /** Evaluate the container's configuration.nix with `<nixpkgs/nixos>` (or --nixos-path). */
  | {kind: 'configuration'; nixosPath?: string}
  /** `REF#nixosConfigurations."ATTR".config.system.build.toplevel`. */
  | {kind: 'flake'; flake: string; attr: string}
  /** An already built system in the store. */
  | {kind: 'store-path'; systemPath: string}
