// The CLI's one owner of SIGINT, SIGTERM and SIGHUP. An operation that must undo its work when
// interrupted registers a cleanup with onInterrupt(); on a signal the owner stops the processes we
// started (so a build cannot set a profile while its directory is being removed), runs every
// cleanup to the end, then exits 128+N as a shell reports a death by signal N.
//
// Why an owner, not a `process.once` per operation: execa loads signal-exit, whose listener
// re-raises the signal as soon as it sees itself as the only listener left. A `once` listener is
// removed before it runs, so signal-exit saw itself alone and killed the process while the
// cleanup was still awaiting (issue 16, proven with a 10-line script: cleanup finishes without
// execa's child and never with it). Our listeners therefore stay installed for the rest of the
// process once any cleanup has been registered.
import {readdirSync, readFileSync} from 'node:fs'
import {constants} from 'node:os'

import {isAlive} from './proc.js'

type Cleanup = () => Promise<void> | void

const handled: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
const cleanups = new Set<Cleanup>()
let installed = false
let interrupting: NodeJS.Signals | undefined

/** Runs `cleanup` if SIGINT, SIGTERM or SIGHUP arrives before the returned function is called. */
export function onInterrupt(cleanup: Cleanup): () => void {
  install()
  cleanups.add(cleanup)
  return () => {
    cleanups.delete(cleanup)
  }
}

/** The signal being handled, if any: a command's failure after it is a consequence, not news. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return interrupting
}

function install(): void {
  if (installed) return
  installed = true
  for (const signal of handled) process.on(signal, interrupted)
}

function interrupted(signal: NodeJS.Signals): void {
  // A second signal (a second Ctrl-C) must not cut the first one's cleanup short.
  if (interrupting) return
  interrupting = signal
  process.stderr.write(`nixos-container: interrupted by ${signal}${cleanups.size ? ', undoing unfinished work' : ''}\n`)
  // Taken now: stopping our children ends the work those cleanups guard, which then releases them
  // (a start whose nspawn got our SIGTERM fails, or boots, and its step ends), yet its container
  // still has to be undone. Newest first: later steps may depend on what earlier ones made.
  const pending = [...cleanups].reverse()
  void (async () => {
    await stopChildren()
    for (const cleanup of pending) {
      try {
        await cleanup()
      } catch (error) {
        process.stderr.write(`nixos-container: cleanup failed: ${(error as Error).message}\n`)
      }
    }
    process.exit(128 + (constants.signals[signal] ?? 0))
  })()
}

/** Our direct children (nix-env, nix build, systemctl …): SIGTERM, then SIGKILL after 10 seconds. */
async function stopChildren(): Promise<void> {
  const pids = childPids()
  for (const pid of pids) signalQuietly(pid, 'SIGTERM')
  const deadline = Date.now() + 10_000
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) {
      for (const pid of pids.filter(isAlive)) signalQuietly(pid, 'SIGKILL')
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function childPids(): number[] {
  const pids: number[] = []
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const raw = readFileSync(`/proc/self/task/${task}/children`, 'utf8')
      pids.push(...raw.split(/\s+/).filter(Boolean).map(Number))
    }
  } catch {
    // No /proc: nothing we can find to stop.
  }
  return pids
}


function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // Already gone.
  }
}
