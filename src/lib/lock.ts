// The create lock: flock(2) on the same file as upstream's Perl tool, so both exclude each other.
// Node has no flock binding, so util-linux's flock(1) takes the lock on a descriptor it inherits
// from us; flock locks belong to the open file description, so the lock stays held by our copy of
// the descriptor after flock(1) exits, until we close it.
import {spawn, spawnSync} from 'node:child_process'
import {closeSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'

/** How long a wait goes unannounced: most waits for another create's reservation are shorter. */
const quietWaitMs = 1000

export async function withExclusiveLock<T>(lockFile: string, body: () => Promise<T> | T): Promise<T> {
  mkdirSync(path.dirname(lockFile), {recursive: true})
  const fd = openSync(lockFile, 'a')
  try {
    const attempt = spawnSync('flock', ['--nonblock', '--conflict-exit-code', '75', '--exclusive', '3'], {stdio: ['ignore', 'ignore', 'pipe', fd]})
    if (attempt.status === 75) await waitForLock(lockFile, fd)
    else if (attempt.error || attempt.status !== 0) throw lockError(lockFile, attempt.error?.message ?? attempt.stderr.toString().trim())
    return await body()
  } finally {
    closeSync(fd)
  }
}

/** Blocks in flock(1) without blocking our event loop, and says who we wait for after a second. */
async function waitForLock(lockFile: string, fd: number): Promise<void> {
  const timer = setTimeout(() => {
    const holder = lockHolders(lockFile)[0]
    process.stderr.write(`waiting for another nixos-container${holder ? ` (pid ${holder})` : ''} to finish\n`)
  }, quietWaitMs)
  try {
    const child = spawn('flock', ['--exclusive', '3'], {stdio: ['ignore', 'ignore', 'pipe', fd]})
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', resolve)
    }).catch((error: Error) => {
      throw lockError(lockFile, error.message)
    })
    if (status !== 0) throw lockError(lockFile, stderr.trim() || `flock exited with ${status}`)
  } finally {
    clearTimeout(timer)
  }
}

function lockError(lockFile: string, why: string): UserError {
  return new UserError(`could not lock ${lockFile}: ${why}`, {code: 'busy'})
}

/** Processes other than us holding a flock on the file: each open descriptor's fdinfo lists its locks. */
function lockHolders(lockFile: string): number[] {
  const holders: number[] = []
  let target: string
  try {
    target = realpathSync(lockFile)
  } catch {
    return holders
  }
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== target) continue
        if (/^lock:.*\bFLOCK\b/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))) holders.push(pid)
      }
    } catch {
      // Gone, or not ours to look at.
    }
  }
  return holders
}
