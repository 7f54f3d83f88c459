// What every command shares: --json, upstream-style one-line errors, and the operation context.
import {Command, Flags, type Interfaces} from '@oclif/core'

import {type BackendChoice, selectBackends} from './backends/index.js'
import {errorReport, printError} from './lib/errors.js'
import {resolveHostPaths} from './lib/paths.js'
import {createProgress} from './lib/progress.js'
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
      helpGroup: 'BACKEND',
      helpValue: '<systemd|nspawn>',
      description: 'how containers are run: systemd (container@NAME.service; the default where systemd is PID 1) or nspawn (systemd-nspawn directly; the default elsewhere). Also NIXOS_CONTAINER_SUPERVISOR.',
    }),
  }

  private backendChoice: BackendChoice = {}

  /** Also remembers the backend flags for context(). */
  protected async parse<F extends Output, B extends Output, A extends Output>(
    options?: Interfaces.Input<F, B, A>, argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const output = await super.parse(options, argv)
    this.backendChoice = {supervisor: (output.flags as {supervisor?: string}).supervisor}
    return output
  }

  protected context(): OperationContext {
    return {
      host: resolveHostPaths(),
      backends: selectBackends(this.backendChoice),
      progress: createProgress(this.jsonEnabled() ? 'silent' : 'auto'),
    }
  }

  /** Prints "nixos-container: MESSAGE" (or a JSON error document) instead of oclif's stack of lines. */
  protected async catch(error: CommandError): Promise<void> {
    if (error.code === 'EEXIT') {
      process.exitCode = error.oclif?.exit ?? 0
      return
    }
    const report = errorReport(error)
    process.exitCode = report.exitCode
    printError(report, this.jsonEnabled())
    if (process.env.NIXOS_CONTAINER_DEBUG && error.stack) process.stderr.write(error.stack + '\n')
  }
}
