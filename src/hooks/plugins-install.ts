// Plugins run as root, in the CLI's own process, whenever one of their hooks fires. So
// `plugins install` says where a plugin comes from before fetching it, and once it is in, what it
// offers and which lifecycle points it will run at (plugin-plugins' own hooks, on our root plugin).
import type {Hook} from '@oclif/core'

import {dataDir, pluginsOfOclif} from '../plugin-host/registry.js'

/** The plugins there were before the install (preinstall and postinstall run in one process). */
let before = new Set<string>()

type InstallRequest = {type: 'npm'; name: string; tag: string} | {type: 'repo'; url: string}

export const announce: Hook<'plugins:preinstall'> = async function ({config, plugin}) {
  before = new Set(config.plugins.keys())
  const request = plugin as InstallRequest
  const what = request.type === 'npm' ? `npm package ${request.name}@${request.tag} from ${process.env.npm_config_registry || 'the npm registry'}` : request.url
  process.stderr.write(`nixos-container: installing ${what} into ${dataDir()}/node_modules; its code will run as root whenever one of its hooks fires\n`)
}

export const describeInstalled: Hook<'plugins:postinstall'> = async function ({config}) {
  const installed = pluginsOfOclif(config.plugins.values()).find((p) => !before.has(p.name))
  if (!installed) return
  const version = config.plugins.get(installed.name)?.version ?? ''
  const offers = Object.entries(installed.declares).map(([kind, names]) => `${kind} ${names.join(', ')}`)
  const hooks = Object.keys(installed.hooks)
  process.stderr.write(`nixos-container: ${installed.name} ${version} offers ${offers.join('; ') || 'no providers'}; hooks: ${hooks.join(', ') || 'none'}\n`)
}
