import {BaseCommand} from '../base-command.js'
import {nameArg, timeoutFlag} from '../flags.js'
import {type LifecycleResult, startContainer} from '../operations/lifecycle.js'

export default class Start extends BaseCommand {
  static summary = 'Start a container and wait until it has booted.'
  static needsRoot = true
  static description = 'With the systemd supervisor this is `systemctl start container@NAME.service`; with the nspawn supervisor the CLI runs systemd-nspawn itself. Either way the container gets its network (veth ve-NAME with HOST_ADDRESS on the host, eth0 with LOCAL_ADDRESS inside) and the command returns once it has booted: when the container\'s systemd reports ready. A flake container without a system yet is built first. Starting a running container does nothing; one left half-running (its systemd-nspawn killed, or a start interrupted before it booted) is terminated and started afresh, so one root never runs twice. Commands on the same container wait for each other: a start that waited for another finds the container up and succeeds.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'Give a slow container five minutes to boot', command: '<%= config.bin %> <%= command.id %> web --timeout 300'},
    {description: 'Without systemd\'s unit, even where systemd runs', command: '<%= config.bin %> <%= command.id %> web --supervisor nspawn'},
  ]
  static args = nameArg
  static flags = {...timeoutFlag}

  async run(): Promise<LifecycleResult> {
    const {args, flags} = await this.parse(Start)
    return startContainer(await this.context(), {name: args.name, timeoutMs: flags.timeout * 1000})
  }
}
