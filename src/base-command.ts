// What every command shares: --json, --supervisor, upstream-style one-line errors, and the
// operation context (host paths, plugins, the selected supervisor, progress).
import {Command, Flags, type Interfaces} from '@oclif/core'

import {errorReport, NeedsRootError, printError} from './lib/errors.js'
import {isRoot} from './lib/privileges.js'
import {interruptedBy} from './lib/signals.js'
import {openOclifContext} from './plugin-host/open.js'
import type {ProviderChoice} from './plugin-host/plugin-host.js'
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
  }

  /**
   * Commands that change a container or enter it set this: for any user but root they stop in
   * init(), before parsing or opening anything, with one line saying so.
   */
  static needsRoot = false

  private providerChoice: ProviderChoice = {}

  async init(): Promise<void> {
    await super.init()
    if ((this.ctor as typeof BaseCommand).needsRoot && !isRoot()) throw new NeedsRootError()
  }

  /** Also remembers the provider flags (--supervisor, --allocator, --builder) for context(). */
  protected async parse<F extends Output, B extends Output, A extends Output>(
    options?: Interfaces.Input<F, B, A>, argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const output = await super.parse(options, argv)
    const {allocator, builder, supervisor} = output.flags as ProviderChoice
    this.providerChoice = {allocator, builder, supervisor}
    return output
  }

  protected context(): Promise<OperationContext> {
    return openOclifContext(this.config, {choice: this.providerChoice, progress: this.jsonEnabled() ? 'silent' : 'auto'})
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
    const report = errorReport(error)
    process.exitCode = report.exitCode
    printError(report, this.jsonEnabled())
    if (process.env.NIXOS_CONTAINER_DEBUG && error.stack) process.stderr.write(error.stack + '\n')
  }
}
