import * as Flags from '@oclif/core/flags'
import {createInterface} from 'node:readline/promises'

import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {UserError} from '../lib/errors.js'
import {resetContainer, type ResetResult} from '../operations/reset.js'

export default class Reset extends BaseCommand {
  static needsRoot = true
  static summary = 'Throw away a container\'s state, so that its next start is a first boot.'
  static description = 'Removes the container\'s root directory (/var/lib/nixos-containers/NAME: everything written in it, the data of its services included) and keeps what defines it: NAME.conf, its profile and system, and its /etc/nixos/configuration.nix. Data bind-mounted into the root is not touched. The container must be stopped. On a terminal it asks first; scripts give --yes.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'In a script', command: '<%= config.bin %> stop web && <%= config.bin %> <%= command.id %> web --yes && <%= config.bin %> start web'},
  ]
  static args = nameArg
  static flags = {
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
  }

  async run(): Promise<ResetResult> {
    const {args, flags} = await this.parse(Reset)
    if (!flags.yes) await this.confirm(args.name)
    return resetContainer(await this.context(), args.name)
  }

  /** Asks on the terminal; without one (a script), --yes is required. */
  private async confirm(name: string): Promise<void> {
    if (!process.stdin.isTTY || !process.stderr.isTTY) throw new UserError(`reset removes all state of container ‘${name}’: give --yes to confirm`)
    const prompt = createInterface({input: process.stdin, output: process.stderr})
    try {
      const answer = await prompt.question(`Remove all state of container ‘${name}’ (its root directory)? [y/N] `)
      if (!/^y(es)?$/i.test(answer.trim())) throw new UserError('reset cancelled: nothing was removed')
    } finally {
      prompt.close()
    }
  }
}
