// A small reader for the Markdown our docs are written in: headings, paragraphs, fenced code,
// "- " lists (items may hold indented paragraphs and code), pipe tables and HTML comments.
// Enough to turn the docs into the NixOS manual's Markdown and into MediaWiki markup; not a
// general CommonMark parser.

export type Block =
  | {type: 'heading'; level: number; text: string}
  | {type: 'paragraph'; text: string}
  | {type: 'code'; lang: string; text: string}
  | {type: 'list'; items: Block[][]}
  | {type: 'table'; rows: string[][]}
  | {type: 'comment'; text: string}

const fenceOpen = /^```(\S*)\s*$/
const isFenceClose = (line: string): boolean => /^```\s*$/.test(line)
const startsBlock = (line: string): boolean => /^(#{1,6} |```|- |\||<!--)/.test(line)

/** The cells of a table row "| a | b \| c |". */
function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'))
}

export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.replace(/\n+$/, '').split('\n')
  const blocks: Block[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    if (line.trim() === '') {
      i++
      continue
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line)
    const fence = fenceOpen.exec(line)
    if (heading) {
      blocks.push({type: 'heading', level: heading[1].length, text: heading[2].trim()})
      i++
    } else if (fence) {
      const body: string[] = []
      for (i++; i < lines.length && !isFenceClose(lines[i]); i++) body.push(lines[i])
      i++
      blocks.push({type: 'code', lang: fence[1], text: body.join('\n')})
    } else if (line.startsWith('<!--')) {
      const body: string[] = []
      for (; i < lines.length; i++) {
        body.push(lines[i])
        if (lines[i].includes('-->')) break
      }
      i++
      blocks.push({type: 'comment', text: body.join('\n')})
    } else if (line.startsWith('|')) {
      const rows: string[][] = []
      for (; i < lines.length && lines[i].startsWith('|'); i++) {
        if (!/^\|[\s|:-]+\|?\s*$/.test(lines[i])) rows.push(cells(lines[i]))
      }
      blocks.push({type: 'table', rows})
    } else if (line.startsWith('- ')) {
      const items: Block[][] = []
      while (i < lines.length && lines[i].startsWith('- ')) {
        const body = [lines[i].slice(2)]
        for (i++; i < lines.length; i++) {
          const next = lines[i]
          if (next.startsWith('  ') || (next.trim() === '' && i + 1 < lines.length && lines[i + 1].startsWith('  '))) body.push(next.slice(2))
          else break
        }
        items.push(parseBlocks(body.join('\n')))
        while (i < lines.length && lines[i].trim() === '' && lines[i + 1]?.startsWith('- ')) i++
      }
      blocks.push({type: 'list', items})
    } else {
      const body: string[] = []
      for (; i < lines.length && lines[i].trim() !== '' && (body.length === 0 || !startsBlock(lines[i])); i++) body.push(lines[i])
      blocks.push({type: 'paragraph', text: body.join('\n')})
    }
  }
  return blocks
}

/** The GitHub-style anchor of a heading: what `[…](#anchor)` links in our docs point at. */
export function githubSlug(heading: string): string {
  return heading.toLowerCase().replace(/[`*_]/g, '').replace(/[^\p{L}\p{N}\s-]/gu, '').trim().replace(/\s/g, '-')
}

/** The top-level (level 2) sections of a document, by title, each with its blocks (heading included). */
export function sections(blocks: Block[]): Map<string, Block[]> {
  const result = new Map<string, Block[]>()
  let current: Block[] | undefined
  for (const block of blocks) {
    if (block.type === 'heading' && block.level === 1) current = undefined
    else if (block.type === 'heading' && block.level === 2) {
      current = [block]
      result.set(block.text, current)
    } else current?.push(block)
  }
  return result
}
