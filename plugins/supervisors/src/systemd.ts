// The systemd supervisor: containers run as container@NAME.service, as on NixOS. start, stop and
// reload go through systemctl, the leader comes from systemd-machined. Where no container@.service
// exists, ours is installed first (container-unit.ts); AUTO_START=1 becomes a start at boot.

import path from 'node:path'

import {removeAutoStart, syncAutoStart} from './autostart.js'
import {processCgroups} from './cgroup.js'
import {ensureTemplate} from './container-unit.js'
import {removeDevices, syncDevices} from './devices.js'
import {activeStates, containerUnit, machineLeader, recentLog, systemctl, waitUntilUnregistered} from './systemctl.js'
import {
  type Container, execedChild, isAlive, limitsOfConf, removeNspawnLeftovers, type ResourceLimits, requireSystem, runsSystemd, type RunState, type Supervisor, UserError, waitFor,
} from 'nixos-container'

const runningStates = new Set(['active', 'reloading'])

/** The container's PID 1: machined's leader, else the child of the unit's main process (nspawn). */
async function findLeader(container: Container): Promise<number | undefined> {
  const fromMachined = await machineLeader(container.name)
  if (fromMachined !== undefined) return fromMachined
  const {stdout} = await systemctl(['show', '--property=MainPID', '--value', containerUnit(container.name)])
  const nspawn = Number(stdout.trim())
  return nspawn ? execedChild(nspawn) : undefined
}

/** The unit properties that carry LIMITS; an absent limit is lifted (infinity). */
export function limitProperties(limits: ResourceLimits): string[] {
  return [
    `MemoryMax=${limits.memoryBytes ?? 'infinity'}`,
    `CPUQuota=${limits.cpus === undefined ? '' : `${Math.round(limits.cpus * 100)}%`}`,
    `TasksMax=${limits.tasksMax ?? 'infinity'}`,
  ]
}

/** Sets the unit's limit properties for this boot of the host (/run): NAME.conf is where they are kept. */
async function setUnitLimits(container: Container, limits: ResourceLimits): Promise<void> {
  const result = await systemctl(['set-property', '--runtime', containerUnit(container.name), ...limitProperties(limits)])
  if (!result.ok) throw new UserError(`cannot set the limits of container ‘${container.name}’: ${result.reason}`)
}

async function failure(container: Container, what: string, reason: string): Promise<never> {
  const log = await recentLog(containerUnit(container.name))
  throw new UserError(`failed to ${what} container ‘${container.name}’: ${reason}${log ? ` (${log})` : ''}`, {code: what === 'start' ? 'start-failed' : 'error'})
}

export const systemdSupervisor: Supervisor = {
  name: 'systemd',

  async state(container) {
    return (await this.states!([container]))[0]
  },

  async states(containers): Promise<RunState[]> {
    const states = await activeStates(containers.map((c) => containerUnit(c.name)))
    return states.map((state) => (runningStates.has(state) ? 'up' : 'down'))
  },

  async leader(container) {
    if ((await this.state(container)) === 'down') return undefined
    return findLeader(container)
  },

  async waitReady(container, timeoutMs) {
    // A unit that is still starting ("activating") has not reported READY=1 yet.
    let state = 'inactive'
    await waitFor(async () => (state = (await activeStates([containerUnit(container.name)]))[0]) !== 'activating', timeoutMs, 100)
    return runningStates.has(state) ? findLeader(container) : undefined
  },

  async start(container, {timeoutMs, log}) {
    const {name} = container
    requireSystem(container)
    const kind = await ensureTemplate()
    log(`using ${kind === 'ours' ? 'our' : 'the host\'s'} container@.service`)
    await syncAutoStart(container)
    await setUnitLimits(container, limitsOfConf(container.conf))
    await syncDevices(container)
    await waitUntilUnregistered(name)
    log(`systemctl start ${containerUnit(name)}`)
    const started = await systemctl(['start', containerUnit(name)], timeoutMs)
    if (!started.ok) {
      // Leave nothing running or restarting behind a start that failed.
      await systemctl(['stop', containerUnit(name)])
      await systemctl(['reset-failed', containerUnit(name)])
      return failure(container, 'start', started.reason)
    }
    let leader: number | undefined
    await waitFor(async () => (leader = await findLeader(container)) !== undefined, 5000, 50)
    if (leader === undefined) return failure(container, 'start', 'it stopped right after starting')
    log(`container init is running as pid ${leader}`)
    return leader
  },

  async stop(container, {timeoutMs}) {
    const stopped = await systemctl(['stop', containerUnit(container.name)], timeoutMs)
    if (!stopped.ok) await this.terminate(container)
    await waitUntilUnregistered(container.name)
  },

  async terminate(container) {
    const unit = containerUnit(container.name)
    const leader = await findLeader(container)
    // A stop job first, so Restart=on-failure does not bring it back. Then the container's init
    // killed, so that systemd-nspawn exits by itself and removes what it set up on the host (port
    // forwards' NAT rules); then everything left in the unit.
    await systemctl(['stop', '--no-block', unit])
    const nspawn = Number((await systemctl(['show', '--property=MainPID', '--value', unit])).stdout.trim())
    if (leader !== undefined && nspawn > 0) {
      try {
        process.kill(leader, 'SIGKILL')
      } catch {
        // Gone already.
      }
      await waitFor(() => !isAlive(nspawn), 3000, 20)
    }
    await systemctl(['kill', '--signal=SIGKILL', unit])
    const gone = await waitFor(async () => (leader === undefined || !isAlive(leader)) &&
      !(await activeStates([unit]))[0].endsWith('ing'), 10_000, 50)
    if (!gone) throw new UserError(`container ‘${container.name}’ did not go away after SIGKILL`)
    await systemctl(['reset-failed', unit])
    await waitUntilUnregistered(container.name)
    await removeNspawnLeftovers(container.paths.root)
  },

  async applyLimits(container, limits) {
    await setUnitLimits(container, limits)
  },

  async sessionCgroups(container) {
    // A session of a guest without systemd joins its init's cgroup: nspawn's payload group below
    // the unit, inside the unit's limits (the unit's own group has children, so cgroup2 takes no
    // process there). A systemd guest puts its sessions in scopes of its own (operations/exec.ts).
    const leader = await findLeader(container)
    if (leader === undefined || runsSystemd(leader)) return []
    return processCgroups(leader, containerUnit(container.name)).map((group) => path.join(group, 'cgroup.procs'))
  },

  async usage(container) {
    const {stdout} = await systemctl(['show', '--property=MemoryCurrent', '--value', containerUnit(container.name)])
    const bytes = Number(stdout.trim())
    return {memoryBytes: Number.isSafeInteger(bytes) ? bytes : undefined}
  },

  async reload(container, log) {
    log(`systemctl reload ${containerUnit(container.name)}`)
    const reloaded = await systemctl(['reload', containerUnit(container.name)])
    if (!reloaded.ok) return failure(container, 'reload', reloaded.reason)
  },

  consoleLogCommand(container, {follow, lines}) {
    // systemd-nspawn's console output goes to the unit's journal.
    return ['journalctl', `--unit=${containerUnit(container.name)}`, '--no-pager', '--output=cat', `--lines=${lines}`, ...(follow ? ['--follow'] : [])]
  },

  async loginCommand(container, leader) {
    // machinectl login needs the container's own systemd to run a getty on a new pty.
    if (!runsSystemd(leader)) return undefined
    return ['machinectl', 'login', container.name]
  },

  async register(container) {
    await ensureTemplate()
    await syncAutoStart(container)
    await syncDevices(container)
  },

  async unregister(container) {
    const removed = [removeAutoStart(container.name), removeDevices(container.name)]
    if (removed.some(Boolean)) await systemctl(['daemon-reload'])
    await systemctl(['reset-failed', containerUnit(container.name)])
  },
}
