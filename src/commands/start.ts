import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {type LifecycleResult, startContainer} from '../operations/lifecycle.js'

export default class Start extends BaseCommand {
  static summary = 'Start a container and wait until it has booted.'
  static description = 'Boots the container with systemd-nspawn, sets up its network (veth ve-NAME with HOST_ADDRESS on the host, eth0 with LOCAL_ADDRESS in the container), and returns once it has booted: when systemd inside reports running or degraded, or for a system without systemd once its init runs. Starting a running container does nothing.'
  static examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --timeout 300']
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<LifecycleResult> {
    const {args, flags} = await this.parse(Start)
    return startContainer(this.context(), {name: args.name, timeoutMs: flags.timeout * 1000})
  }
}
