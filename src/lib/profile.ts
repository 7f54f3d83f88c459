// The per-container system profile: a Nix profile whose generations are the container's systems.
import {mkdirSync, realpathSync} from 'node:fs'
import path from 'node:path'

import {runNix, type LogSink} from './nix.js'
import {isPermissionDenied} from './privileges.js'

/** Upstream keeps per-container/ private (0700) and each container's directory 0755. */
export function ensureProfileDir(profileDir: string): void {
  mkdirSync(path.dirname(profileDir), {recursive: true, mode: 0o700})
  mkdirSync(profileDir, {recursive: true, mode: 0o755})
}

export async function setProfile(profile: string, systemPath: string, log: LogSink): Promise<void> {
  await runNix('nix-env', ['-p', profile, '--set', systemPath], log, 'failed to set container configuration')
}

export function currentSystem(profile: string): string | undefined {
  const system = profileSystem(profile)
  return typeof system === 'string' ? system : undefined
}

/** What a listing can say of the profile's system: 'denied' for users who may not look (per-container/ is 0700). */
export function profileSystem(profile: string): string | undefined | 'denied' {
  try {
    // libc's realpath: Node's own walks the path in JavaScript, lstat by lstat (list asks for each container's).
    return realpathSync.native(profile)
  } catch (error) {
    return isPermissionDenied(error) ? 'denied' : undefined
  }
}
