import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {type LifecycleResult, stopContainer} from '../operations/lifecycle.js'

export default class Stop extends BaseCommand {
  static summary = 'Shut a container down cleanly.'
  static needsRoot = true
  static description = 'Asks the container\'s init to halt (systemd-nspawn turns SIGTERM into SIGRTMIN+3) and returns once the container is gone; with the systemd supervisor this is `systemctl stop container@NAME.service`. If it has not halted within --timeout seconds it is terminated. Stopping a stopped container does nothing; a container whose systemd-nspawn was killed is found by its cgroup and halted all the same.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'Kill it if it has not halted after 10 seconds', command: '<%= config.bin %> <%= command.id %> web --timeout 10'},
  ]
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<LifecycleResult> {
    const {args, flags} = await this.parse(Stop)
    return stopContainer(await this.context(), args.name, flags.timeout * 1000)
  }
}
