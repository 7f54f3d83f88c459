// The create lock: flock(2) on the same file as upstream's Perl tool, so both exclude each other.
// Node has no flock binding, so util-linux's flock(1) takes the lock on a descriptor it inherits
// from us; flock locks belong to the open file description, so the lock stays held by our copy of
// the descriptor after flock(1) exits, until we close it.
import {spawnSync} from 'node:child_process'
import {closeSync, mkdirSync, openSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'

export async function withExclusiveLock<T>(lockFile: string, body: () => Promise<T> | T): Promise<T> {
  mkdirSync(path.dirname(lockFile), {recursive: true})
  const fd = openSync(lockFile, 'a')
  try {
    const result = spawnSync('flock', ['--exclusive', '3'], {stdio: ['ignore', 'ignore', 'pipe', fd]})
    if (result.error || result.status !== 0) {
      const why = result.error?.message ?? result.stderr.toString().trim()
      throw new UserError(`could not lock ${lockFile}: ${why}`)
    }
    return await body()
  } finally {
    closeSync(fd)
  }
}
