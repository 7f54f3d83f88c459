// The container's /etc/nixos/configuration.nix, exactly as upstream writes it.
import {existsSync, mkdirSync, realpathSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'

export type ConfigSource = {kind: 'string'; text: string} | {kind: 'file'; file: string}

export function configurationText(name: string, source?: ConfigSource): string {
  let extra = ''
  if (source?.kind === 'string') extra = source.text
  if (source?.kind === 'file') extra = `imports = [ ${source.file} ];`
  return `{ config, lib, pkgs, ... }:

{ boot.isContainer = true;
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
  const real = realpathSync(absolute)
  // A Nix path literal cannot hold spaces or most punctuation; refuse rather than write broken Nix.
  if (!/^[a-zA-Z0-9._+\-/]+$/.test(real)) throw new UserError(`--config-file: ${real}: path has characters a Nix path cannot hold`)
  return real
}

export function writeConfiguration(file: string, name: string, source?: ConfigSource): void {
  mkdirSync(path.dirname(file), {recursive: true, mode: 0o755})
  writeFileSync(file, configurationText(name, source))
}
