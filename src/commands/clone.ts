import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {cloneContainer, type CloneResult} from '../operations/clone.js'

export default class Clone extends BaseCommand {
  static needsRoot = true
  static summary = 'Make a new container from an existing one.'
  static description = 'DEST gets SOURCE\'s NAME.conf (bind mounts, limits, options), its current system and a copy of its root directory, with addresses of its own (allocated as create does; printed as create prints them) and no forwarded ports, which would clash. The copy is another machine: its /etc/machine-id is emptied (a new one is made at its first boot) and its SSH host keys removed (new ones are made). DEST is left stopped. A running SOURCE is refused unless --force, as the copy of a running root may be inconsistent. Declarative containers cannot be cloned.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web web-test',
    {description: 'Then try an update on the copy first', command: '<%= config.bin %> <%= command.id %> web web-test && <%= config.bin %> update web-test --config-file ./web.nix && <%= config.bin %> start web-test'},
  ]
  static args = {
    name: Args.string({description: 'the container to copy', required: true}),
    dest: Args.string({description: 'the name of the new container', required: true}),
  }
  static flags = {
    force: Flags.boolean({description: 'copy a running container as it is (the copy may be inconsistent)'}),
  }

  async run(): Promise<CloneResult> {
    const {args, flags} = await this.parse(Clone)
    return cloneContainer(await this.context(), {source: args.name, name: args.dest, force: flags.force})
  }
}
