// The per-container system profile: a Nix profile whose generations are the container's systems.
import {mkdirSync, realpathSync} from 'node:fs'
import path from 'node:path'

import {runNix, type LogSink} from './nix.js'

/** Upstream keeps per-container/ private (0700) and each container's directory 0755. */
export function ensureProfileDir(profileDir: string): void {
  mkdirSync(path.dirname(profileDir), {recursive: true, mode: 0o700})
  mkdirSync(profileDir, {recursive: true, mode: 0o755})
}

export async function setProfile(profile: string, systemPath: string, log: LogSink): Promise<void> {
  await runNix('nix-env', ['-p', profile, '--set', systemPath], log, 'failed to set container configuration')
}

export function currentSystem(profile: string): string | undefined {
  try {
    return realpathSync(profile)
  } catch {
    return undefined
  }
}
