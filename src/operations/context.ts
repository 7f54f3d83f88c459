// What every operation works with: where containers live, the plugins (providers and hooks), the
// selected supervisor, and progress.
import type {Supervisor} from '../contract/supervisor.js'
import {type ConfEntries} from '../lib/conf.js'
import type {HostPaths} from '../lib/paths.js'
import type {Progress} from '../lib/progress.js'
import type {ConfRecord} from '../contract/hooks.js'
import type {PluginHost} from '../plugin-host/plugin-host.js'

export interface OperationContext {
  host: HostPaths
  plugins: PluginHost
  supervisor: Supervisor
  progress: Progress
}

/** NAME.conf as hooks see it. */
export const confRecord = (conf: ConfEntries): ConfRecord => Object.fromEntries(conf)
