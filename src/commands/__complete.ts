import {Command} from '@oclif/core/command'

import {complete, printed} from '../completion/complete.js'
import {commandModels, liveSources} from '../completion/sources.js'

// What the completion scripts ask on <TAB> (completion/scripts.ts): the words after `--`, the last
// being completed. Hidden, and a plain oclif command: no option of its own, nothing to refuse.
export default class CompleteWords extends Command {
  static hidden = true
  static strict = false
  static summary = 'Print what to offer on <TAB> for the words after --.'

  async run(): Promise<void> {
    const dashes = this.argv.indexOf('--')
    const words = dashes === -1 ? this.argv : this.argv.slice(dashes + 1)
    try {
      process.stdout.write(printed(complete(commandModels(this.config), words.length === 0 ? [''] : words, liveSources(this.config))))
    } catch {
      // Completion offers nothing rather than an error in the middle of a command line.
      process.stdout.write(':none\n')
    }
  }
}
