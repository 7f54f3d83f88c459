// Which plugins are installed and what they declare, read from package.json files only: no
// plugin code is loaded to learn which providers exist. Under oclif the list comes from its
// Config; the systemd unit's helper finds the same plugins the way oclif does (core plugins named in our package.json, user and linked ones in the data dir).
import {existsSync, readFileSync, realpathSync} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {packageRoot} from '../lib/entry.js'
import {type ProviderDeclaration, type ProviderKind, providerKinds} from '../contract/hooks.js'

export type HookTarget = string | {target: string; identifier?: string}

export interface PluginInfo {
  name: string
  root: string
  /** oclif's plugin type: core (shipped with us), user (plugins install), link (plugins link). */
  type: string
  declares: ProviderDeclaration
  hooks: Record<string, HookTarget | HookTarget[]>
}

interface PackageJson {
  name?: string
  dependencies?: Record<string, string>
  oclif?: {
    plugins?: (string | {name: string; type?: string; root?: string})[]
    hooks?: Record<string, HookTarget | HookTarget[]>
  }
  'nixos-container'?: unknown
}

/** Our own package root. */
export const coreRoot = packageRoot

const typeOrder = ['core', 'user', 'link']
const providerName = /^[a-z0-9][a-z0-9._-]*$/

function readPackageJson(root: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson
  } catch {
    return undefined
  }
}

/** Malformed entries are ignored (such a name is then simply unknown), so one broken plugin
 * cannot stop every command. */
function declarationOf(raw: unknown): ProviderDeclaration {
  const declaration: ProviderDeclaration = {}
  for (const kind of providerKinds) {
    const names = (raw as Record<string, unknown> | undefined)?.[kind]
    if (Array.isArray(names)) declaration[kind] = names.filter((n): n is string => typeof n === 'string' && providerName.test(n))
  }
  return declaration
}

/** Plugins in a stable order: ours first, then installed, then linked; by name within each. */
function ordered(plugins: PluginInfo[]): PluginInfo[] {
  return plugins.sort((a, b) => typeOrder.indexOf(a.type) - typeOrder.indexOf(b.type) || a.name.localeCompare(b.name))
}

function info(name: string, root: string, type: string, pjson: PackageJson): PluginInfo {
  return {name, root, type, declares: declarationOf(pjson['nixos-container']), hooks: pjson.oclif?.hooks ?? {}}
}

/** What this module needs of one of oclif's loaded plugins. */
export interface OclifPlugin {
  name: string
  root: string
  type: string
  isRoot?: boolean
  pjson: unknown
}

/** The plugins oclif has loaded (the root package, i.e. nixos-container itself, is not one). */
export function pluginsOfOclif(plugins: Iterable<OclifPlugin>): PluginInfo[] {
  return ordered([...plugins].filter((p) => !p.isRoot).map((p) => info(p.name, p.root, p.type, p.pjson as PackageJson)))
}

/** Where `plugins install|link` record plugins: oclif's data dir for our bin. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NIXOS_CONTAINER_DATA_DIR || path.join(env.XDG_DATA_HOME || path.join(homedir(), '.local/share'), 'nixos-container')
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^/]*') + '$')
}

/** The same plugins oclif would load, found without oclif. */
export function discoverPlugins(env: NodeJS.ProcessEnv = process.env): PluginInfo[] {
  const found: PluginInfo[] = []
  const add = (name: string, root: string, type: string): void => {
    const pjson = existsSync(root) ? readPackageJson(root) : undefined
    if (pjson) found.push(info(name, realpathSync(root), type, pjson))
  }
  const core = readPackageJson(coreRoot) ?? {}
  const patterns = (core.oclif?.plugins ?? []).filter((p): p is string => typeof p === 'string').map(globToRegExp)
  for (const name of Object.keys(core.dependencies ?? {})) {
    if (patterns.some((p) => p.test(name))) add(name, path.join(coreRoot, 'node_modules', name), 'core')
  }
  const userDir = dataDir(env)
  for (const entry of readPackageJson(userDir)?.oclif?.plugins ?? []) {
    if (typeof entry === 'string') continue
    if (entry.type === 'user') add(entry.name, path.join(userDir, 'node_modules', entry.name), 'user')
    if (entry.type === 'link' && entry.root) add(entry.name, entry.root, 'link')
  }
  return ordered(found)
}

/** The names of every provider of a kind, in plugin order. */
export function providersOf(plugins: PluginInfo[], kind: ProviderKind): {name: string; plugin: PluginInfo}[] {
  return plugins.flatMap((plugin) => (plugin.declares[kind] ?? []).map((name) => ({name, plugin})))
}
