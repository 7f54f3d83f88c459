// Plugins run as root, in the CLI's own process, whenever one of their hooks fires. So
// `plugins install` says where a plugin comes from before fetching it, and once it is in, what it
// offers and which lifecycle points it will run at (plugin-plugins' own hooks, on our root plugin).
import type {Hook} from '@oclif/core'

import {dataDir, pluginsOfOclif} from '../plugin-host/registry.js'

/** What preinstall was asked for, so postinstall can find the same plugin (one process). */
let requested: string | undefined

type InstallRequest = {type: 'npm'; name: string; tag: string} | {type: 'repo'; url: string}

export const announce: Hook<'plugins:preinstall'> = async function ({plugin}) {
  const request = plugin as InstallRequest
  requested = request.type === 'npm' ? request.name : undefined
  const what = request.type === 'npm' ? `npm package ${request.name}@${request.tag} from ${process.env.npm_config_registry || 'the npm registry'}` : request.url
  process.stderr.write(`nixos-container: installing ${what} into ${dataDir()}/node_modules; its code will run as root whenever one of its hooks fires\n`)
}

export const describeInstalled: Hook<'plugins:postinstall'> = async function ({config}) {
  // The newest user plugin is the one just installed when preinstall did not know its name (a URL).
  const users = pluginsOfOclif(config.plugins.values()).filter((p) => p.type === 'user')
  const installed = users.find((p) => p.name === requested) ?? users.at(-1)
  if (!installed) return
  const version = config.plugins.get(installed.name)?.version ?? ''
  const offers = Object.entries(installed.declares).map(([kind, names]) => `${kind} ${names.join(', ')}`)
  const hooks = Object.keys(installed.hooks)
  process.stderr.write(`nixos-container: ${installed.name} ${version} offers ${offers.join('; ') || 'no providers'}; hooks: ${hooks.join(', ') || 'none'}\n`)
}
