import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {statusOutput} from '../quick.js'
import type {Status} from '../operations/queries.js'

export default class StatusCommand extends BaseCommand {
  static summary = 'Print whether a container is up or down.'
  static description = 'Prints "up" or "down": with the systemd supervisor, whether container@NAME.service is active; with the nspawn supervisor, whether its systemd-nspawn still runs. For a container that does not exist it prints "gone" and fails, as upstream does.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'In a script', command: '[ "$(<%= config.bin %> <%= command.id %> web)" = up ] || <%= config.bin %> start web'},
  ]
  static args = nameArg

  async run(): Promise<{name: string; state: Status; problem?: string}> {
    const {args} = await this.parse(StatusCommand)
    return statusOutput(args.name, this.jsonEnabled(), await this.context())
  }
}
