// What the kernel says about a directly supervised container. The pid file is a note we keep; the
// container's cgroup (cgroup.ts) is the truth: a killed systemd-nspawn leaves its init running in
// it (reparented to the host's PID 1), a lost pid file leaves nspawn running in it. Every command
// of the direct supervisor starts from this census, so neither can hide a running container.
import path from 'node:path'

import {cgroupProcesses} from './cgroup.js'
import {isNspawnOf, isReady, nspawnPid} from './pid-file.js'
import {type Container, execedChild, executable, isAlive, listedAlive, othersHidden, readProcFile} from 'nixos-container'

export interface Census {
  /** Our systemd-nspawn for this machine: the pid file's, else one found in the cgroup. */
  nspawn?: number
  /** Whether the pid file names that nspawn (false: it was lost or overwritten). */
  recorded: boolean
  /** Whether the container has reported that it booted (READY=1, pid-file.ts). */
  ready: boolean
  /** The container's PID 1 as the host sees it. */
  init?: number
  /** Every live process of the container, nspawn included. */
  processes: number[]
  /**
   * /proc hides the container's processes from us (hidepid, not root): they are counted from the
   * cgroup, but which is nspawn or init, and so what is wrong, cannot be known.
   */
  hidden: boolean
}

function statusField(pid: number, field: string): string[] {
  const line = readProcFile(pid, 'status')?.split('\n').find((l) => l.startsWith(`${field}:`))
  return line ? line.slice(field.length + 1).trim().split(/\s+/) : []
}

/** How many pid namespaces deep we are: a container's init has one more level, and is 1 in the last. */
const ownDepth = (): number => Math.max(1, statusField(process.pid, 'NSpid').length)

function isContainerInit(pid: number, depth: number): boolean {
  const ids = statusField(pid, 'NSpid')
  return ids.length === depth + 1 && ids.at(-1) === '1'
}

export function parentOf(pid: number): number | undefined {
  const [ppid] = statusField(pid, 'PPid')
  return ppid === undefined ? undefined : Number(ppid)
}

export function takeCensus(container: Container): Census {
  const processes = cgroupProcesses(container.name).filter(listedAlive)
  const recordedNspawn = nspawnPid(container)
  const nspawn = recordedNspawn ?? processes.find((pid) => isNspawnOf(container, pid))
  if (nspawn !== undefined && !processes.includes(nspawn)) processes.push(nspawn)
  const depth = ownDepth()
  return {
    nspawn,
    recorded: recordedNspawn !== undefined,
    ready: recordedNspawn !== undefined && isReady(container),
    // Where machined keeps the container in a scope of its own, our cgroup is empty: nspawn's child.
    init: processes.find((pid) => isContainerInit(pid, depth)) ?? (nspawn === undefined ? undefined : execedChild(nspawn)),
    processes,
    hidden: othersHidden(),
  }
}

/**
 * Whether the start (or the unit's helper) that spawned this nspawn still runs and waits on it: a
 * start that died leaves its nspawn to PID 1 or to a subreaper, never to a Node process.
 */
export function isBeingStarted(nspawn: number): boolean {
  const parent = parentOf(nspawn)
  return parent !== undefined && parent > 1 && isAlive(parent) && /^node/.test(path.basename(executable(parent) ?? ''))
}

/** What is wrong with a running container, as one clause, or undefined when nothing is. */
export function problemOf(census: Census): string | undefined {
  const {nspawn, recorded, ready, init, processes, hidden} = census
  if (processes.length === 0 || hidden) return undefined
  if (nspawn === undefined) {
    return init === undefined
      ? `its systemd-nspawn is gone, but ${processes.length} of its processes still run (pids ${processes.join(' ')})`
      : `its systemd-nspawn is gone, but its init still runs (pid ${init})`
  }
  if (!recorded) return `its pid file is missing, but its systemd-nspawn still runs (pid ${nspawn})`
  if (!ready && !isBeingStarted(nspawn)) return `its start was interrupted before it had booted (systemd-nspawn pid ${nspawn})`
  return undefined
}
