// Building an operation context: under oclif from its Config (hooks through config.runHook),
// elsewhere from the plugins found on disk (hooks called directly).
import type {OperationContext} from './context.js'
import {resolveHostPaths} from '../lib/paths.js'
import {createProgress, type ProgressMode} from '../lib/progress.js'
import {exposeCoreApi} from '../plugin-host/core-api.js'
import {directHookRunner, type HookRunner, oclifHookRunner} from '../plugin-host/hook-runner.js'
import {type ProviderChoice, PluginHost} from '../plugin-host/plugin-host.js'
import {discoverPlugins, type OclifPlugin, type PluginInfo, pluginsOfOclif} from '../plugin-host/registry.js'
import {loadSettings} from '../plugin-host/settings.js'

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
