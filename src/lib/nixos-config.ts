// The container's /etc/nixos/configuration.nix, as upstream writes it, and one line more: NixOS
// 25.11 added boot.isNspawnContainer (a container under systemd-nspawn, as every container of this
// tool is), which the line sets where the evaluated NixOS declares it and leaves out on older
// channels, where defining an unknown option would fail the build. The file is the
// guest's (its root user may rewrite it or replace it with a link): it is read and installed only
// through guest-fs, and builders evaluate a private copy on the host, never the file in the root.
import {accessSync, constants, existsSync, mkdirSync, realpathSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'
import {withScratchDirectory} from './scratch.js'
import {readGuestFile, writeGuestFile} from './guest-fs.js'

/** Where configuration.nix lives, in the guest's terms. */
export const configurationPath = '/etc/nixos/configuration.nix'

export type ConfigSource = {kind: 'string'; text: string} | {kind: 'file'; file: string}

export function configurationText(name: string, source?: ConfigSource): string {
  let extra = ''
  if (source?.kind === 'string') extra = source.text
  if (source?.kind === 'file') extra = `imports = [ ${source.file} ];`
  return `{ config, lib, pkgs, ... }@args:

{ boot.isContainer = true;
  boot.\${if (args.options.boot or { }) ? isNspawnContainer then "isNspawnContainer" else null} = true;
  networking.hostName = lib.mkDefault "${name}";
  networking.useDHCP = false;
  ${extra}
}
`
}

/** Resolves --config-file to the absolute path the generated configuration imports. */
export function resolveConfigFile(file: string): string {
  const absolute = path.resolve(file)
  if (!existsSync(absolute)) throw new UserError(`--config-file: ${file}: no such file`)
  try {
    accessSync(absolute, constants.R_OK)
  } catch {
    throw new UserError(`--config-file: ${file}: not readable`)
  }
  if (statSync(absolute).isDirectory()) throw new UserError(`--config-file: ${file} is a directory, not a file`)
  const real = realpathSync(absolute)
  // A Nix path literal cannot hold spaces or most punctuation; refuse rather than write broken Nix.
  if (!/^[a-zA-Z0-9._+\-/]+$/.test(real)) throw new UserError(`--config-file: ${real}: path has characters a Nix path cannot hold`)
  return real
}

/** The container's configuration.nix, read confined to ROOT; undefined when it has none. */
export function readConfiguration(root: string): string | undefined {
  return readGuestFile(root, configurationPath)?.toString('utf8')
}

/**
 * Runs FN with TEXT in a private file on the host (a new 0700 directory), removed afterwards: what
 * a builder evaluates. Nix follows links, so evaluating ROOT/etc/nixos/configuration.nix itself
 * would let the guest point the host's root at any host file.
 */
export async function withConfigurationFile<T>(text: string, fn: (file: string) => Promise<T>): Promise<T> {
  return withScratchDirectory('config', async (dir) => {
    const file = path.join(dir, 'configuration.nix')
    writeFileSync(file, text, {mode: 0o644})
    return fn(file)
  })
}

/** Installs TEXT as the container's configuration.nix: atomically, never through a link (refused). */
export function installConfiguration(root: string, text: string): void {
  // create makes the root here; it is the tool's own directory under the state directory.
  mkdirSync(root, {recursive: true, mode: 0o755})
  writeGuestFile(root, configurationPath, text)
}
