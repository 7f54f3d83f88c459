import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {isRoot} from '../lib/privileges.js'
import {loginCommandLine, machinedLoginCommandLine} from '../operations/exec.js'
import {runInteractive} from '../operations/interactive.js'

export default class Login extends BaseCommand {
  static summary = 'Log in to a running container at a login prompt.'
  static description = 'Shows the container\'s login prompt (user name and password) on this terminal: `machinectl login NAME` when the container runs systemd and is registered with systemd-machined, else the container\'s login program. It is open to every user: one other than root gets machinectl\'s login only, where systemd-machined runs and has the container registered (polkit decides whether they may; by default an administrator\'s password is asked), and elsewhere one line saying why not. Needs a terminal; for a root shell without a password use root-login. Leave a machinectl login with Ctrl-] three times.'
  static examples = ['<%= config.bin %> <%= command.id %> web']
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Login)
    if (this.jsonEnabled()) throw new UserError('login is interactive and has no JSON output')
    const {host, supervisor} = await this.context()
    const container = loadContainer(host, args.name)
    // Other users cannot enter the container's namespaces: machined's login, if any, is theirs.
    const commandLine = isRoot() ? undefined : await machinedLoginCommandLine(container)
    if (!process.stdin.isTTY) throw new UserError('login needs a terminal (use run or root-login from scripts)')
    process.exitCode = await runInteractive(commandLine ?? await loginCommandLine(supervisor, container, flags.timeout * 1000))
  }
}
