// The settings file: the host's choice of providers when neither a flag nor the environment names
// one, each provider's own settings, and the named hosts of --host. JSON, e.g.
//   {"allocator": "ula", "supervisor": "systemd", "providers": {"ula": {"prefix": "fd42:1:2::/48"}},
//    "hosts": {"web1": "root@web1.example", "web2": "admin@10.0.0.2:2222"}}
// A missing file means no settings; a malformed one is an error, never silently ignored.
import {readFileSync} from 'node:fs'

import {providerKinds, type ProviderSettings} from '../contract/hooks.js'
import {UserError} from '../lib/errors.js'
import {resolveHostPaths} from '../lib/paths.js'
import type {HostDefaults} from '../lib/remote.js'

export interface Settings {
  allocator?: string
  builder?: string
  supervisor?: string
  providers: Record<string, ProviderSettings>
  /** Named hosts: NAME → [USER@]HOST[:PORT]; `--host NAME` means that host, and list without --host lists them all. */
  hosts?: Record<string, string>
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export function loadSettings(file: string): Settings {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {providers: {}}
    throw new UserError(`${file}: ${(error as Error).message}`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message})`)
  }
  if (!isObject(raw)) throw new UserError(`${file}: must hold a JSON object`)
  const settings: Settings = {providers: {}}
  for (const kind of providerKinds) {
    const value = raw[kind]
    if (value === undefined) continue
    if (typeof value !== 'string') throw new UserError(`${file}: "${kind}" must be a provider name`)
    settings[kind] = value
  }
  if (raw.providers !== undefined) {
    if (!isObject(raw.providers) || !Object.values(raw.providers).every(isObject)) {
      throw new UserError(`${file}: "providers" must map provider names to objects`)
    }
    settings.providers = raw.providers as Record<string, ProviderSettings>
  }
  if (raw.hosts !== undefined) {
    if (!isObject(raw.hosts) || !Object.values(raw.hosts).every((spec) => typeof spec === 'string')) {
      throw new UserError(`${file}: "hosts" must map host names to "[USER@]HOST[:PORT]"`)
    }
    const bad = Object.keys(raw.hosts).find((name) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name === 'local' || name === 'localhost')
    if (bad !== undefined) throw new UserError(`${file}: "hosts": ‘${bad}’ is not a host name (letters, digits, . _ -; not local or localhost)`)
    settings.hosts = raw.hosts as Record<string, string>
  }
  return settings
}

/** --host's names from the settings file; and for list without --host, this machine and every named host. */
export function hostDefaults(id: string | undefined, env: NodeJS.ProcessEnv = process.env): HostDefaults {
  const {hosts = {}} = loadSettings(resolveHostPaths(env).settingsFile)
  const names = Object.keys(hosts)
  return {named: hosts, fallback: id === 'list' && names.length > 0 ? ['local', ...names] : undefined}
}
