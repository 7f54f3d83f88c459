// Paths inside a container's root, which its root user controls, links included.
// (Placeholder for the confined-access module of issue 17: only what `logs` needs.)
import {constants, lstatSync, openSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'

/**
 * Opens ROOT/RELATIVE as a directory without following any link on the way; undefined when it
 * does not exist. The descriptor is the caller's to close.
 */
export function openGuestDirectory(root: string, relative: string): number | undefined {
  let current = root
  for (const part of relative.split('/').filter(Boolean)) {
    current = path.join(current, part)
    let stat
    try {
      stat = lstatSync(current)
    } catch {
      return undefined
    }
    if (stat.isSymbolicLink()) throw new UserError(`refusing to follow a link planted in the container: /${path.relative(root, current)}`)
    if (!stat.isDirectory()) return undefined
  }
  return openSync(current, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
}
