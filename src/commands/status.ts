import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {UserError} from '../lib/errors.js'
import {containerStatus, type Status} from '../operations/lifecycle.js'

export default class StatusCommand extends BaseCommand {
  static summary = 'Print whether a container is up or down.'
  static description = 'Prints "up" or "down". For a container that does not exist it prints "gone" and fails, as upstream does.'
  static examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --json']
  static args = nameArg

  async run(): Promise<{name: string; state: Status}> {
    const {args} = await this.parse(StatusCommand)
    const state = containerStatus(this.context(), args.name)
    if (state === 'gone') {
      if (!this.jsonEnabled()) this.log('gone')
      throw new UserError(`container ‘${args.name}’ does not exist`)
    }
    if (!this.jsonEnabled()) this.log(state)
    return {name: args.name, state}
  }
}
