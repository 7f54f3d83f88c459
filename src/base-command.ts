// What every command shares: --json, upstream-style one-line errors, and the operation context.
import {Command} from '@oclif/core'

import {selectBackends} from './backends/index.js'
import {errorReport, printError} from './lib/errors.js'
import {resolveHostPaths} from './lib/paths.js'
import {createProgress} from './lib/progress.js'
import type {OperationContext} from './operations/context.js'

interface CommandError extends Error {
  exitCode?: number
  code?: string
  oclif?: {exit?: number}
}

export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  protected context(): OperationContext {
    return {
      host: resolveHostPaths(),
      backends: selectBackends(),
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
