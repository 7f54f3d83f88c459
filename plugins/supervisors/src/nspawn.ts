// The direct supervisor: runs systemd-nspawn ourselves, detached, for hosts where systemd is not
// PID 1. State lives in RUNTIME_DIR: NAME.pid (see pid-file.ts) and NAME.log (its console).
import {existsSync, rmSync} from 'node:fs'

import {bootContainer} from './boot.js'
import {isReady, nspawnPid} from './pid-file.js'
import {removeCgroups} from './cgroup.js'
import {children, type Container, execedChild, isAlive, type RunState, type Supervisor, systemdIsRunning, waitFor} from 'nixos-container'

// Without systemd, --keep-unit keeps nspawn off the (missing) system bus.
const machinedRuns = (): boolean => systemdIsRunning() && existsSync('/run/systemd/machines')

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
    const running = nspawnPid(container)
    if (running !== undefined) {
      // Started by someone else: once it has booted, there is nothing to do.
      const leader = await this.waitReady!(container, timeoutMs)
      if (leader !== undefined) return leader
    }
    const {leader} = await bootContainer(container, {
      timeoutMs,
      log,
      systemd: machinedRuns() ? 'scope' : 'none',
      console: container.paths.logFile,
    })
    return leader
  },

  async waitReady(container, timeoutMs) {
    let nspawn: number | undefined
    await waitFor(() => (nspawn = nspawnPid(container)) === undefined || isReady(container), timeoutMs, 50)
    return nspawn === undefined || !isReady(container) ? undefined : execedChild(nspawn)
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
  removeCgroups(container.name)
}
