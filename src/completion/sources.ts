// The live part of completion: the commands and options oclif knows (ours and every plugin's),
// and the values that change (containers, named hosts, providers, the host's interfaces), read
// at <TAB> time so they are always current. Each source fails quietly: completion offers less,
// never an error.
import type {Command, Interfaces} from '@oclif/core'
import {existsSync, readdirSync} from 'node:fs'

import type {CommandModel, CompletionSources, OptionModel} from './complete.js'
import {listContainerNames} from '../lib/containers.js'
import {resolveHostPaths} from '../lib/paths.js'
import {loadSettings} from '../plugin-host/settings.js'
import {pluginsOfOclif, providersOf} from '../plugin-host/registry.js'

/** A description as a completion menu shows it: its first sentence or clause, at most 60 characters. */
function brief(text: string | undefined, bin: string): string | undefined {
  const first = text?.replaceAll('<%= config.bin %>', bin)?.split('\n')[0].split(/(?<=[.;:])\s|\s\(/)[0].replace(/[.;:]$/, '')
  return first && first.length > 60 ? `${first.slice(0, 59)}…` : first
}

/** Options whose one occurrence takes two words (`--option NAME VALUE`). */
const twoValued = new Set(['option', 'override-input'])

/** What completion needs of oclif's visible commands. */
export function commandModels(config: Interfaces.Config): CommandModel[] {
  // oclif lists each alias as a command of its own: offered once, by its own name.
  const aliases = new Set(config.commands.flatMap((c) => c.aliases ?? []))
  return config.commands.filter((c) => !c.hidden && !aliases.has(c.id)).map((c: Command.Loadable) => ({
    id: c.id,
    summary: brief(c.summary ?? c.description, config.bin),
    args: Object.keys(c.args ?? {}),
    passesRest: c.strict === false,
    own: c.pluginName === config.name,
    options: Object.entries(c.flags ?? {}).filter(([, f]) => !f.hidden).map(([name, f]): OptionModel => ({
      name,
      char: f.char,
      takesValue: f.type === 'option',
      values: twoValued.has(name) ? 2 : 1,
      multiple: f.type === 'option' && Boolean(f.multiple),
      options: f.type === 'option' && f.options ? [...f.options] : undefined,
      summary: brief(f.summary ?? f.description, config.bin),
    })),
  }))
}

const quietly = <T>(read: () => T[]): T[] => {
  try {
    return read()
  } catch {
    return []
  }
}

export function liveSources(config: Interfaces.Config): CompletionSources {
  return {
    containers: () => quietly(() => listContainerNames(resolveHostPaths())),
    hosts: () => quietly(() => Object.keys(loadSettings(resolveHostPaths().settingsFile).hosts ?? {})),
    providers: (kind) => quietly(() => providersOf(pluginsOfOclif(config.plugins.values()), kind).map((p) => p.name)),
    interfaces: () => quietly(() => readdirSync('/sys/class/net').sort()),
    bridges: () => quietly(() => readdirSync('/sys/class/net').filter((i) => existsSync(`/sys/class/net/${i}/bridge`)).sort()),
  }
}
