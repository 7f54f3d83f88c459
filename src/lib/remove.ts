// Removing a container's files without ever deleting through a mount point: file systems mounted
// below the path are unmounted first, and removal never crosses into another file system, so data
// bind-mounted under a container root survives `destroy`.
import {existsSync, lstatSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'
import {withGuestDirectory} from './guest-fs.js'

/** Mount points at or below `dir`, deepest first (mountinfo escapes spaces as \040). */
export function mountsBelow(dir: string): string[] {
  const prefix = path.resolve(dir)
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((m) => m === prefix || m.startsWith(prefix + '/'))
  return [...new Set(mounts)].sort((a, b) => b.length - a.length)
}

export async function safeRemoveTree(dir: string): Promise<void> {
  const {execa} = await import('execa')
  if (!existsSync(dir) && !isSymlink(dir)) return
  for (const mount of mountsBelow(dir)) {
    if (mount === path.resolve(dir)) continue
    await execa('umount', ['--recursive', '--lazy', mount], {reject: false})
  }
  // NixOS marks /var/empty immutable; rm cannot remove it until the flag is cleared. Found confined
  // to the root, so chattr never clears the flag of a host directory a guest's link points at.
  await withGuestDirectory(dir, 'var/empty', (varEmpty) => execa('chattr', ['-i', `${varEmpty}/.`], {reject: false}))
      .catch(() => {})
  // When `dir` is itself a mount point, rm empties it but cannot remove it: unmount, then retry.
  await execa('rm', ['--one-file-system', '-rf', '--', dir], {reject: false})
  if (existsSync(dir)) {
    await execa('umount', ['--recursive', '--lazy', dir], {reject: false})
    const retry = await execa('rm', ['--one-file-system', '-rf', '--', dir], {reject: false})
    if (retry.failed) throw new UserError(`cannot remove ${dir}: ${String(retry.stderr).split('\n')[0]}`)
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}
