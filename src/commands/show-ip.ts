import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {showIpOutput} from '../presenters.js'

export default class ShowIp extends BaseCommand {
  static summary = 'Print a container\'s IP address.'
  static description = 'Prints LOCAL_ADDRESS without its prefix length, or LOCAL_ADDRESS6 when the container has no IPv4 address.'
  static examples = ['<%= config.bin %> <%= command.id %> web', 'ssh root@$(<%= config.bin %> <%= command.id %> web)']
  static args = nameArg

  async run(): Promise<{name: string; ip: string}> {
    const {args} = await this.parse(ShowIp)
    return showIpOutput(args.name, this.jsonEnabled())
  }
}
