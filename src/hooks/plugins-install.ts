// Plugins run as root, in the CLI's own process, whenever one of their hooks fires. So
// `plugins install` says where a plugin comes from before fetching it, and once it is in, what it
// offers and which lifecycle points it will run at (plugin-plugins' own hooks, on our root plugin).
import type {Hook} from '@oclif/core'
import {existsSync, statSync} from 'node:fs'
import path from 'node:path'

import {printError} from '../lib/errors.js'
import {dataDir, pluginsOfOclif} from '../plugin-host/registry.js'

/** The plugins there were before the install (preinstall and postinstall run in one process). */
let before = new Set<string>()

type InstallRequest = {type: 'npm'; name?: string; tag?: string; url?: string} | {type: 'repo'; url: string; name?: string; tag?: string}

/** plugin-plugins' reading of a GitHub shorthand (org/repo): what it made of any word with a slash. */
const github = 'https://github.com/'

/**
 * A path the user gave (./dir, ../x.tgz, /abs/x.tgz, x.tgz), which plugin-plugins takes for a
 * GitHub repository or an npm name and then waits on the network for: a package tarball is
 * installed as the file: URL it is, a directory is refused at once (plugins link is for those),
 * in one line. REQUEST is plugin-plugins' own object, rewritten in place before it installs.
 */
function takeLocalPath(request: InstallRequest): void {
  const typed = request.type === 'repo' && request.url.startsWith(github) ? request.url.slice(github.length)
    : request.type === 'npm' && request.name && /\.(tgz|tar\.gz)$/.test(request.name) ? request.name : undefined
  if (typed === undefined || !(/^\.{0,2}\//.test(typed) || existsSync(typed))) return
  const file = path.resolve(typed)
  const refuse = (why: string): never => {
    printError({message: `plugins install: ${typed}: ${why}`, code: 'invalid-argument', exitCode: 1}, false)
    process.exit(1)
  }
  if (!existsSync(file)) refuse('no such file or directory')
  if (statSync(file).isDirectory()) refuse(`a directory: link it with ‘plugins link ${typed}’, or install the tarball ‘npm pack’ makes of it`)
  if (!/\.(tgz|tar\.gz)$/.test(file)) refuse('not a package tarball (.tgz, as npm pack makes)')
  Object.assign(request, {type: 'repo', url: `file:${file}`})
}

export const announce: Hook<'plugins:preinstall'> = async function ({config, plugin}) {
  before = new Set(config.plugins.keys())
  const request = plugin as InstallRequest
  takeLocalPath(request)
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
