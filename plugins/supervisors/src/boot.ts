// Booting a container: the one sequence both supervisors use (the direct one from the CLI, the
// systemd one from our container@.service's helper), so a container boots the same either way.
//
//   1. prepare the root, remove stale links;
//   2. spawn systemd-nspawn --notify-ready=yes with $NOTIFY_SOCKET pointing at our socket;
//   3. the container's init waits at a gate (a FIFO) while the host sets up both ends of the veth;
//   4. open the gate: init runs with its network in place, as upstream's container-init does it;
//   5. wait for READY=1, which nspawn passes on once the container's systemd has booted.
// NAME.pid records nspawn from the moment it runs, and says "ready" after step 5 (pid-file.ts).
// Readiness comes from the guest itself (as systemd's Type=notify does), never from sampling
// what PID 1 happens to be at one moment.
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs'
import path from 'node:path'

import {spawnInCgroup} from './cgroup.js'
import {configureNetwork, removeStaleLinks} from './network.js'
import {nspawnArguments, type NspawnOptions} from './nspawn-args.js'
import {NotifySocket} from './notify-socket.js'
import {markReady, recordNspawn} from './pid-file.js'
import {prepareRoot} from './root.js'
import {
  type Container, execedChild, failureReason, isAlive, limitsOfConf, removeNspawnLeftovers, requireSystem, startPortForwarder, runCommand, sleep, UserError, waitFor,
} from 'nixos-container'

export interface BootOptions {
  timeoutMs: number
  log: (line: string) => void
  /** How nspawn meets systemd (see nspawn-args.ts). */
  systemd: NspawnOptions['systemd']
  /** Where the container's console goes: a file, or 'inherit' (the journal, under systemd). */
  console: string | 'inherit'
}

export interface Booted {
  nspawn: number
  leader: number
}

/** The store path of the system the container boots, as the host sees it. */
function hostSystemPath(container: Container): string {
  return container.conf.get('SYSTEM_PATH') || container.paths.profile
}

/** Files of one boot in the runtime directory, next to the pid file. */
function bootFiles(container: Container): {notify: string; gate: string} {
  const base = container.paths.pidFile.replace(/\.pid$/, '')
  return {notify: `${base}.notify`, gate: path.join(`${base}.gate`, 'gate')}
}

/**
 * The gate FIFO, readable by anyone (root in a container with private users is an unprivileged
 * uid here) but in a directory only root may enter: the container reaches it through its bind
 * mount, a user of the host cannot reach it to take the line meant for the container's init.
 */
async function makeGate(file: string): Promise<void> {
  removeGate(file)
  mkdirSync(path.dirname(file), {mode: 0o700})
  const made = await runCommand(['mkfifo', '-m', '0644', file])
  if (made.failed) throw new UserError(`cannot make ${file}: ${failureReason(made)}`)
}

function removeGate(file: string): void {
  rmSync(path.dirname(file), {recursive: true, force: true})
}

/** Lets the waiting init go on: writes a line once it has the FIFO open for reading. */
async function openGate(gate: string, waiting: () => boolean): Promise<boolean> {
  for (;;) {
    let fd: number
    try {
      // Non-blocking: ENXIO until the reader (the container's shell) has opened its end.
      fd = openSync(gate, constants.O_WRONLY | constants.O_NONBLOCK)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO' || !waiting()) return false
      await sleep(10)
      continue
    }
    try {
      writeSync(fd, 'go\n')
    } finally {
      closeSync(fd)
    }
    return true
  }
}

/**
 * Without systemd on the host, give the container a pure cgroup2 tree even on a hybrid host, as
 * NixOS hosts have: there, systemd in the container is told when a cgroup empties (on hybrid's v1
 * tree it never is, so finished sessions' scopes would linger). An admin's own setting wins.
 */
function unifiedHierarchy(systemd: BootOptions['systemd']): NodeJS.ProcessEnv {
  return systemd === 'none' ? {SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1'} : {}
}

export function consoleTail(logFile: string, lines = 3): string {
  try {
    // Without the terminal's colours and cursor moves, which systemd puts on its console.
    const all = readFileSync(logFile, 'utf8').replace(/\x1b(\[[0-9;?]*[A-Za-z]|[A-Za-z])/g, '').replace(/\r/g, '').trim().split('\n')
    return all.filter((l) => l && !/^(Spawning container|Press \^\])/.test(l)).slice(-lines).join(' | ')
  } catch {
    return ''
  }
}

async function killNspawn(nspawn: number): Promise<void> {
  // Killing nspawn's child (the container's PID 1) takes everything in the container with it.
  for (const pid of [execedChild(nspawn), nspawn]) {
    if (pid === undefined) continue
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  await waitFor(() => !isAlive(nspawn), 10_000, 20)
}

/** Boots the container; on any failure nothing of it stays running, and the error says why. */
export async function bootContainer(container: Container, options: BootOptions): Promise<Booted> {
  const {paths, conf, name} = container
  const {timeoutMs, log} = options
  const deadline = Date.now() + timeoutMs
  requireSystem(container)
  // A copy an --ephemeral run left when it was killed (the host lost power): not this run's.
  await removeNspawnLeftovers(paths.root)
  prepareRoot(paths, conf)
  mkdirSync(path.dirname(paths.pidFile), {recursive: true, mode: 0o755})
  const files = bootFiles(container)
  // The gate needs a shell in the system; every NixOS system has one (sw/bin/sh).
  const gate = existsSync(path.join(hostSystemPath(container), 'sw/bin/sh')) ? files.gate : undefined
  await Promise.all([removeStaleLinks(name), gate && makeGate(gate)])
  const notify = new NotifySocket(files.notify)
  const args = nspawnArguments({name, paths, conf, systemd: options.systemd, gate})
  log(`systemd-nspawn ${args.join(' ')}`)

  const logFd = options.console === 'inherit' ? undefined : openSync(options.console, 'w')
  const run = (): ChildProcess => spawn('systemd-nspawn', args, {
    detached: true,
    stdio: logFd === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', logFd, logFd],
    env: {...unifiedHierarchy(options.systemd), ...process.env, NOTIFY_SOCKET: files.notify},
  })
  let child
  try {
    // Under systemd, the unit or machined's scope is the container's cgroup.
    child = options.systemd === 'none' ? spawnInCgroup(name, limitsOfConf(conf), run) : run()
  } finally {
    if (logFd !== undefined) closeSync(logFd)
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
  child.unref()
  const nspawn = child.pid
  if (nspawn === undefined) {
    notify.close()
    throw new UserError(`cannot run systemd-nspawn: ${(await spawnError).message}`)
  }
  // Recorded before anything can fail, so stop and terminate find it whatever happens next.
  recordNspawn(container, nspawn)

  const fail = async (why: string): Promise<never> => {
    await killNspawn(nspawn)
    const tail = options.console === 'inherit' ? '' : consoleTail(options.console)
    throw new UserError(`failed to start container ‘${name}’: ${why}${tail ? ` (${tail})` : ''}`, {code: 'start-failed'})
  }
  const remaining = (): number => Math.max(0, deadline - Date.now())
  try {
    let leader: number | undefined
    await waitFor(() => (leader = execedChild(nspawn)) !== undefined || !isAlive(nspawn), remaining(), 10)
    if (leader === undefined) return await fail(isAlive(nspawn) ? 'timed out waiting for its init' : 'systemd-nspawn exited')
    log(`container init is running as pid ${leader}`)
    try {
      await configureNetwork(name, conf, leader)
      await startPortForwarder(name, conf, paths, leader)
    } catch (error) {
      return await fail((error as Error).message)
    }
    if (gate && !(await openGate(gate, () => isAlive(leader!) && Date.now() < deadline))) {
      return await fail(isAlive(leader) ? 'timed out waiting for its init to take the network' : 'its init exited')
    }
    log('waiting for the container to report that it has booted (READY=1)')
    const ready = await notify.waitFor((message) => message.get('READY') === '1', () => !isAlive(nspawn) || Date.now() >= deadline)
    if (!ready) {
      return await fail(isAlive(nspawn)
        ? `it did not report that it had booted within ${Math.round(timeoutMs / 1000)} s`
        : 'it stopped while booting')
    }
    markReady(container, nspawn)
    log('the container has booted')
    return {nspawn, leader}
  } finally {
    notify.close()
    if (gate) removeGate(gate)
  }
}
