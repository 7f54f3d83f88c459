import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {type LifecycleResult, restartContainer} from '../operations/lifecycle.js'

export default class Restart extends BaseCommand {
  static summary = 'Stop a container (if running) and start it again.'
  static needsRoot = true
  static description = 'A clean stop followed by a start; returns once the container has booted again. The old instance is completely gone before the new one starts.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'After changing its NAME.conf (addresses, ports, bind mounts)', command: '$EDITOR /etc/nixos-containers/web.conf && <%= config.bin %> <%= command.id %> web'},
  ]
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<LifecycleResult> {
    const {args, flags} = await this.parse(Restart)
    return restartContainer(await this.context(), {name: args.name, timeoutMs: flags.timeout * 1000})
  }
}
