// The direct supervisor: runs systemd-nspawn ourselves, detached, for hosts where systemd is not
// PID 1. State lives in RUNTIME_DIR: NAME.pid (the nspawn process) and NAME.log (its console).
// A pid file is trusted only while that pid is still our systemd-nspawn for this machine, so a
// dead container, a host reboot or a reused pid all read as "down".
import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {configureNetwork, removeStaleLinks} from './network.js'
import {nspawnArguments} from './nspawn-args.js'
import {children, commandLine, execedChild, isAlive, runsSystemd, waitFor} from './proc.js'
import {prepareRoot} from './root.js'
import {type Container, requireSystem, type RunState, type Supervisor, systemdIsRunning, UserError} from 'nixos-container'

// Without systemd, --keep-unit keeps nspawn off the (missing) system bus.
const machinedRuns = (): boolean => systemdIsRunning() && existsSync('/run/systemd/machines')

/** The nspawn process of a running container, validated against /proc. */
export function nspawnPid(container: Container): number | undefined {
  let pid: number
  try {
    pid = Number(readFileSync(container.paths.pidFile, 'utf8').trim())
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined
  const argv = commandLine(pid)
  if (!argv || path.basename(argv[0]) !== 'systemd-nspawn') return undefined
  if (!argv.includes(`--machine=${container.name}`) || !argv.includes(`--directory=${container.paths.root}`)) return undefined
  return pid
}

function logTail(container: Container): string {
  try {
    const lines = readFileSync(container.paths.logFile, 'utf8').trim().split('\n')
    return lines.filter((l) => !/^(Spawning container|Press \^\])/.test(l)).slice(-3).join(' | ')
  } catch {
    return ''
  }
}

/** Whether the container runs systemd; then booting ends when it says running or degraded. */
async function systemdBooted(leader: number): Promise<boolean> {
  const {execa} = await import('execa')
  const result = await execa('nsenter', ['-t', String(leader), '-m', '-u', '-i', '-n', '-p', '--',
    '/run/current-system/sw/bin/systemctl', 'is-system-running'], {reject: false})
  return ['running', 'degraded'].includes(String(result.stdout).trim())
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  return waitFor(() => !isAlive(pid), timeoutMs, 25)
}

export const nspawnSupervisor: Supervisor = {
  name: 'nspawn',

  async state(container): Promise<RunState> {
    return nspawnPid(container) === undefined ? 'down' : 'up'
  },

  async leader(container) {
    const pid = nspawnPid(container)
    return pid === undefined ? undefined : execedChild(pid)
  },

  async start(container, {timeoutMs, log}) {
    const {paths, conf, name} = container
    const running = nspawnPid(container)
    const runningLeader = running === undefined ? undefined : execedChild(running)
    if (runningLeader !== undefined) return runningLeader
    requireSystem(container)
    prepareRoot(paths, conf)
    await removeStaleLinks(name)
    mkdirSync(path.dirname(paths.pidFile), {recursive: true, mode: 0o755})
    const args = nspawnArguments({name, paths, conf, systemd: machinedRuns() ? 'scope' : 'none'})
    log(`systemd-nspawn ${args.join(' ')}`)
    const logFd = openSync(paths.logFile, 'w')
    let child
    try {
      child = spawn('systemd-nspawn', args, {detached: true, stdio: ['ignore', logFd, logFd]})
    } finally {
      closeSync(logFd)
    }
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
    child.unref()
    const pid = child.pid
    if (pid === undefined) throw new UserError(`cannot run systemd-nspawn: ${(await spawnError).message}`)
    writeFileSync(paths.pidFile, `${pid}\n`)

    const deadline = Date.now() + timeoutMs
    const failed = async (why: string): Promise<never> => {
      await this.terminate(container)
      const tail = logTail(container)
      throw new UserError(`failed to start container ‘${name}’: ${why}${tail ? ` (${tail})` : ''}`)
    }
    let leader: number | undefined
    await waitFor(() => {
      leader = execedChild(pid)
      return leader !== undefined || !isAlive(pid)
    }, timeoutMs, 10)
    if (leader === undefined) return failed(isAlive(pid) ? 'timed out waiting for its init' : 'systemd-nspawn exited')
    log(`container init is running as pid ${leader}`)
    try {
      await configureNetwork(name, conf, leader)
    } catch (error) {
      return failed((error as Error).message)
    }
    if (runsSystemd(leader)) {
      log('waiting for systemd in the container to finish booting')
      const booted = await waitFor(() => !isAlive(leader!) || systemdBooted(leader!), Math.max(0, deadline - Date.now()), 100)
      if (!booted || !isAlive(leader)) return failed(booted ? 'the container stopped while booting' : 'timed out waiting for it to boot')
    }
    return leader
  },

  async stop(container, {timeoutMs}) {
    const pid = nspawnPid(container)
    if (pid === undefined) return cleanup(container)
    // nspawn turns SIGTERM into --kill-signal (SIGRTMIN+3) for the container's init: a clean halt.
    process.kill(pid, 'SIGTERM')
    if (!(await waitGone(pid, timeoutMs))) await this.terminate(container)
    return cleanup(container)
  },

  async terminate(container) {
    const pid = nspawnPid(container)
    if (pid === undefined) return cleanup(container)
    // Killing PID 1 of the container's pid namespace kills everything in it; nspawn then exits.
    const leaders = children(pid)
    for (const leader of leaders) {
      try {
        process.kill(leader, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    if (leaders.length === 0 || !(await waitGone(pid, 10_000))) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
      await waitGone(pid, 10_000)
    }
    return cleanup(container)
  },
}

function cleanup(container: Container): void {
  rmSync(container.paths.pidFile, {force: true})
}
