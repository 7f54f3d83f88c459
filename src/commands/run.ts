import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {timeoutFlag} from '../flags.js'
import {loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {checkRunSettings, requireSession, runCommandLine, type RunSettings} from '../operations/exec.js'
import {runInteractive, runCaptured, type CapturedRun} from '../operations/interactive.js'

export default class Run extends BaseCommand {
  static summary = 'Run a command in a running container as root (or another user).'
  static needsRoot = true
  static description = 'Runs ARGS in a root login shell inside the container (su root -l -c "exec \'ARG\' …", each argument quoted so it arrives exactly as given); --user runs it in that user\'s login shell instead, --setenv sets variables for it and --chdir starts it in a directory, all after the login shell has set up its environment. Standard input, output and error pass through, with a terminal when one is attached, and the command\'s exit status becomes ours. With --json the output is captured and returned with the exit status. A container that is still booting is waited for, up to --timeout. In a container whose init is systemd the command runs in a scope of its own (systemd-run --scope), so stopping the container ends it cleanly.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web -- systemctl status nginx',
    {description: 'Arguments arrive exactly as given', command: `<%= config.bin %> <%= command.id %> web -- sh -c 'echo "$HOSTNAME"'`},
    {description: 'On another machine over ssh: arguments, stdin and exit status arrive as they would here', command: '<%= config.bin %> <%= command.id %> web --host root@server1 -- journalctl -u nginx'},
    {description: 'As the user alice, in /srv/app, with a variable set', command: '<%= config.bin %> <%= command.id %> web --user alice --chdir /srv/app --setenv NODE_ENV=production -- npm test'},
    {description: 'Right after starting in the background, wait up to a minute for the boot', command: '<%= config.bin %> <%= command.id %> web --timeout 60 -- systemctl is-system-running'},
  ]
  static strict = false
  static flags = {
    ...timeoutFlag,
    user: Flags.string({char: 'u', helpValue: '<user>', description: 'run the command in this user\'s login shell (su USER -l), not root\'s'}),
    setenv: Flags.string({char: 'E', aliases: ['env'], helpValue: '<NAME=VALUE>', multiple: true, description: 'set this variable for the command (repeatable)'}),
    chdir: Flags.string({char: 'C', aliases: ['cwd'], helpValue: '<dir>', description: 'start the command in this directory of the container (default the user\'s home)'}),
  }
  static args = {
    name: Args.string({description: 'container name', required: true, ignoreStdin: true}),
    command: Args.string({description: 'command and arguments, after --', required: false, ignoreStdin: true}),
  }

  async run(): Promise<CapturedRun | undefined> {
    const separator = this.argv.indexOf('--')
    const before = separator === -1 ? this.argv : this.argv.slice(0, separator)
    const command = separator === -1 ? [] : this.argv.slice(separator + 1)
    const {args, argv, flags} = await this.parse(Run, before)
    if (argv.length > 1) throw new UserError('put the command after --: nixos-container run NAME -- COMMAND…')
    if (command.length === 0) throw new UserError('no command given: nixos-container run NAME -- COMMAND…')
    const settings: RunSettings = {user: flags.user, env: flags.setenv, chdir: flags.chdir}
    checkRunSettings(settings)
    const {host, supervisor} = await this.context()
    const container = loadContainer(host, args.name)
    const commandLine = runCommandLine(await requireSession(supervisor, container, flags.timeout * 1000), command, settings)
    if (this.jsonEnabled()) {
      const result = await runCaptured(commandLine)
      process.exitCode = result.exitCode
      return {name: args.name, ...result}
    }
    process.exitCode = await runInteractive(commandLine)
    return undefined
  }
}
