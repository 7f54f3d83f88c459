import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {type LifecycleResult, terminateContainer} from '../operations/lifecycle.js'

export default class Terminate extends BaseCommand {
  static summary = 'Kill a container immediately.'
  static needsRoot = true
  static description = 'Kills every process of the container at once with SIGKILL (no clean shutdown) and returns once its init is gone. With the systemd supervisor the unit is stopped first, so Restart=on-failure does not bring it back. For a container that hangs in stop.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'Stop cleanly, or kill after 30 seconds (what stop --timeout does)', command: '<%= config.bin %> stop web --timeout 30 || <%= config.bin %> <%= command.id %> web'},
  ]
  static args = nameArg

  async run(): Promise<LifecycleResult> {
    const {args} = await this.parse(Terminate)
    return terminateContainer(await this.context(), args.name)
  }
}
