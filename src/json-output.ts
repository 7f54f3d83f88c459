// What each command prints with --json, by type: the source of the JSON Schemas in schemas/
// (`npm run schemas` writes schemas/COMMAND.json from the type COMMANDOutput here, with the doc
// comments of the types as descriptions). Script authors rely on those files, so the types a
// command returns are named here and nowhere else; test/unit/schemas.test.ts checks the files are
// what this module gives, and test/system/json-output.test.ts that every command's output fits.
// Types only: nothing here runs.
import type {ErrorReport} from './lib/errors.js'
import type {Generation} from './lib/generations.js'
import type {ContainerSummary} from './lib/containers.js'
import type {CloneResult} from './operations/clone.js'
import type {CopyResult} from './operations/copy.js'
import type {CreateResult} from './operations/create.js'
import type {DestroyResult} from './operations/destroy.js'
import type {RollbackResult} from './operations/generations.js'
import type {CapturedRun} from './operations/interactive.js'
import type {LifecycleResult} from './operations/lifecycle.js'
import type {SetLimitsResult} from './operations/limits.js'
import type {ResetResult} from './operations/reset.js'
import type {UpdateResult} from './operations/update.js'
import type {StatusOutput as StatusResult} from './presenters.js'

/** What a plugin's hook did wrong without changing the outcome; also said on stderr. */
export interface HookWarnings {
  /** One line each, such as "post-start hook of plugin P failed: …". */
  warnings?: string[]
}

export type CloneOutput = CloneResult & HookWarnings
export type CpOutput = CopyResult
export type CreateOutput = CreateResult & HookWarnings
export type DestroyOutput = DestroyResult & HookWarnings
/** The container's system generations, oldest first. */
export type GenerationsOutput = Array<Omit<Generation, 'date'> & {
  /**
   * When it was made (ISO 8601).
   * @format date-time
   */
  date: string
}>
/** Every container, by name; with several --host, each also names its host. */
export type ListOutput = Array<ContainerSummary & {
  /** The --host it is on (list over several hosts only). */
  host?: string
}>
/**
 * One line of `logs --json`, which prints JSON Lines (one object a line): the console's lines as
 * {"source": "console", "message": …}, the journal's as journalctl's own JSON fields (strings;
 * binary values as arrays of bytes; null for a field given more than once without a value).
 */
export type LogsOutput = {source: 'console'; message: string} | JournalRecord
export interface JournalRecord {
  [field: string]: string | number[] | null
}
export type ResetOutput = ResetResult
export type RestartOutput = LifecycleResult & HookWarnings
export type RollbackOutput = RollbackResult
/** The command's captured output and exit status. */
export type RunOutput = CapturedRun & {name: string}
export type SetOutput = SetLimitsResult
export interface ShowHostKeyOutput {
  name: string
  /** The public key, as in the container's /etc/ssh/ssh_host_*_key.pub. */
  key: string
}
/** A shell completion script. */
export interface CompletionOutput {
  shell: 'bash' | 'zsh' | 'fish'
  /** The script, as printed without --json. */
  script: string
}
export interface ShowIpOutput {
  name: string
  /** The container's IPv4 address (LOCAL_ADDRESS), without a prefix length. */
  ip: string
}
export type StartOutput = LifecycleResult & HookWarnings
export type StatusOutput = StatusResult
export type StopOutput = LifecycleResult & HookWarnings
export type TerminateOutput = LifecycleResult & HookWarnings
export type UpdateOutput = UpdateResult & HookWarnings

/**
 * What every command prints on stdout with --json when it fails (exit status non-zero). `code`,
 * where present, names the kind of failure for scripts to branch on (not-found, exists, …).
 */
export interface ErrorOutput {
  error: ErrorReport & {code?: string}
}
