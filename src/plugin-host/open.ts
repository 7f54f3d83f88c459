// Building an operation context: under oclif from its Config (hooks through config.runHook),
// elsewhere from the plugins found on disk (hooks called directly).
import {exposeCoreApi} from './core-api.js'
import {directHookRunner, type HookRunner, oclifHookRunner} from './hook-runner.js'
import {type ProviderChoice, PluginHost} from './plugin-host.js'
import {discoverPlugins, type OclifPlugin, type PluginInfo, pluginsOfOclif} from './registry.js'
import {loadSettings} from './settings.js'
import {resolveHostPaths} from '../lib/paths.js'
import {createProgress, type ProgressMode} from '../lib/progress.js'
import type {OperationContext} from '../operations/context.js'

export interface ContextOptions {
  choice?: ProviderChoice
  progress?: ProgressMode
}

async function open(plugins: PluginInfo[], runner: HookRunner, {choice = {}, progress = 'auto'}: ContextOptions): Promise<OperationContext> {
  // Ours import it by their own link (plugins/node_modules); others need it resolved for them.
  if (plugins.some((p) => p.type !== 'core')) exposeCoreApi()
  const host = resolveHostPaths()
  const pluginHost = new PluginHost(plugins, runner, loadSettings(host.settingsFile), choice)
  return {host, plugins: pluginHost, supervisor: await pluginHost.supervisor(), progress: createProgress(progress)}
}

type OclifConfig = Parameters<typeof oclifHookRunner>[0] & {plugins: Map<string, OclifPlugin>}

export function openOclifContext(config: OclifConfig, options: ContextOptions = {}): Promise<OperationContext> {
  return open(pluginsOfOclif(config.plugins.values()), oclifHookRunner(config), options)
}

export function openDirectContext(options: ContextOptions = {}): Promise<OperationContext> {
  const plugins = discoverPlugins()
  return open(plugins, directHookRunner(plugins), options)
}
