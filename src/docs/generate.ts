// What `npm run docs` writes, as text: the man page and README, from oclif.manifest.json, and the
// containers chapter for the NixOS manual and wiki, from those and docs/containers.md, docs/declarative.md.
// The docs test calls this too and compares with the committed files, so they cannot drift.
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {loadChapter} from './chapter.js'
import {loadCommands} from './commands.js'
import {renderManPage} from './man.js'
import {renderManualChapter} from './manual.js'
import {fillSections, renderSections} from './markdown.js'
import {renderWikiPage} from './mediawiki.js'

export interface GeneratedDocs {
  /** path relative to the project → content */
  files: Record<string, string>
}

/**
 * The man page's date: SOURCE_DATE_EPOCH when set (reproducible builds), else the date of the
 * current version in CHANGELOG.md, so regenerating never changes it by itself.
 */
export function docsDate(projectDir: string, version: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SOURCE_DATE_EPOCH) return new Date(Number(env.SOURCE_DATE_EPOCH) * 1000).toISOString().slice(0, 10)
  const changelog = readFileSync(path.join(projectDir, 'CHANGELOG.md'), 'utf8')
  const heading = new RegExp(`^## ${version.replace(/\./g, '\\.')} — (\\d{4}-\\d{2}-\\d{2})`, 'm').exec(changelog)
  if (!heading) throw new Error(`CHANGELOG.md has no "## ${version} — YYYY-MM-DD" heading`)
  return heading[1]
}

export function generateDocs(projectDir: string, env: NodeJS.ProcessEnv = process.env): GeneratedDocs {
  const {version} = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as {version: string}
  const commands = loadCommands(path.join(projectDir, 'oclif.manifest.json'))
  const readme = readFileSync(path.join(projectDir, 'README.md'), 'utf8')
  const chapter = loadChapter(projectDir, commands)
  return {
    files: {
      'man/nixos-container.8': renderManPage(commands, {version, date: docsDate(projectDir, version, env)}),
      'README.md': fillSections(readme, renderSections(commands)),
      'docs/manual/containers.chapter.md': renderManualChapter(chapter),
      'docs/wiki/NixOS_Containers.mediawiki': renderWikiPage(chapter),
    },
  }
}
