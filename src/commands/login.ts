import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {loginCommandLine} from '../operations/exec.js'
import {runInteractive} from '../operations/interactive.js'

export default class Login extends BaseCommand {
  static summary = 'Log in to a running container at a login prompt.'
  static description = 'Shows the container\'s login prompt (user name and password) on this terminal: `machinectl login NAME` when the container runs systemd and is registered with systemd-machined, else the container\'s login program. Needs a terminal; for a root shell without a password use root-login. Leave a machinectl login with Ctrl-] three times.'
  static examples = ['<%= config.bin %> <%= command.id %> web']
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Login)
    if (this.jsonEnabled()) throw new UserError('login is interactive and has no JSON output')
    const {host, supervisor} = await this.context()
    const container = loadContainer(host, args.name)
    if (!process.stdin.isTTY) throw new UserError('login needs a terminal (use run or root-login from scripts)')
    process.exitCode = await runInteractive(await loginCommandLine(supervisor, container, flags.timeout * 1000))
  }
}
