// Removing a container's files without ever deleting through a mount point: file systems mounted
// below the path are unmounted first, and removal never crosses into another file system, so data
// bind-mounted under a container root survives `destroy`.
import {existsSync, lstatSync, readdirSync, readFileSync, rmSync} from 'node:fs'
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

/**
 * What systemd-nspawn leaves beside a container's root when it is killed rather than stopped: its
 * lock on the root (.#NAME.lck), and for --ephemeral the copy of the root it ran on
 * (.#machine.NAME + 16 hex digits) with that copy's lock. Only for a container that is not running.
 */
export async function removeNspawnLeftovers(root: string): Promise<void> {
  const dir = path.dirname(root)
  const name = path.basename(root)
  rmSync(path.join(dir, `.#${name}.lck`), {force: true})
  const snapshot = new RegExp(`^\\.#machine\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[0-9a-f]{16}$`)
  let entries: string[] = []
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  for (const entry of entries.filter((e) => snapshot.test(e))) {
    await safeRemoveTree(path.join(dir, entry))
    rmSync(path.join(dir, `.#${entry}.lck`), {force: true})
  }
}
