// One lock per container: start, stop, restart, terminate, update and destroy of the same
// container take it, so concurrent commands serialize instead of racing (two nspawns on one root,
// one command's cleanup deleting another's pid file). The loser waits, then finds the state the
// winner left and acts on that: a start that finds it up, or a stop that finds it down, succeeds.
// Commands on different containers never wait for each other. The lock is flock(2) on
// RUNTIME_DIR/NAME.lock through lock.ts; it dies with its holder, so kill -9 never leaves it taken.
import path from 'node:path'

import {withExclusiveLock} from './lock.js'
import {checkNameSyntax} from './names.js'
import type {HostPaths} from './paths.js'

/** Locks this process holds: an operation that calls another (start building a flake, restart) takes it once. */
const held = new Set<string>()

export function containerLockFile(host: HostPaths, name: string): string {
  checkNameSyntax(name)
  return path.join(host.runtimeDir, `${name}.lock`)
}

export async function withContainerLock<T>(host: HostPaths, name: string, body: () => Promise<T>): Promise<T> {
  const file = containerLockFile(host, name)
  // A second open of the file would be a second flock owner: it would wait for ourselves.
  if (held.has(file)) return body()
  return withExclusiveLock(file, async () => {
    held.add(file)
    try {
      return await body()
    } finally {
      held.delete(file)
    }
  })
}
