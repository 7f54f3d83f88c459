// Private scratch directories on the host: a new 0700 directory under the temporary directory,
// removed when the work is done, also when a signal handler's process.exit() cuts it short (a
// finally block does not run then; the exit event does), and on SIGINT, SIGTERM or SIGHUP, which
// would otherwise kill the process with no exit event: the directory is then one of the signal
// owner's cleanups (signals.ts), unless the caller ends on those signals itself (logs -f).
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {onInterrupt} from './signals.js'

/** Runs FN with a new scratch directory named nixos-container-PURPOSE-…, removed afterwards. */
export async function withScratchDirectory<T>(purpose: string, fn: (dir: string) => Promise<T>, {removeOnSignal = true} = {}): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), `nixos-container-${purpose}-`))
  const remove = (): void => rmSync(dir, {recursive: true, force: true})
  process.once('exit', remove)
  const release = removeOnSignal ? onInterrupt(remove) : () => {}
  try {
    return await fn(dir)
  } finally {
    release()
    process.off('exit', remove)
    remove()
  }
}
