// The CLI as one module: what bin/run.js starts and what plugins import as 'nixos-container'
// (package.json "exports"). scripts/bundle.js bundles it with @oclif/core into dist/cli.bundle.js,
// because loading one file instead of some 250 (oclif's and ours) halves the start-up of every
// command; oclif finds the commands and hooks below through package.json's explicit strategy.
// Plugins must get this very module (one signal owner, one plugin host), so it re-exports the API.
export * from './api.js'
export {execute} from '@oclif/core/execute'
export {settings} from '@oclif/core/settings'

import CompleteWordsCommand from './commands/__complete.js'
import CloneCommand from './commands/clone.js'
import CompletionCommand from './commands/completion.js'
import CpCommand from './commands/cp.js'
import CreateCommand from './commands/create.js'
import DestroyCommand from './commands/destroy.js'
import GenerationsCommand from './commands/generations.js'
import ListCommand from './commands/list.js'
import LoginCommand from './commands/login.js'
import LogsCommand from './commands/logs.js'
import ResetCommand from './commands/reset.js'
import RestartCommand from './commands/restart.js'
import RollbackCommand from './commands/rollback.js'
import RootLoginCommand from './commands/root-login.js'
import RunCommand from './commands/run.js'
import SetCommand from './commands/set.js'
import ShowHostKeyCommand from './commands/show-host-key.js'
import ShowIpCommand from './commands/show-ip.js'
import StartCommand from './commands/start.js'
import StatusCommand from './commands/status.js'
import StopCommand from './commands/stop.js'
import TerminateCommand from './commands/terminate.js'
import UpdateCommand from './commands/update.js'

export {default as commandNotFound} from './hooks/command-not-found.js'
export {announce, describeInstalled} from './hooks/plugins-install.js'

/** Every command, by id (oclif's explicit command strategy). */
export const COMMANDS = {
  __complete: CompleteWordsCommand,
  clone: CloneCommand,
  completion: CompletionCommand,
  cp: CpCommand,
  create: CreateCommand,
  destroy: DestroyCommand,
  generations: GenerationsCommand,
  list: ListCommand,
  login: LoginCommand,
  logs: LogsCommand,
  reset: ResetCommand,
  restart: RestartCommand,
  rollback: RollbackCommand,
  'root-login': RootLoginCommand,
  run: RunCommand,
  set: SetCommand,
  'show-host-key': ShowHostKeyCommand,
  'show-ip': ShowIpCommand,
  start: StartCommand,
  status: StatusCommand,
  stop: StopCommand,
  terminate: TerminateCommand,
  update: UpdateCommand,
}
