// Progress for long commands: a listr2 task list on stderr (a live display on a terminal, plain
// lines otherwise), silent under --json. listr2 is loaded only when a long command runs, so the
// short ones do not pay for it.
import type {LogSink} from './nix.js'

export interface Step {
  title: string
  run: (log: LogSink) => Promise<void> | void
}

export type ProgressMode = 'auto' | 'silent'

export interface Progress {
  run(steps: Step[]): Promise<void>
  /** Starts loading the display now, so it is ready when run() comes (a command that waits on processes first). */
  prepare(): void
  /** A line for the user outside any step (stderr; nothing under --json). */
  note(line: string): void
}

export function createProgress(mode: ProgressMode): Progress {
  let display: Promise<typeof import('listr2')> | undefined
  const loadDisplay = (): Promise<typeof import('listr2')> => (display ??= import('listr2'))
  return {
    prepare() {
      loadDisplay().catch(() => undefined)
    },
    note(line) {
      if (mode !== 'silent') process.stderr.write(line + '\n')
    },
    async run(steps) {
      if (steps.length === 0) return
      const {Listr, ListrLogger, ListrLogLevels, ProcessOutput} = await loadDisplay()
      // Everything on stderr: stdout is reserved for what upstream prints there and for --json.
      const output = new ProcessOutput(process.stderr, process.stderr, {dump: [], leaveEmptyLine: false})
      // A failed step is shown as failed, without its message: the command's error line says it
      // once, after the display (the live renderer's showErrorMessage: false; the line-by-line one
      // has no such option, so its FAILED line loses the suffix that carries the message here).
      class StepLogger extends ListrLogger {
        override log(level: string, message: string, options?: Record<string, unknown>): void {
          super.log(level, message, level === ListrLogLevels.FAILED ? {...options, suffix: undefined} : options)
        }
      }
      const logger = new StepLogger({processOutput: output})
      const list = new Listr(
        steps.map((step) => ({
          title: step.title,
          task: async (_ctx: unknown, task: {output?: string}) => {
            await step.run((line: string) => {
              if (line.trim()) task.output = line
            })
          },
          rendererOptions: {outputBar: 5, persistentOutput: false},
        })),
        {
          concurrent: false,
          exitOnError: true,
          registerSignalListeners: false,
          renderer: mode === 'silent' ? 'silent' : 'default',
          // Off a terminal, plain lines, but silent stays silent (--json).
          fallbackRenderer: mode === 'silent' ? 'silent' : 'simple',
          fallbackRendererCondition: () => !process.stderr.isTTY || process.env.TERM === 'dumb',
          rendererOptions: {showErrorMessage: false, logger},
          fallbackRendererOptions: {logger},
          collectErrors: false,
        },
      )
      await list.run()
    },
  }
}
