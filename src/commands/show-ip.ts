import {BaseCommand} from '../base-command.js'
import {withoutPrefix} from '../lib/addresses.js'
import {nameArg} from '../flags.js'
import {loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'

export default class ShowIp extends BaseCommand {
  static summary = 'Print a container\'s IP address.'
  static description = 'Prints LOCAL_ADDRESS without its prefix length, or LOCAL_ADDRESS6 when the container has no IPv4 address.'
  static examples = ['<%= config.bin %> <%= command.id %> web', 'ssh root@$(<%= config.bin %> <%= command.id %> web)']
  static args = nameArg

  async run(): Promise<{name: string; ip: string}> {
    const {args} = await this.parse(ShowIp)
    const {conf} = loadContainer(this.context().host, args.name)
    const address = conf.get('LOCAL_ADDRESS') || conf.get('LOCAL_ADDRESS6')
    if (!address) throw new UserError('cannot get IP address')
    const ip = withoutPrefix(address)
    if (!this.jsonEnabled()) this.log(ip)
    return {name: args.name, ip}
  }
}
