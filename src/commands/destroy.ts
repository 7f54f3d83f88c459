import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {destroyContainer, type DestroyResult} from '../operations/destroy.js'

export default class Destroy extends BaseCommand {
  static summary = 'Destroy a container: stop it and remove its files.'
  static needsRoot = true
  static description = 'Terminates the container if it is running, then removes its system profile, GC roots, root directory and NAME.conf. File systems mounted below the root are unmounted first and never deleted through, so data bind-mounted into a container survives. Destroying a container that does not exist succeeds silently; every process of the container goes, even one whose systemd-nspawn was killed. Declarative containers (defined in the host\'s configuration.nix) are refused.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'Every container on this host', command: '<%= config.bin %> list | xargs -n1 <%= config.bin %> <%= command.id %>'},
  ]
  static args = nameArg

  async run(): Promise<DestroyResult> {
    const {args} = await this.parse(Destroy)
    return destroyContainer(await this.context(), args.name)
  }
}
