// The containers chapter proposed upstream, in two shapes: the NixOS manual's Markdown
// (docs/manual/containers.chapter.md) and a NixOS wiki page (docs/wiki/NixOS_Containers.mediawiki).
// Both are put together from the same sources: docs/declarative.md and docs/containers.md (the
// prose) and the command classes (the reference, as README's), so they say what the rest says.
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {type Block, githubSlug, parseBlocks, sections} from './blocks.js'
import {bin, type CommandDoc} from './commands.js'
import {renderSections} from './markdown.js'

export interface Chapter {
  title: string
  blocks: Block[]
}

/** Sections of docs/containers.md that stand on their own in the chapter, as the wiki and manual have them. */
const ownSections = ['Networking', 'Troubleshooting']

const demote = (blocks: Block[], by: number): Block[] =>
  blocks.map((b) => (b.type === 'heading' ? {...b, level: b.level + by} : b))

export function loadChapter(projectDir: string, commands: CommandDoc[]): Chapter {
  const read = (file: string): Block[] => parseBlocks(readFileSync(path.join(projectDir, file), 'utf8'))
  const imperative = read('docs/containers.md')
  const declarative = read('docs/declarative.md')
  const intro = imperative.slice(1, imperative.findIndex((b) => b.type === 'heading' && b.level === 2))
  const parts = sections(imperative)
  const section = (title: string): Block[] => {
    const found = parts.get(title)
    if (!found) throw new Error(`docs/containers.md has no section "${title}"`)
    return found
  }
  const reference = parseBlocks(renderSections(commands).commands)
  return {
    title: 'NixOS Containers',
    blocks: [
      ...intro.filter((b) => b.type !== 'comment'),
      {type: 'heading', level: 2, text: 'Declarative containers'},
      ...declarative.slice(1),
      {type: 'heading', level: 2, text: 'Imperative containers'},
      {type: 'paragraph', text: `Containers made and managed at run time with \`${bin}\`.`},
      ...[...parts.keys()].filter((t) => !ownSections.includes(t)).flatMap((t) => demote(section(t), 1)),
      ...ownSections.flatMap(section),
      {type: 'heading', level: 2, text: 'Command reference'},
      {type: 'paragraph', text: `Every \`${bin}\` command; \`${bin} COMMAND --help\` and \`man ${bin}\` say the same.`},
      ...reference,
    ],
  }
}

/** The commands the chapter documents in its reference: a drift check compares them with the CLI's. */
export function referencedCommands(chapter: Chapter): string[] {
  return chapter.blocks.flatMap((b) => (b.type === 'heading' ? [...b.text.matchAll(new RegExp(`^\`${bin} ([a-z:-]+)`, 'g'))].map((m) => m[1]) : []))
}

/** Heading text → the GitHub-style anchor our docs link with, and the anchor each output uses. */
export function anchors(chapter: Chapter, makeId: (heading: string, level: number) => string): Map<string, string> {
  const result = new Map<string, string>()
  for (const block of chapter.blocks) if (block.type === 'heading') result.set(githubSlug(block.text), makeId(block.text, block.level))
  return result
}
