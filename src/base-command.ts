// What every command shares: --json, --supervisor, upstream-style one-line errors, and the
// operation context (host paths, plugins, the selected supervisor, progress).
import type {Interfaces} from '@oclif/core'
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'

import {NeedsRootError, reportError} from './lib/errors.js'
import {checkOptionValues} from './lib/option-values.js'
import {isRoot} from './lib/privileges.js'
import {type RemoteTarget, takeRemoteFlags} from './lib/remote.js'
import {hostDefaults} from './plugin-host/settings.js'
import {interruptedBy} from './lib/signals.js'
import {openOclifContext} from './operations/open-context.js'
import type {PluginHost, ProviderChoice} from './plugin-host/plugin-host.js'
import type {OperationContext} from './operations/context.js'

// oclif's own constraint types for parse(), which it does not export.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Output = {[name: string]: any}

interface CommandError extends Error {
  exitCode?: number
  code?: string
  oclif?: {exit?: number}
}

export abstract class BaseCommand extends Command {
  static enableJsonFlag = true
  static baseFlags = {
    supervisor: Flags.string({
      helpGroup: 'PROVIDER',
      helpValue: '<name>',
      description: 'how containers are run: systemd (container@NAME.service; the default where systemd is PID 1), nspawn (systemd-nspawn directly; the default elsewhere), or one a plugin adds. Also NIXOS_CONTAINER_SUPERVISOR.',
    }),
    // Taken out of argv in init() (lib/remote.ts takeRemoteFlags); declared here for --help.
    host: Flags.string({
      helpGroup: 'REMOTE',
      helpValue: '[<user>@]<host>[:<port>]',
      multiple: true,
      description: 'act on the containers of this host, by running nixos-container there over your ssh (your ssh config, agent and known_hosts); create and update build the system here and copy it there. list takes several (local or localhost: this machine). Also NIXOS_CONTAINER_HOST.',
    }),
    'ssh-option': Flags.string({
      helpGroup: 'REMOTE',
      helpValue: '<options>',
      multiple: true,
      description: 'more ssh options for --host and --build-host, such as "-i KEY" or "-o ConnectTimeout=5" (split at spaces; also given to nix copy as NIX_SSHOPTS)',
    }),
  }

  /** With --host: 'forward' passes the command line to the remote tool in init(); 'own' commands (list, create, update) do it in run(). */
  static remote: 'forward' | 'own' = 'forward'

  /**
   * Commands that change a container or enter it set this: for any user but root they stop in
   * init(), before parsing or opening anything, with one line saying so.
   */
  static needsRoot = false

  private providerChoice: ProviderChoice = {}

  /** --host's hosts and --ssh-option (local or localhost alone: none, this machine is meant). */
  protected remoteTarget?: RemoteTarget

  /** --ssh-option's options, split: for --host, and for --build-host without it. */
  protected sshOptions: string[] = []

  async init(): Promise<void> {
    const {argv, target, sshOptions} = takeRemoteFlags(this.argv, process.env, hostDefaults(this.id))
    this.argv = argv
    this.sshOptions = sshOptions
    await super.init()
    this.remoteTarget = target?.hosts.every((host) => host.local) ? undefined : target
    const ctor = this.ctor as typeof BaseCommand
    if (this.remoteTarget && ctor.remote === 'forward') {
      // The remote tool parses and answers; its exit status is ours (catch() takes it from EEXIT).
      this.parsed = true
      const {forwardCommand} = await import('./operations/remote.js')
      this.exit(await forwardCommand(this.remoteTarget, this.id!, argv, {json: this.jsonEnabled()}))
    }
    // Root is the remote side's business (the remote tool refuses as it would here).
    if (ctor.needsRoot && !isRoot() && !this.remoteTarget) throw new NeedsRootError()
  }

  /**
   * Also refuses option values with line breaks (lib/option-values.ts), before the command does
   * anything, and remembers the provider flags (--supervisor, --allocator, --builder) for context().
   */
  protected async parse<F extends Output, B extends Output, A extends Output>(
    options?: Interfaces.Input<F, B, A>, argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const output = await super.parse(options, argv)
    checkOptionValues(output.flags)
    const {allocator, builder, supervisor} = output.flags as ProviderChoice
    this.providerChoice = {allocator, builder, supervisor}
    return output
  }

  protected async context(): Promise<OperationContext> {
    const context = await openOclifContext(this.config, {choice: this.providerChoice, progress: this.jsonEnabled() ? 'silent' : 'auto'})
    this.pluginHosts.push(context.plugins)
    return context
  }

  /** The plugin hosts of the contexts this command opened: their hooks' warnings. */
  private readonly pluginHosts: PluginHost[] = []

  /** --json: the warnings hooks caused join an object result as `warnings` (stderr has them too). */
  protected toSuccessJson(result: unknown): unknown {
    const warnings = this.pluginHosts.flatMap((plugins) => plugins.warnings)
    if (warnings.length === 0 || typeof result !== 'object' || result === null || Array.isArray(result)) return result
    return {...result, warnings}
  }

  /**
   * --json output, the same text oclif prints when no JSON colour theme is set, but without its
   * tokenizer, whose time and memory grow with the square of the output's size (over a thousand
   * containers it cost `list --json` more than reading them all).
   */
  override logJson(json: unknown): void {
    if (this.config.theme?.json) return super.logJson(json)
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** Prints "nixos-container: MESSAGE" (or a JSON error document) instead of oclif's stack of lines. */
  protected async catch(error: CommandError): Promise<void> {
    if (error.code === 'EEXIT') {
      process.exitCode = error.oclif?.exit ?? 0
      return
    }
    // The signal owner is undoing the work and will exit 128+N; the failure it caused is no news.
    if (interruptedBy()) return
    // "nixos-container stop: needs root (try sudo)": name the command that was refused.
    if (error instanceof NeedsRootError) error.command ??= this.id
    reportError(error, this.jsonEnabled())
  }
}
