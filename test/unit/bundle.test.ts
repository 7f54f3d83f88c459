// The CLI runs from one bundled file (scripts/bundle.js): what it holds must be what the sources say.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {COMMANDS} from 'nixos-container'

const root = fileURLToPath(new URL('../..', import.meta.url))

function sourcesBelow(dir: string): string[] {
  return readdirSync(path.join(root, dir), {withFileTypes: true}).flatMap((entry) => entry.isDirectory()
    ? sourcesBelow(path.join(dir, entry.name))
    : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [])
}

describe('the bundled CLI', () => {
  it('offers every command class in src/commands, by its file name (oclif finds commands only there)', () => {
    const files = readdirSync(path.join(root, 'src/commands')).filter((file) => file.endsWith('.ts')).map((file) => file.slice(0, -3))
    assert.deepEqual(Object.keys(COMMANDS).sort(), files.sort())
  })

  it('finds the install\'s files from packageRoot, never relative to a module (bundled, every module sits in dist/)', () => {
    const relative = sourcesBelow('src').filter((file) => !['src/lib/entry.ts', 'src/plugin-host/core-api.ts'].includes(file)
      && readFileSync(path.join(root, file), 'utf8').includes('import.meta.url'))
    assert.deepEqual(relative, [], 'use packageRoot (lib/entry.ts)')
  })

  it('loads oclif by its parts, never by its index, which brings semver and a Node check run on every start', () => {
    const whole = sourcesBelow('src').filter((file) => /^import (?!type )[^;]*from '@oclif\/core'/m.test(readFileSync(path.join(root, file), 'utf8')))
    assert.deepEqual(whole, [], 'import from @oclif/core/command, /flags, /args … instead')
  })
})
