// What core knows of its plugins: which provider is chosen (flag, then environment, then the
// settings file, then the built-in default), how to get it through its hook, and how lifecycle
// hooks are fired. Failures are put on the plugin that caused them.
import type {Builder, SystemSource} from '../contract/builder.js'
import {
  type HookEvent, type HookOptions, type NoticeEvent, type ProviderKind, type ProviderSettings, providerHook, type VetoEvent,
} from '../contract/hooks.js'
import type {Supervisor} from '../contract/supervisor.js'
import {type AddressSet, checkAddresses} from '../lib/addresses.js'
import {errorReport, UserError} from '../lib/errors.js'
import {storePathBuilder} from './store-path-builder.js'
import {systemdIsRunning} from '../lib/systemd.js'
import type {HookOutcome, HookRunner} from './hook-runner.js'
import {type PluginInfo, providersOf} from './registry.js'
import type {Settings} from './settings.js'

export type ProviderChoice = Partial<Record<ProviderKind, string>>

export const providerEnvironment: Record<ProviderKind, string> = {
  allocator: 'NIXOS_CONTAINER_ALLOCATOR',
  builder: 'NIXOS_CONTAINER_BUILDER',
  supervisor: 'NIXOS_CONTAINER_SUPERVISOR',
}

/** The built-in defaults: upstream's addresses, container@.service where systemd runs the host. */
function builtinDefault(kind: ProviderKind, source?: SystemSource): string {
  if (kind === 'allocator') return 'upstream'
  if (kind === 'supervisor') return systemdIsRunning() ? 'systemd' : 'nspawn'
  return source?.kind === 'flake' ? 'flakes' : 'channels'
}

const requiredMethods: Record<'builder' | 'supervisor', string[]> = {
  builder: ['handles', 'build'],
  supervisor: ['state', 'leader', 'start', 'stop', 'terminate'],
}

export interface SelectedProvider {
  kind: ProviderKind
  name: string
  plugin: PluginInfo
}

/** "allocator ‘ula’": how messages name a provider. */
const label = ({kind, name}: SelectedProvider): string => `${kind} ‘${name}’`

/** A third-party plugin's failure names the plugin; our own plugins speak as nixos-container. */
function blame(what: string, plugin: PluginInfo, error: unknown): UserError {
  if (plugin.type === 'core' && error instanceof UserError) return error
  // A plugin's own UserError keeps its code (and exit status); anything else it throws is an 'error'.
  const {code, exitCode} = error instanceof UserError ? error : {code: 'error' as const, exitCode: 1}
  return new UserError(`${errorReport(error).message} (${what} of plugin ${plugin.name})`, {code, exitCode})
}

/** Wraps every method so that what it throws names the plugin. */
function blamed<T extends object>(implementation: T, what: string, plugin: PluginInfo): T {
  const fail = (error: unknown): never => {
    throw blame(what, plugin, error)
  }
  return new Proxy(implementation, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        try {
          const result = value.apply(target, args)
          return result instanceof Promise ? result.catch(fail) : result
        } catch (error) {
          return fail(error)
        }
      }
    },
  })
}

export class PluginHost {
  /** The warnings hooks caused, also for a --json document (BaseCommand adds them there). */
  readonly warnings: string[] = []

  constructor(
    readonly plugins: PluginInfo[],
    private readonly runner: HookRunner,
    private readonly settings: Settings,
    private readonly choice: ProviderChoice = {},
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  available(kind: ProviderKind): string[] {
    return [...new Set(providersOf(this.plugins, kind).map((p) => p.name))]
  }

  /** The chosen provider of a kind; an unknown or ambiguous name is refused. */
  select(kind: ProviderKind, source?: SystemSource): SelectedProvider {
    const name = this.choice[kind] || this.env[providerEnvironment[kind]] || this.settings[kind] || builtinDefault(kind, source)
    const offers = providersOf(this.plugins, kind).filter((p) => p.name === name)
    if (offers.length === 0) throw new UserError(`unknown ${kind} ‘${name}’ (available: ${this.available(kind).join(', ') || 'none'})`)
    if (offers.length > 1) {
      throw new UserError(`${kind} ‘${name}’ is offered by several plugins (${offers.map((o) => o.plugin.name).join(', ')}); uninstall or unlink all but one`)
    }
    return {kind, name, plugin: offers[0].plugin}
  }

  settingsOf(provider: string): ProviderSettings {
    return this.settings.providers[provider] ?? {}
  }

  /** Fires a provider hook and takes the selected plugin's answer. */
  private async answer<E extends HookEvent>(selected: SelectedProvider, event: E, options: HookOptions<E>): Promise<NonNullable<HookOutcome<E>['successes'][number]['result']>> {
    const outcome = await this.runner.run(event, options)
    const failure = outcome.failures.find((f) => f.plugin === selected.plugin.name)
    if (failure) throw blame(label(selected), selected.plugin, failure.error)
    this.reportFailures(event, outcome.failures)
    const result = outcome.successes.find((s) => s.plugin === selected.plugin.name && s.result !== undefined)?.result
    if (result === undefined || result === null) {
      throw new UserError(`plugin ${selected.plugin.name} declares ${label(selected)} but its ${event} hook gave nothing for it`)
    }
    return result
  }

  private async provider<T extends object>(kind: 'builder' | 'supervisor', selected: SelectedProvider): Promise<T> {
    const implementation = await this.answer(selected, providerHook[kind], {provider: selected.name, settings: this.settingsOf(selected.name)}) as T
    const missing = requiredMethods[kind].filter((m) => typeof (implementation as Record<string, unknown>)[m] !== 'function')
    if (missing.length > 0) throw new UserError(`plugin ${selected.plugin.name}: ${label(selected)} lacks ${missing.join(', ')}`)
    return selected.plugin.type === 'core' ? implementation : blamed(implementation, label(selected), selected.plugin)
  }

  supervisor(): Promise<Supervisor> {
    return this.provider<Supervisor>('supervisor', this.select('supervisor'))
  }

  /** The builder for a source; a system given as a store path needs none (it is only installed). */
  async builder(source: SystemSource): Promise<Builder> {
    if (source.kind === 'store-path') return storePathBuilder
    const selected = this.select('builder', source)
    const builder = await this.provider<Builder>('builder', selected)
    if (!builder.handles(source)) {
      throw new UserError(`${label(selected)} cannot build ${source.kind === 'flake' ? 'a flake' : 'a configuration.nix'} container`)
    }
    return builder
  }

  /** Fires network-allocate; the selected allocator's answer, on top of what was requested, is held
   * to the same rules as addresses given on the command line. */
  /** POOLS (--pool) stand in for the allocator's "pools" setting. */
  async allocate({pools, ...request}: {name: string; requested: AddressSet; inUse: AddressSet[]; pools?: string[]}): Promise<AddressSet> {
    const selected = this.select('allocator')
    const settings = {...this.settingsOf(selected.name), ...(pools && pools.length > 0 ? {pools} : {})}
    const options = {...request, provider: selected.name, settings}
    const addresses = {...request.requested, ...await this.answer(selected, 'network-allocate', options)}
    if (!addresses.hostAddress || !addresses.localAddress) throw new UserError(`${label(selected)} returned no IPv4 address pair`)
    try {
      checkAddresses(addresses, request.inUse)
    } catch (error) {
      throw new UserError(`${label(selected)} returned unusable addresses: ${(error as Error).message}`)
    }
    return addresses
  }

  /** A pre-* hook: any handler's failure refuses the operation with its message. */
  async veto<E extends VetoEvent>(event: E, options: HookOptions<E>): Promise<void> {
    const {failures} = await this.runner.run(event, options)
    if (failures.length > 0) throw new UserError(`${errorReport(failures[0].error).message} (${event} hook of plugin ${failures[0].plugin})`, {code: 'error'})
  }

  /** A post-* hook, or a pre-* hook of what cannot be refused: failures are reported; what happened stands. */
  async notify<E extends NoticeEvent | VetoEvent>(event: E, options: HookOptions<E>): Promise<void> {
    this.reportFailures(event, (await this.runner.run(event, options)).failures)
  }

  /** Failed handlers whose failure changes nothing: each gets a warning line, and is kept. */
  private reportFailures(event: HookEvent, failures: HookOutcome<HookEvent>['failures']): void {
    for (const {plugin, error} of failures) {
      const warning = `${event} hook of plugin ${plugin} failed: ${errorReport(error).message}`
      this.warnings.push(warning)
      process.stderr.write(`nixos-container: warning: ${warning}\n`)
    }
  }
}
