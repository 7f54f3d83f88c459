// Firing a hook: under oclif through config.runHook, which loads the handlers of every plugin that
// registered the event (and no other plugin code). Where oclif is not loaded (the systemd unit's
// helper) the same handlers are imported and called the same way,
// except that options.config is undefined there.
import {existsSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import type {HookTarget, PluginInfo} from './registry.js'
import type {HookEvent, HookOptions, HookReturn} from '../contract/hooks.js'

export interface HookOutcome<E extends HookEvent> {
  successes: {plugin: string; result: HookReturn<E>}[]
  failures: {plugin: string; error: Error}[]
}

export interface HookRunner {
  run<E extends HookEvent>(event: E, options: HookOptions<E>): Promise<HookOutcome<E>>
}

interface OclifConfig {
  runHook(event: string, options: object, timeout?: number, captureErrors?: boolean): Promise<{
    successes: {plugin: {name: string}; result: unknown}[]
    failures: {plugin: {name: string}; error: Error}[]
  }>
}

export function oclifHookRunner(config: OclifConfig): HookRunner {
  return {
    async run(event, options) {
      // captureErrors: a handler's this.error() must come back as a failure, not end the process.
      const {successes, failures} = await config.runHook(event, options, undefined, true)
      return {
        successes: successes.map(({plugin, result}) => ({plugin: plugin.name, result: result as never})),
        failures: failures.map(({plugin, error}) => ({plugin: plugin.name, error})),
      }
    },
  }
}

function targetsOf(hooks: HookTarget | HookTarget[] | undefined): {target: string; identifier: string}[] {
  return [hooks ?? []].flat().map((h) => (typeof h === 'string' ? {target: h, identifier: 'default'} : {identifier: 'default', ...h}))
}

function resolveTarget(root: string, target: string): string {
  const file = path.resolve(root, target)
  return [file, `${file}.js`, path.join(file, 'index.js')].find((f) => existsSync(f) && !f.endsWith(path.sep)) ?? file
}

type HandlerModule = Record<string, unknown>

function handlerIn(module: HandlerModule, identifier: string): ((...args: unknown[]) => unknown) | undefined {
  const found = module[identifier] ?? (identifier === 'default' ? Object.values(module).find((v) => typeof v === 'function') : undefined)
  return typeof found === 'function' ? found as (...args: unknown[]) => unknown : undefined
}

export function directHookRunner(plugins: PluginInfo[]): HookRunner {
  const context = {
    config: undefined,
    debug() {},
    error(message: string | Error): never {
      throw typeof message === 'string' ? new Error(message) : message
    },
    exit(code = 0): never {
      throw new Error(`hook exited with status ${code}`)
    },
    log(message = '') {
      process.stdout.write(message + '\n')
    },
    warn(message: string | Error) {
      process.stderr.write(`Warning: ${String((message as Error)?.message ?? message)}\n`)
    },
  }
  return {
    async run(event, options) {
      const outcome: HookOutcome<typeof event> = {successes: [], failures: []}
      await Promise.all(plugins.map(async (plugin) => {
        for (const {target, identifier} of targetsOf(plugin.hooks[event])) {
          try {
            const module = await import(pathToFileURL(resolveTarget(plugin.root, target)).href) as HandlerModule
            const handler = handlerIn(module, identifier)
            if (!handler) continue
            const result = await handler.call(context, {...options, config: undefined, context})
            outcome.successes.push({plugin: plugin.name, result: result as never})
          } catch (error) {
            outcome.failures.push({plugin: plugin.name, error: error as Error})
          }
        }
      }))
      return outcome
    },
  }
}
