// README's generated sections (command reference, options, environment, files), from the same
// sources as the man page. They sit between <!-- NAME --> and <!-- NAMEstop --> markers.
import {type CommandDoc, commonFlags, type FlagDoc, flagUsage, nixFlags, ownFlags, synopsis} from './commands.js'
import * as reference from './reference.js'

/**
 * Markdown text: "<nixpkgs/nixos>" must not read as an HTML tag, and a unit name such as
 * container@NAME.service, which Markdown would take for an e-mail address, is set as code.
 */
const prose = (value: string): string => value.split(/(`[^`]*`)/).map((part, i) => (i % 2 ? part : part
  .replace(/</g, '&lt;')
  .replace(/\b[\w-]+@[\w.%-]*\.(?:service|target|socket)\b/g, '`$&`'))).join('')
const cell = (value: string): string => prose(value).replace(/\|/g, '\\|').replace(/\n/g, ' ')
const sentence = (value: string): string => (/[.!?]$/.test(value) ? value : `${value}.`)

function flagTable(flags: FlagDoc[]): string[] {
  return ['| option | meaning |', '| --- | --- |', ...flags.map((f) => {
    const extra = [f.default ? `Default: ${f.default}.` : '', f.multiple ? 'Repeatable.' : ''].filter(Boolean).join(' ')
    return `| \`${flagUsage(f).replace(/\|/g, '\\|')}\` | ${cell(sentence(f.description))}${extra ? ` ${extra}` : ''} |`
  })]
}

function commandSection(command: CommandDoc): string[] {
  const own = ownFlags(command)
  const lines = [`### \`nixos-container ${synopsis(command)}\``, '', prose(command.summary), '', prose(command.description), '']
  if (own.length > 0) lines.push(...flagTable(own), '')
  if (command.flags.some((f) => f.group === 'NIX')) lines.push('Also takes the [Nix options](#nix-options).', '')
  if (command.examples.length > 0) {
    lines.push('```sh')
    command.examples.forEach(({description, command: line}, i) => {
      if (description) lines.push(`${i > 0 ? '\n' : ''}# ${description}`)
      lines.push(line)
    })
    lines.push('```', '')
  }
  return lines
}

export function renderSections(commands: CommandDoc[]): Record<string, string> {
  return {
    commands: [
      ...commands.flatMap(commandSection),
      '### Options of every command', '', ...flagTable(commonFlags(commands)), '',
      '### Nix options', '', 'create and update pass these through to Nix:', '', ...flagTable(nixFlags(commands)),
    ].join('\n'),
    environment: ['| variable | meaning |', '| --- | --- |', ...reference.environment.map((e) => `| \`${e.name}\` | ${cell(e.text)} |`)].join('\n'),
    files: ['| path | what |', '| --- | --- |', ...reference.files.map((f) => `| \`${f.name.replace(/\|/g, '\\|')}\` | ${cell(f.text)} |`)].join('\n'),
  }
}

/** Replaces the text between each <!-- NAME --> and <!-- NAMEstop --> pair with its section. */
export function fillSections(markdown: string, sections: Record<string, string>): string {
  let result = markdown
  for (const [name, body] of Object.entries(sections)) {
    const start = `<!-- ${name} -->`
    const stop = `<!-- ${name}stop -->`
    const from = result.indexOf(start)
    const to = result.indexOf(stop)
    if (from === -1 || to < from) throw new Error(`README has no ${start} … ${stop} section`)
    result = `${result.slice(0, from + start.length)}\n${body}\n${result.slice(to)}`
  }
  return result
}
