// Copying files and directories in and out of a container's root (cp). Every access inside the
// root goes through GuestRoot: links on the way are refused, links inside a copied tree are copied
// as links and never followed, files are replaced atomically. Copied out, files lose their setuid
// and setgid bits: a guest's setuid program must not become one the host's root owns. On the host
// side too, nothing below the destination is followed: a link there may be one an earlier copy
// brought out of the guest, and writing through it would let the guest choose the host file.
import {
  chmodSync, constants, copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, statSync, symlinkSync, unlinkSync,
} from 'node:fs'
import path from 'node:path'

import {failureReason, runCommand} from './command.js'
import {UserError} from './errors.js'
import {GuestRoot} from './guest-fs.js'

export interface CopySummary {
  files: number
  directories: number
  links: number
  /** Devices, FIFOs and sockets, which are not copied. */
  skipped: number
}

const emptySummary = (): CopySummary => ({files: 0, directories: 0, links: 0, skipped: 0})

const components = (guestPath: string): string[] => guestPath.split('/').filter((c) => c !== '' && c !== '.')

function openRoot(root: string, name: string): GuestRoot {
  const guest = GuestRoot.open(root)
  if (!guest) throw new UserError(`container ‘${name}’ has no root directory yet (start it once)`)
  return guest
}

const withoutSetid = (mode: number): number => mode & 0o1777

/**
 * Makes room at HOST-PATH, below a copy's destination, for a file or link copied out: whatever is
 * there is removed (a link itself, never what it points at); a directory there is refused.
 */
function clearHostEntry(hostPath: string): void {
  const there = lstatSync(hostPath, {throwIfNoEntry: false})
  if (!there) return
  if (there.isDirectory()) throw new UserError(`refusing to replace the directory ${hostPath} with a file`)
  unlinkSync(hostPath)
}

/** The directory HOST-PATH, below a copy's destination, made when missing; a link there is replaced, never followed. */
function hostDirectory(hostPath: string): void {
  const there = lstatSync(hostPath, {throwIfNoEntry: false})
  if (there?.isDirectory()) return
  if (there && !there.isSymbolicLink()) throw new UserError(`refusing to replace ${hostPath} with a directory: not a directory`)
  if (there) unlinkSync(hostPath)
  mkdirSync(hostPath)
}

/** Copies GUEST-PATH out of the container to DEST on the host (into DEST when it is a directory). */
export function copyFromContainer(root: string, name: string, guestPath: string, dest: string): CopySummary {
  const guest = openRoot(root, name)
  try {
    const found = guest.entry(guestPath)
    if (!found) throw new UserError(`${guestPath}: no such file or directory in container ‘${name}’`)
    const target = statSync(dest, {throwIfNoEntry: false})?.isDirectory() ? path.join(dest, path.basename(guestPath)) : dest
    const summary = emptySummary()
    const copy = (fd: number, mode: number, isDirectory: boolean, isFile: boolean, walked: string[], hostPath: string): void => {
      if (isFile) {
        clearHostEntry(hostPath)
        copyFileSync(`/proc/self/fd/${fd}`, hostPath, constants.COPYFILE_EXCL)
        chmodSync(hostPath, withoutSetid(mode))
        summary.files++
      } else if (isDirectory) {
        hostDirectory(hostPath)
        for (const entry of guest.list(fd).sort()) {
          const inner = [...walked, entry]
          const child = guest.inspect(fd, entry, inner)
          if (!child) continue
          if ('link' in child) {
            clearHostEntry(path.join(hostPath, entry))
            symlinkSync(child.link, path.join(hostPath, entry))
            summary.links++
          } else {
            copy(child.fd, child.stats.mode, child.stats.isDirectory(), child.stats.isFile(), inner, path.join(hostPath, entry))
            guest.release(child.fd)
          }
        }
        chmodSync(hostPath, withoutSetid(mode))
        summary.directories++
      } else {
        summary.skipped++
      }
    }
    copy(found.fd, found.stats.mode, found.stats.isDirectory(), found.stats.isFile(), components(guestPath), target)
    return summary
  } finally {
    guest.close()
  }
}

/** Copies SOURCE on the host into the container at GUEST-PATH (into it when it is a directory there). */
export function copyToContainer(root: string, name: string, source: string, guestPath: string): CopySummary {
  const sourceStats = lstatSync(source, {throwIfNoEntry: false})
  if (!sourceStats) throw new UserError(`${source}: no such file or directory`)
  const guest = openRoot(root, name)
  try {
    const parts = components(guestPath)
    const existing = guest.entry(guestPath)
    // Into an existing directory, under the source's name; else as the last component of GUEST-PATH.
    const [parentPath, entryName] = existing?.stats.isDirectory()
      ? [parts, path.basename(source)]
      : [parts.slice(0, -1), parts.at(-1)]
    if (!entryName) throw new UserError('give a path in the container to copy to')
    const parent = guest.directory(parentPath.join('/'))
    if (parent === undefined) throw new UserError(`/${parentPath.join('/')}: no such directory in container ‘${name}’`)
    const summary = emptySummary()
    const copy = (hostPath: string, dir: number, entry: string, walked: string[]): void => {
      const stats = lstatSync(hostPath)
      if (stats.isSymbolicLink()) {
        if (guest.inspect(dir, entry, walked)) throw new UserError(`refusing to replace /${walked.join('/')} in the container with a link`)
        guest.linkIn(dir, entry, readlinkSync(hostPath), walked)
        summary.links++
      } else if (stats.isDirectory()) {
        const there = guest.inspect(dir, entry, walked)
        if (there && 'link' in there) throw new UserError(`refusing to follow a link planted in the container: /${walked.join('/')} → ${there.link}`)
        if (there && !there.stats.isDirectory()) throw new UserError(`refusing to replace /${walked.join('/')} in the container: not a directory`)
        const inner = there ? there.fd : guest.makeDirectoryIn(dir, entry, stats.mode & 0o7777, walked)
        for (const child of readdirSync(hostPath).sort()) copy(path.join(hostPath, child), inner, child, [...walked, child])
        guest.release(inner)
        summary.directories++
      } else if (stats.isFile()) {
        guest.copyFileIn(dir, entry, hostPath, stats.mode & 0o7777, walked)
        summary.files++
      } else {
        summary.skipped++
      }
    }
    copy(source, parent, entryName, [...parentPath, entryName])
    return summary
  } finally {
    guest.close()
  }
}

/**
 * Copies the directory SOURCE (a container root) to the new path TARGET: modes, owners, links as
 * links (never followed), hard links and extended attributes kept, data shared where the file
 * system can (reflinks); nothing mounted below SOURCE is copied.
 */
export async function copyTree(source: string, target: string): Promise<void> {
  if (!lstatSync(source, {throwIfNoEntry: false})?.isDirectory()) throw new UserError(`${source} is not a directory`)
  const copied = await runCommand(['cp', '--archive', '--reflink=auto', '--one-file-system', '--no-target-directory', source, target])
  if (copied.failed) throw new UserError(`cannot copy ${source} to ${target}: ${failureReason(copied)}`)
}
