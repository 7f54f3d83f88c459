import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {rollbackContainer, type RollbackResult} from '../operations/generations.js'

export default class Rollback extends BaseCommand {
  static needsRoot = true
  static summary = 'Go back to an earlier system of a container.'
  static description = 'Switches the container\'s system profile to the previous generation (or the one --to names), as `nix-env --rollback` does, and if the container is running activates that system inside it exactly as update activates a new one. The newer generations stay, so you can go forward again with --to. Refuses when there is nothing older to go back to.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'To a given generation (see `generations`)', command: '<%= config.bin %> <%= command.id %> web --to 3'},
  ]
  static args = nameArg
  static flags = {
    to: Flags.integer({helpValue: '<number>', min: 1, description: 'the generation to switch to (default: the one before the current)'}),
  }

  async run(): Promise<RollbackResult> {
    const {args, flags} = await this.parse(Rollback)
    return rollbackContainer(await this.context(), {name: args.name, to: flags.to})
  }
}
