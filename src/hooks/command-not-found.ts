// oclif takes the first word of the command line for the command. What it cannot find comes here:
// - options typed before the command (`nixos-container --host web1 list`, as upstream's Getopt,
//   `machinectl -H` and `podman --remote` take them): the command is found after them and run
//   with them, exactly as if they had followed it;
// - a command followed by a word oclif took for part of a topic (`list web` arrives as
//   `list:web`): run as `list web`, so the command's own parser says what is wrong with `web`;
// - anything else: one line "nixos-container: unknown command ‘X’", with the nearest commands
//   as suggestions (oclif's not-found plugin's idea, without its question: scripts read this),
//   a JSON error document with --json, and exit status 1.
import type {Command, Hook, Interfaces} from '@oclif/core'

import {type ErrorReport, printError} from '../lib/errors.js'

/** The command found in TOKENS, with the options before it moved after it; undefined when there is none. */
export function commandAfterOptions(config: Interfaces.Config, tokens: string[]): {id: string; argv: string[]} | undefined {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === '--') return undefined
    if (tokens[i].startsWith('-')) continue
    const found = longestCommandAt(config, tokens, i)
    // A word that is no command may be the value of an option before it.
    if (!found) continue
    const before = tokens.slice(0, i)
    if (!takesExactly(found.command, before)) continue
    return {id: found.command.id, argv: [...before, ...tokens.slice(i + found.words)]}
  }
  return undefined
}

/** The command whose id is the most words of TOKENS from index I on (`plugins install`). */
function longestCommandAt(config: Interfaces.Config, tokens: string[], i: number): {command: Command.Loadable; words: number} | undefined {
  let best: {command: Command.Loadable; words: number} | undefined
  for (let words = 1; i + words <= tokens.length; words++) {
    const slice = tokens.slice(i, i + words)
    if (slice.some((token) => token.startsWith('-'))) break
    const command = config.findCommand(slice.join(':'))
    if (command) best = {command, words}
  }
  return best
}

/**
 * Whether OPTIONS, which stood before COMMAND, are whole options of it: each option that takes a
 * value has it among them. An option the command does not know counts as one word; its parser
 * says it is unknown.
 */
function takesExactly(command: Command.Loadable, options: string[]): boolean {
  const flags = Object.entries(command.flags ?? {})
  const takesValue = (token: string): boolean => {
    if (token.includes('=')) return false
    const flag = token.startsWith('--')
      ? flags.find(([name]) => name === token.slice(2))?.[1]
      : flags.find(([, definition]) => definition.char === token.slice(1))?.[1]
    return flag?.type === 'option'
  }
  for (let i = 0; i < options.length; i++) {
    if (!options[i].startsWith('-')) return false
    if (takesValue(options[i])) {
      if (i + 1 >= options.length) return false
      i++
    }
  }
  return true
}

/** Edit distance of A and B, a swap of two neighbours counting as one edit (optimal string alignment), for suggestions. */
function distance(a: string, b: string): number {
  let before: number[] = []
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1)
    }
    before = previous
    previous = row
  }
  return previous[b.length]
}

/** The commands a user who typed WORD may have meant: those it begins, and those a slip or two away. */
export function suggestions(commands: string[], word: string): string[] {
  const near = commands.filter((command) => command !== word && (command.startsWith(word) || distance(word, command) <= Math.min(2, Math.floor(command.length / 3))))
  return near.sort((a, b) => distance(word, a) - distance(word, b)).slice(0, 3)
}

/** The word that stood for the command: the first that is neither an option nor, as far as any command's options tell, an option's value. */
function typedCommand(config: Interfaces.Config, tokens: string[]): string {
  const takingValues = new Set(config.commands.flatMap((command) => Object.entries(command.flags ?? {})
    .filter(([, flag]) => flag.type === 'option').flatMap(([name, flag]) => [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])])))
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === '--' || !tokens[i].startsWith('-')) return tokens[i]
    if (takingValues.has(tokens[i])) i++
  }
  return tokens[0]
}

const hook: Hook.CommandNotFound = async function ({argv, id}) {
  const tokens = [...id.split(':'), ...(argv ?? [])]
  const found = commandAfterOptions(this.config, tokens)
  if (found) return this.config.runCommand(found.id, found.argv)
  const word = typedCommand(this.config, tokens)
  const visible = this.config.commands.filter((command) => !command.hidden).map((command) => command.id.replaceAll(':', ' '))
  const near = suggestions(visible, word)
  const hint = near.length > 0 ? `did you mean ${near.map((command) => `‘${command}’`).join(' or ')}? ` : ''
  const report: ErrorReport = {message: `unknown command ‘${word}’ (${hint}${this.config.bin} --help lists the commands)`, code: 'invalid-argument', exitCode: 1}
  process.exitCode = report.exitCode
  printError(report, tokens.includes('--json'))
}

export default hook
