// The settings file: the host's choice of providers when neither a flag nor the environment names
// one, and each provider's own settings. JSON, e.g.
//   {"allocator": "ula", "supervisor": "systemd", "providers": {"ula": {"prefix": "fd42:1:2::/48"}}}
// A missing file means no settings; a malformed one is an error, never silently ignored.
import {readFileSync} from 'node:fs'

import {providerKinds, type ProviderSettings} from '../contract/hooks.js'
import {UserError} from '../lib/errors.js'

export interface Settings {
  allocator?: string
  builder?: string
  supervisor?: string
  providers: Record<string, ProviderSettings>
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
  return settings
}
