// The direct supervisor: runs systemd-nspawn ourselves, detached, for hosts where systemd is not
// PID 1. State lives in RUNTIME_DIR: NAME.pid (see pid-file.ts) and NAME.log (its console).
import {existsSync, rmSync} from 'node:fs'
import path from 'node:path'

import {bootContainer} from './boot.js'
import {isBeingStarted, problemOf, takeCensus} from './census.js'
import {gateInside} from './nspawn-args.js'
import {isReady, nspawnPid} from './pid-file.js'
import {applyCgroupLimits, cgroupMemoryUse, cgroupProcesses, containerCgroups, removeCgroups} from './cgroup.js'
import {commandLine, type Container, execedChild, isAlive, listedAlive, removeNspawnLeftovers, type RunState, type Supervisor, machinedRuns, UserError, waitFor} from 'nixos-container'

/** SIGRTMIN+3 as glibc numbers it: systemd's "halt", what nspawn's --kill-signal sends on stop. */
const haltSignal = 37

function signal(pids: number[], sig: NodeJS.Signals | number): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig)
    } catch {
      // Already gone.
    }
  }
}

/** Waits until none of the container's processes (by its cgroup and nspawn) remain. */
async function waitEmpty(container: Container, timeoutMs: number): Promise<boolean> {
  return waitFor(() => takeCensus(container).processes.length === 0, timeoutMs, 25)
}

export const nspawnSupervisor: Supervisor = {
  name: 'nspawn',

  // Up while any process of the container runs, with or without its nspawn (census.ts).
  async state(container): Promise<RunState> {
    return takeCensus(container).processes.length === 0 ? 'down' : 'up'
  },

  // For list: whether any process of each runs, without the rest of a census (which pid is init).
  async states(containers) {
    return containers.map((container): RunState => cgroupProcesses(container.name).some(listedAlive) || nspawnPid(container) !== undefined ? 'up' : 'down')
  },

  async problem(container) {
    return problemOf(takeCensus(container))
  },

  async leader(container) {
    return takeCensus(container).init
  },

  async start(container, {timeoutMs, log}) {
    const found = takeCensus(container)
    if (found.nspawn !== undefined && found.recorded) {
      // Running, or being booted by a start that is still alive: once it has booted, there is nothing to do.
      if (found.ready && found.init !== undefined) return found.init
      if (!found.ready && isBeingStarted(found.nspawn)) {
        const leader = await this.waitReady!(container, timeoutMs)
        if (leader !== undefined) return leader
      }
    }
    const left = takeCensus(container)
    if (left.processes.length > 0) {
      // Never a second copy on the same root: what a killed nspawn or start left goes first.
      log(`container ‘${container.name}’ was left half-running: ${problemOf(left) ?? 'it did not boot'}; terminating it before starting afresh`)
      await this.terminate(container)
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
    const {nspawn, init, processes} = takeCensus(container)
    if (processes.length === 0) return cleanup(container)
    // An init still waiting at the gate (a start killed early) has nothing to shut down, and as
    // PID 1 of its namespace without a handler it ignores the halt signal: kill it.
    if (init === undefined || commandLine(init)?.some((arg) => arg.includes(gateInside))) return this.terminate(container)
    // nspawn turns SIGTERM into --kill-signal (SIGRTMIN+3) for the container's init: a clean halt.
    // Without its nspawn, the orphaned init gets that signal straight.
    if (nspawn !== undefined) signal([nspawn], 'SIGTERM')
    else signal([init], haltSignal)
    if (!(await waitEmpty(container, timeoutMs))) await this.terminate(container)
    return cleanup(container)
  },

  async applyLimits(container, limits) {
    if ((await this.state(container)) === 'up') applyCgroupLimits(container.name, limits)
  },

  async usage(container) {
    return {memoryBytes: cgroupMemoryUse(container.name)}
  },

  async sessionCgroups(container) {
    return containerCgroups(container.name).filter((group) => existsSync(group)).map((group) => path.join(group, 'cgroup.procs'))
  },

  async terminate(container) {
    // Killing PID 1 of the container's pid namespace kills everything in it; nspawn then exits by
    // itself, removing what it set up on the host (its port forwards' NAT rules, its copy of an
    // --ephemeral root), which a killed nspawn would leave. So the init first, a moment for nspawn.
    const first = takeCensus(container)
    if (first.init !== undefined && first.nspawn !== undefined && isAlive(first.nspawn)) {
      signal([first.init], 'SIGKILL')
      await waitFor(() => !isAlive(first.nspawn!), 3000, 20)
    }
    // Then every process its cgroup holds gets SIGKILL, so nothing survives a lost nspawn.
    for (let round = 0; round < 3; round++) {
      const {init, processes} = takeCensus(container)
      if (processes.length === 0) break
      if (init !== undefined) signal([init], 'SIGKILL')
      signal(processes, 'SIGKILL')
      if (await waitEmpty(container, 10_000)) break
    }
    const left = takeCensus(container).processes
    if (left.length > 0) throw new UserError(`cannot terminate container ‘${container.name}’: processes ${left.join(' ')} survive SIGKILL`)
    return cleanup(container)
  },
}

async function cleanup(container: Container): Promise<void> {
  rmSync(container.paths.pidFile, {force: true})
  removeCgroups(container.name)
  await removeNspawnLeftovers(container.paths.root)
}
