import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {type LifecycleResult, terminateContainer} from '../operations/lifecycle.js'

export default class Terminate extends BaseCommand {
  static summary = 'Kill a container immediately.'
  static description = 'Kills every process of the container at once (no clean shutdown) and returns once it is gone.'
  static examples = ['<%= config.bin %> <%= command.id %> web']
  static args = nameArg

  async run(): Promise<LifecycleResult> {
    const {args} = await this.parse(Terminate)
    return terminateContainer(this.context(), args.name)
  }
}
