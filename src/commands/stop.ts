import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {type LifecycleResult, stopContainer} from '../operations/lifecycle.js'

export default class Stop extends BaseCommand {
  static summary = 'Shut a container down cleanly.'
  static description = 'Asks the container\'s init to halt (SIGRTMIN+3, as systemd-nspawn --kill-signal does) and returns once the container is gone. If it has not halted within --timeout seconds it is terminated. Stopping a stopped container does nothing.'
  static examples = ['<%= config.bin %> <%= command.id %> web']
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<LifecycleResult> {
    const {args, flags} = await this.parse(Stop)
    return stopContainer(this.context(), args.name, flags.timeout * 1000)
  }
}
