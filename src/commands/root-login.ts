import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {requireSession, rootLoginCommandLine} from '../operations/exec.js'
import {runInteractive} from '../operations/interactive.js'

export default class RootLogin extends BaseCommand {
  static summary = 'Open a root login shell in a running container.'
  static needsRoot = true
  static description = 'Starts `su root -l` inside the container, with no password asked. The shell\'s exit status becomes ours. A container that is still booting is waited for, up to --timeout. In a container whose init is systemd the shell runs in a scope of its own, so stopping the container hangs it up instead of waiting for it.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'Start it first if needed', command: '<%= config.bin %> start web && <%= config.bin %> <%= command.id %> web'},
  ]
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(RootLogin)
    if (this.jsonEnabled()) throw new UserError('root-login is interactive and has no JSON output')
    const {host, supervisor} = await this.context()
    const container = loadContainer(host, args.name)
    process.exitCode = await runInteractive(rootLoginCommandLine(await requireSession(supervisor, container, flags.timeout * 1000)))
  }
}
