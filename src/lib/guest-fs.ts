// Every host-side access to a path inside a container's root directory goes through this module.
// The tool runs as root, and everything under the root belongs to whoever is root in the container:
// any component of any path may be a symlink, and may be swapped for one at any moment. So a path
// is never handed to the kernel whole: it is walked one component at a time from a descriptor of
// the root, each component opened with O_PATH|O_NOFOLLOW and checked with fstat before the next is
// looked up in it. Node has no openat(), but /proc/self/fd/N/NAME is one: the kernel resolves the
// magic link to exactly the directory descriptor N is open on (whatever has been renamed or linked
// since), then looks NAME up in it, not following NAME when it is a link.
//
// Links are refused, never resolved (not even inside the root, as openat2's RESOLVE_IN_ROOT would):
// every path the tool touches is a plain file or directory in a NixOS guest (etc/nixos, etc/ssh,
// var/log/journal, …), so a link there was planted, and refusing one is simpler to get right and
// easier to explain than resolving it in the guest's terms. A component on another mount than the
// root (a host mount below the root) is refused too: the guest's own mounts live in its own mount
// namespace and are never seen here. `..` is refused; `.` and empty components are skipped.
//
// Reads are bounded; writes go to a new file (O_CREAT|O_EXCL, so never through a link) in the
// checked directory, then rename() over the name, which replaces whatever is there and follows
// nothing. Results that must reach another program (chattr, journalctl) are /proc/PID/fd/N paths
// of descriptors this module opened and checked, valid as long as the caller keeps them open.
import {
  closeSync, constants, copyFileSync, fchmodSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync,
  readSync, renameSync, type Stats, symlinkSync, unlinkSync, writeSync,
} from 'node:fs'

import {NeedsRootError, UserError} from './errors.js'
import {isPermissionDenied, isRoot} from './privileges.js'

/** Linux's O_PATH (the same on x86-64, arm and the other generic-ABI architectures); Node does not export it. */
const O_PATH = 0o10000000
const {O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY} = constants

/** Guest files the tool reads whole are small: host keys, configuration.nix. */
export const smallFileLimit = 1024 * 1024
/** A guest may not make `logs` hold more descriptors than this. */
const journalFileLimit = 512

const at = (dir: number, name: string): string => `/proc/self/fd/${dir}/${name}`

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code

/** The mount a descriptor is on (fdinfo's mnt_id), to tell a mount point from a directory. */
function mountOf(fd: number): string {
  return /^mnt_id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? ''
}

/** The components of a path in the guest ("/etc/nixos/x" or "etc/nixos/x"); `..` is refused. */
function componentsOf(guestPath: string): string[] {
  const components = guestPath.split('/').filter((c) => c !== '' && c !== '.')
  if (components.includes('..')) throw new UserError(`refusing a path that leaves the container: ${guestPath}`)
  return components
}

const display = (components: string[]): string => '/' + components.join('/')

interface Opened {
  fd: number
  stats: Stats
}

/**
 * A container root opened for confined access. Descriptors it hands out belong to it and are
 * closed by close(); callers use the functions below, which open and close one for each access.
 */
export class GuestRoot {
  private readonly fds: number[] = []
  private readonly mount: string

  private constructor(readonly root: string, private readonly rootFd: number) {
    this.fds.push(rootFd)
    this.mount = mountOf(rootFd)
  }

  /** Opens ROOT (a host path the tool made); undefined when it does not exist. */
  static open(root: string): GuestRoot | undefined {
    let fd: number
    try {
      fd = openSync(root, O_PATH | O_DIRECTORY | O_NOFOLLOW)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      // The state directory is 0700: only root reads the container's files.
      if (isPermissionDenied(error) && !isRoot()) throw new NeedsRootError('needs root to read the container\'s files')
      throw new UserError(`cannot open container root ${root}: ${(error as Error).message}`)
    }
    return new GuestRoot(root, fd)
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd)
  }

  /** Closes one descriptor this root handed out, for walks over many entries. */
  release(fd: number): void {
    const index = this.fds.indexOf(fd)
    if (index <= 0) return
    this.fds.splice(index, 1)
    closeSync(fd)
  }

  /**
   * NAME in the directory DIR (a descriptor this root handed out), not following it; undefined when
   * nothing has that name. COMPONENTS is its path in the guest, for messages.
   */
  lookup(dir: number, name: string, components: string[]): Opened | undefined {
    const found = this.inspect(dir, name, components)
    if (found && 'link' in found) {
      throw new UserError(`refusing to follow a link planted in the container: ${display(components)} → ${found.link}`)
    }
    return found
  }

  /**
   * NAME in DIR as it is: undefined when missing, the target of a link (never followed), or the
   * opened entry. A mount point is refused as in lookup().
   */
  inspect(dir: number, name: string, components: string[]): Opened | {link: string} | undefined {
    let fd: number
    try {
      fd = openSync(at(dir, name), O_PATH | O_NOFOLLOW)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw new UserError(`cannot open ${display(components)} in the container: ${(error as Error).message}`)
    }
    this.fds.push(fd)
    const stats = fstatSync(fd)
    if (stats.isSymbolicLink()) {
      try {
        return {link: readlinkSync(at(dir, name))}
      } catch {
        // Swapped again since.
        return {link: '?'}
      }
    }
    if (mountOf(fd) !== this.mount) throw new UserError(`refusing to cross a mount point in the container: ${display(components)}`)
    return {fd, stats}
  }

  /** Makes the directory NAME in DIR with MODE (it must not exist yet); returns it opened. */
  makeDirectoryIn(dir: number, name: string, mode: number, components: string[]): number {
    try {
      mkdirSync(at(dir, name), {mode})
      // The exact mode, past the umask; through a descriptor, never through a name that may be a link by now.
      const opened = openSync(at(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
      try {
        fchmodSync(opened, mode)
      } finally {
        closeSync(opened)
      }
    } catch (error) {
      throw new UserError(`cannot create ${display(components)} in the container: ${(error as Error).message}`)
    }
    const made = this.lookup(dir, name, components)
    if (!made?.stats.isDirectory()) throw new UserError(`cannot create ${display(components)} in the container: replaced meanwhile`)
    return made.fd
  }

  /**
   * Copies the host file SOURCE to NAME in DIR with MODE, atomically (a new file renamed over the
   * name, so never written through a link); what is at the name must be a regular file or nothing.
   */
  copyFileIn(dir: number, name: string, source: string, mode: number, components: string[]): void {
    this.checkFileReplaceable(dir, name, components)
    this.replace(dir, name, components, (fd) => {
      copyFileSync(source, `/proc/self/fd/${fd}`)
      fchmodSync(fd, mode)
    })
  }

  /** Refuses when NAME in DIR is there and neither a regular file nor a link (which a new file replaces). */
  checkFileReplaceable(dir: number, name: string, components: string[]): void {
    const existing = this.inspect(dir, name, components)
    if (existing && !('link' in existing) && !existing.stats.isFile()) throw new UserError(`refusing to replace ${display(components)} in the container: not a regular file`)
  }

  /**
   * Puts a new file at NAME in DIR: FILL writes it through a descriptor of a new file (O_EXCL, so
   * never through a link) beside the name, then rename() replaces whatever is at the name.
   */
  private replace(dir: number, name: string, components: string[], fill: (fd: number) => void): void {
    // Web Crypto's global, not an import of node:crypto: that would load OpenSSL's bindings (some
    // 2 MiB) at every command's start, for the few commands that write into a guest.
    const temporary = `.${name}.nixos-container-${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')}`
    const fd = openSync(at(dir, temporary), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
    try {
      try {
        fill(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(at(dir, temporary), at(dir, name))
    } catch (error) {
      try {
        unlinkSync(at(dir, temporary))
      } catch {
        // Already renamed, or the guest removed it.
      }
      if (error instanceof UserError) throw error
      throw new UserError(`cannot write ${display(components)} in the container: ${(error as Error).message}`)
    }
  }

  /** Removes the file or link NAME in DIR (unlink: a link is removed, never followed). */
  remove(dir: number, name: string, components: string[]): void {
    try {
      unlinkSync(at(dir, name))
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw new UserError(`cannot remove ${display(components)} in the container: ${(error as Error).message}`)
    }
  }

  /** Makes NAME in DIR a symbolic link to TARGET (nothing may have that name). */
  linkIn(dir: number, name: string, target: string, components: string[]): void {
    try {
      symlinkSync(target, at(dir, name))
    } catch (error) {
      throw new UserError(`cannot create ${display(components)} in the container: ${(error as Error).message}`)
    }
  }

  /**
   * The directory at GUEST-PATH, walked component by component; missing directories are made with
   * MODE when `create` is given, else undefined is returned.
   */
  directory(guestPath: string, create?: {mode: number}): number | undefined {
    const components = componentsOf(guestPath)
    let dir = this.rootFd
    for (let i = 0; i < components.length; i++) {
      const walked = components.slice(0, i + 1)
      let next = this.lookup(dir, components[i], walked)
      if (!next && create) {
        try {
          // As mkdir -p -m: MODE for the last, the usual 0755 for missing parents.
          mkdirSync(at(dir, components[i]), {mode: i === components.length - 1 ? create.mode : 0o755})
        } catch (error) {
          if (errorCode(error) !== 'EEXIST') throw new UserError(`cannot create ${display(walked)} in the container: ${(error as Error).message}`)
        }
        next = this.lookup(dir, components[i], walked)
      }
      if (!next) return undefined
      if (!next.stats.isDirectory()) throw new UserError(`refusing to use ${display(walked)} in the container: not a directory`)
      dir = next.fd
    }
    return dir
  }

  /** The file or directory at GUEST-PATH (its parent walked as above); undefined when missing. */
  entry(guestPath: string): (Opened & {dir: number; name: string}) | undefined {
    const components = componentsOf(guestPath)
    if (components.length === 0) return {fd: this.rootFd, stats: fstatSync(this.rootFd), dir: this.rootFd, name: '.'}
    const dir = this.directory(components.slice(0, -1).join('/'))
    if (dir === undefined) return undefined
    const name = components.at(-1)!
    const found = this.lookup(dir, name, components)
    return found && {...found, dir, name}
  }

  /** The regular file at GUEST-PATH, read whole; undefined when missing; refused above MAX-BYTES. */
  read(guestPath: string, maxBytes = smallFileLimit): Buffer | undefined {
    const found = this.entry(guestPath)
    if (!found) return undefined
    if (!found.stats.isFile()) throw new UserError(`refusing to read ${display(componentsOf(guestPath))} in the container: not a regular file`)
    // Reopened through the checked descriptor, so it is this very file, whatever the name is now.
    const fd = openSync(`/proc/self/fd/${found.fd}`, O_RDONLY | O_NONBLOCK)
    this.fds.push(fd)
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
    }
    if (length > maxBytes) {
      throw new UserError(`refusing to read ${display(componentsOf(guestPath))} in the container: larger than ${maxBytes} bytes`)
    }
    return buffer.subarray(0, length)
  }

  /**
   * Refuses unless GUEST-PATH could be written: every existing directory on the way a directory,
   * and the file itself missing or a regular file (or anything but a directory, with replaceLink).
   */
  checkWritable(guestPath: string): void {
    const components = componentsOf(guestPath)
    let dir: number | undefined = this.rootFd
    for (let i = 0; i < components.length - 1 && dir !== undefined; i++) {
      const next = this.lookup(dir, components[i], components.slice(0, i + 1))
      if (next && !next.stats.isDirectory()) throw new UserError(`refusing to use ${display(components.slice(0, i + 1))} in the container: not a directory`)
      dir = next?.fd
    }
    if (dir === undefined) return
    const file = this.lookup(dir, components.at(-1)!, components)
    if (file && !file.stats.isFile()) throw new UserError(`refusing to replace ${display(components)} in the container: not a regular file`)
  }

  /**
   * Writes CONTENT to GUEST-PATH atomically: a new file in the checked parent directory (made with
   * DIR-MODE when missing), then rename() over the name. A link found at the name is refused unless
   * `replaceLink`, when it is replaced (never followed) like any other file.
   */
  write(guestPath: string, content: string | Buffer, options: {mode?: number; dirMode?: number; replaceLink?: boolean} = {}): void {
    const components = componentsOf(guestPath)
    if (components.length === 0) throw new UserError('refusing to write the container root itself')
    const dir = this.directory(components.slice(0, -1).join('/'), {mode: options.dirMode ?? 0o755})!
    const name = components.at(-1)!
    if (!options.replaceLink) this.checkWritable(guestPath)
    this.replace(dir, name, components, (fd) => {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content
      for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset)
      fchmodSync(fd, options.mode ?? 0o644)
      fsyncSync(fd)
    })
  }

  /** Creates GUEST-PATH with CONTENT when nothing has that name; whatever is there is left alone. */
  createIfMissing(guestPath: string, content = '', mode = 0o644): void {
    const components = componentsOf(guestPath)
    const dir = this.directory(components.slice(0, -1).join('/'), {mode: 0o755})!
    let fd: number
    try {
      fd = openSync(at(dir, components.at(-1)!), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode)
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return
      throw new UserError(`cannot create ${display(components)} in the container: ${(error as Error).message}`)
    }
    try {
      writeSync(fd, content)
    } finally {
      closeSync(fd)
    }
  }

  /** A path naming exactly what FD is open on, for another process while this root stays open. */
  static hostPath(fd: number): string {
    return `/proc/${process.pid}/fd/${fd}`
  }

  /** Entries of the (checked) directory DIR. */
  list(dir: number): string[] {
    return readdirSync(`/proc/self/fd/${dir}`)
  }
}

/** Runs FN with ROOT opened, closing every descriptor afterwards; undefined when ROOT does not exist. */
export function withGuestRoot<T>(root: string, fn: (guest: GuestRoot) => T): T | undefined {
  const guest = GuestRoot.open(root)
  if (!guest) return undefined
  try {
    return fn(guest)
  } finally {
    guest.close()
  }
}

/** The regular file GUEST-PATH under ROOT, at most MAX-BYTES; undefined when it (or the root) does not exist. */
export function readGuestFile(root: string, guestPath: string, maxBytes = smallFileLimit): Buffer | undefined {
  return withGuestRoot(root, (guest) => guest.read(guestPath, maxBytes))
}

/** Writes GUEST-PATH under ROOT atomically (see GuestRoot.write); ROOT must exist. */
export function writeGuestFile(root: string, guestPath: string, content: string | Buffer,
  options: {mode?: number; dirMode?: number; replaceLink?: boolean} = {}): void {
  const done = withGuestRoot(root, (guest) => {
    guest.write(guestPath, content, options)
    return true
  })
  if (!done) throw new UserError(`cannot write ${guestPath}: the container root ${root} does not exist`)
}

/** Refuses unless GUEST-PATH under ROOT could be written without following a link (see checkWritable). */
export function checkGuestWritable(root: string, guestPath: string): void {
  withGuestRoot(root, (guest) => guest.checkWritable(guestPath))
}

/** Makes the directory GUEST-PATH under ROOT (and missing parents) with MODE. */
export function makeGuestDirectory(root: string, guestPath: string, mode: number): void {
  withGuestRoot(root, (guest) => guest.directory(guestPath, {mode}))
}

/** Creates GUEST-PATH under ROOT when nothing has that name (see createIfMissing). */
export function createGuestFileIfMissing(root: string, guestPath: string, content = ''): void {
  withGuestRoot(root, (guest) => guest.createIfMissing(guestPath, content))
}

/**
 * Runs FN (which may start another program) with a path naming exactly the directory GUEST-PATH
 * under ROOT, checked as above; FN is not run when it does not exist.
 */
export async function withGuestDirectory<T>(root: string, guestPath: string, fn: (hostPath: string) => Promise<T>): Promise<T | undefined> {
  const guest = GuestRoot.open(root)
  if (!guest) return undefined
  try {
    const dir = guest.directory(guestPath)
    return dir === undefined ? undefined : await fn(GuestRoot.hostPath(dir))
  } finally {
    guest.close()
  }
}

export interface GuestJournal {
  /** /proc/PID/fd/N paths of the guest's journal files, checked; valid until close(). */
  files: string[]
  /** `--file=…` for each: give these to journalctl, never --directory (see openGuestJournal). */
  journalctlArguments: string[]
  close(): void
}

const isJournalFile = (name: string): boolean => name.endsWith('.journal') || name.endsWith('.journal~')

/**
 * The guest's persistent journal (ROOT/var/log/journal and its MACHINE-ID subdirectories), for
 * `journalctl --file=…`. Not `--directory=`: journalctl follows links it finds inside a directory
 * (a MACHINE-ID entry or a *.journal linked to the host's journal would be read), so every file is
 * opened here, checked like any other guest path, and journalctl reads these very files through
 * /proc/PID/fd/N. Keep the journal open (call close() after) while journalctl runs; `files` is
 * empty when the guest has no persistent journal, and then journalctl must not be run with no
 * --file (it would read the host's). A link anywhere in it is refused with one clear line.
 */
export function openGuestJournal(root: string): GuestJournal {
  const guest = GuestRoot.open(root)
  const files: string[] = []
  const result = {files, journalctlArguments: [] as string[], close: () => guest?.close()}
  if (!guest) return result
  try {
    const walk = (dir: number, components: string[], depth: number): void => {
      for (const name of guest.list(dir).sort()) {
        // Below a MACHINE-ID directory only journal files matter, and only they are opened.
        if (depth > 0 && !isJournalFile(name)) continue
        const entry = guest.lookup(dir, name, [...components, name])
        if (entry?.stats.isDirectory() && depth === 0) walk(entry.fd, [...components, name], 1)
        else if (entry?.stats.isFile() && isJournalFile(name)) files.push(GuestRoot.hostPath(entry.fd))
        if (files.length > journalFileLimit) throw new UserError(`refusing to read more than ${journalFileLimit} journal files in the container`)
      }
    }
    const top = guest.directory('var/log/journal')
    if (top !== undefined) walk(top, ['var', 'log', 'journal'], 0)
  } catch (error) {
    guest.close()
    throw error
  }
  result.journalctlArguments = files.map((file) => `--file=${file}`)
  return result
}
