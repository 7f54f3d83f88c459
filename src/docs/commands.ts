// The commands as the docs see them: read from oclif.manifest.json, which `npm run build`
// generates from the command classes, so --help, the man page and README say the same things.
import {readFileSync} from 'node:fs'

import {commandOrder} from './reference.js'

export const bin = 'nixos-container'

export interface FlagDoc {
  name: string
  char?: string
  /** Placeholder of the value ("ADDRESS"), or undefined for a boolean flag. */
  value?: string
  description: string
  default?: string
  multiple: boolean
  /** "NIX" for the Nix pass-through flags, "GLOBAL" for --json, "PROVIDER" for provider choices, "REMOTE" for --host. */
  group?: string
  /** Taken by every command (--json, --supervisor): documented once, not per command. */
  common: boolean
}

export interface CommandDoc {
  id: string
  summary: string
  description: string
  args: {name: string; required: boolean}[]
  /** Takes a command after "--" (run). */
  takesCommand: boolean
  flags: FlagDoc[]
  examples: {description?: string; command: string}[]
}

interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  description?: string
  summary?: string
  helpValue?: string | string[]
  helpGroup?: string
  hidden?: boolean
  multiple?: boolean
  default?: unknown
}

interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  args: Record<string, {name: string; required?: boolean}>
  flags: Record<string, ManifestFlag>
  examples?: (string | {description: string; command: string})[]
  /** BaseCommand.needsRoot: refused for other users. */
  needsRoot?: boolean
}

const expand = (text: string, id: string): string =>
  text.replace(/<%=\s*config\.bin\s*%>/g, bin).replace(/<%=\s*command\.id\s*%>/g, id)

/** "<name> <value>" → "NAME VALUE"; oclif's default "<value>" → "VALUE". */
function placeholder(flag: ManifestFlag): string | undefined {
  if (flag.type === 'boolean') return undefined
  const help = Array.isArray(flag.helpValue) ? flag.helpValue.join('|') : flag.helpValue ?? '<value>'
  return help.replace(/<([^>]+)>/g, (_, inner: string) => inner.toUpperCase())
}

export function loadCommands(manifestFile: string): CommandDoc[] {
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {commands: Record<string, ManifestCommand>}
  const commands = Object.values(manifest.commands).filter((c) => !c.hidden)
  const rank = (id: string): number => (commandOrder.includes(id) ? commandOrder.indexOf(id) : commandOrder.length)
  const docs: CommandDoc[] = commands.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id)).map((c) => ({
    id: c.id,
    summary: c.summary ?? '',
    // Said once here, from the flag each command declares, rather than in every description.
    description: [c.description ?? '', c.needsRoot ? 'Only root may run it.' : ''].filter(Boolean).join(' '),
    args: Object.values(c.args).filter((a) => a.name !== 'command').map((a) => ({name: a.name.toUpperCase(), required: Boolean(a.required)})),
    takesCommand: 'command' in c.args,
    flags: Object.values(c.flags).filter((f) => !f.hidden).map((f) => ({
      name: f.name,
      char: f.char,
      value: placeholder(f),
      description: f.description ?? f.summary ?? '',
      default: f.default === undefined || f.type === 'boolean' ? undefined : String(f.default),
      multiple: Boolean(f.multiple),
      group: f.helpGroup,
      common: false,
    })),
    examples: (c.examples ?? []).map((e) => (typeof e === 'string' ? {command: expand(e, c.id)} : {description: e.description, command: expand(e.command, c.id)})),
  }))
  for (const flag of docs.flatMap((c) => c.flags)) {
    flag.common = ['GLOBAL', 'PROVIDER', 'REMOTE'].includes(flag.group ?? '') && docs.every((c) => c.flags.some((g) => g.name === flag.name))
  }
  return docs
}

/** "create NAME [options]" */
export function synopsis(command: CommandDoc): string {
  const args = command.args.map((a) => (a.required ? a.name : `[${a.name}]`))
  const hasOwnFlags = command.flags.some((f) => !f.common)
  return [command.id, ...args, hasOwnFlags ? '[options]' : '', command.takesCommand ? '-- COMMAND [ARGS…]' : ''].filter(Boolean).join(' ')
}

/** The flags every command takes, documented once. */
export function commonFlags(commands: CommandDoc[]): FlagDoc[] {
  return commands[0]?.flags.filter((f) => f.common) ?? []
}

/** A command's own options: what it alone (or with a few others) takes, Nix options aside. */
export function ownFlags(command: CommandDoc): FlagDoc[] {
  return command.flags.filter((f) => !f.common && f.group !== 'NIX')
}

export function nixFlags(commands: CommandDoc[]): FlagDoc[] {
  const seen = new Map<string, FlagDoc>()
  for (const flag of commands.flatMap((c) => c.flags)) if (flag.group === 'NIX' && !seen.has(flag.name)) seen.set(flag.name, flag)
  return [...seen.values()]
}

/** "--host-address ADDRESS" */
export function flagUsage(flag: FlagDoc): string {
  return [flag.char ? `-${flag.char}, ` : '', `--${flag.name}`, flag.value ? ` ${flag.value}` : ''].join('')
}
