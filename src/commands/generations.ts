import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import type {Generation} from '../lib/generations.js'
import {resolveHostPaths} from '../lib/paths.js'
import {containerGenerations} from '../operations/generations.js'

const pad = (n: number): string => String(n).padStart(2, '0')
/** Local time, as nix-env --list-generations prints it. */
const localTime = (date: Date): string =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`

export default class Generations extends BaseCommand {
  static needsRoot = true
  static summary = 'List a container\'s system generations.'
  static description = 'Prints the generations of the container\'s system profile (/nix/var/nix/profiles/per-container/NAME/system), oldest first, as `nix-env --list-generations` knows them: number, date, the system\'s store path, and (current) on the one the container runs (or will run at its next start). Every create, update and rollback makes or selects one; `rollback` goes back to one.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'The current generation\'s number, for a script', command: `<%= config.bin %> <%= command.id %> web --json | jq '.[] | select(.current) | .number'`},
  ]
  static args = nameArg

  async run(): Promise<Array<Omit<Generation, 'date'> & {date: string}>> {
    const {args} = await this.parse(Generations)
    const generations = containerGenerations(resolveHostPaths(), args.name)
    if (!this.jsonEnabled()) {
      for (const g of generations) this.log(`${String(g.number).padStart(4)}   ${localTime(g.date)}   ${g.systemPath}${g.current ? '   (current)' : ''}`)
    }
    return generations.map((g) => ({...g, date: g.date.toISOString()}))
  }
}
