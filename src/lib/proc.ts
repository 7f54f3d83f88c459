// Reading process facts straight from /proc: cheap enough for status and list, which must not
// start a process per container.
import {readFileSync, readlinkSync} from 'node:fs'
import path from 'node:path'

export function readProcFile(pid: number | 'self', file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return undefined
  }
}

export function commandLine(pid: number): string[] | undefined {
  const raw = readProcFile(pid, 'cmdline')
  if (!raw) return undefined
  return raw.split('\0').filter((_, i, all) => i < all.length - 1 || all[i] !== '')
}

export function executable(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`)
  } catch {
    return undefined
  }
}

export function children(pid: number): number[] {
  const raw = readProcFile(pid, `task/${pid}/children`)
  return raw ? raw.trim().split(/\s+/).filter(Boolean).map(Number) : []
}

/** The child of `parent` that runs another program than it: systemd-nspawn's child once it has exec'd the container's init. */
export function execedChild(parent: number): number | undefined {
  const parentExe = executable(parent)
  return children(parent).find((child) => {
    const exe = executable(child)
    return exe !== undefined && exe !== parentExe
  })
}

/** Whether the process is systemd (a container whose init is systemd has its own bus, getty, readiness). */
export function runsSystemd(pid: number): boolean {
  return path.basename(executable(pid) ?? '') === 'systemd'
}

/**
 * /proc/PID/stat's fields after the command name, which may hold spaces and parentheses: the
 * state (field 3) comes first, the start time (field 22) is at index 19.
 */
function statFields(pid: number): string[] | undefined {
  const stat = readProcFile(pid, 'stat')
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const state = statFields(pid)?.[0]
  return state !== undefined && state !== 'Z' && state !== 'X'
}

/**
 * Whether /proc hides other users' processes from this one: mounted with hidepid (its
 * noaccess/invisible modes, 1 and 2), and this process not root. Their pids can then still be
 * listed elsewhere (a cgroup's members) but not looked at here. Asked once: mounts do not change
 * under a command.
 */
let hidden: boolean | undefined
export function othersHidden(): boolean {
  return (hidden ??= process.getuid?.() !== 0 && procMountHides())
}

function procMountHides(): boolean {
  // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS … - FSTYPE SOURCE SUPER-OPTIONS"; of
  // several proc mounts stacked on /proc, the last is the one seen.
  const line = readProcFile('self', 'mountinfo')?.split('\n').findLast((l) => l.split(' ')[4] === '/proc' && / - proc /.test(l))
  const option = line?.split(' - ')[1]?.split(' ')[2]?.split(',').find((o) => o.startsWith('hidepid='))
  return option !== undefined && !['hidepid=0', 'hidepid=off'].includes(option)
}

/**
 * For a pid the kernel lists as a member of a container's cgroup: true while it runs. Under
 * hidepid (othersHidden) another user's process cannot be looked at, and the kernel's listing is
 * taken as it is; otherwise as isAlive (a listed zombie is no longer running).
 */
export function listedAlive(pid: number): boolean {
  const state = statFields(pid)?.[0]
  return state === undefined ? othersHidden() : state !== 'Z' && state !== 'X'
}

/** When PID started, in clock ticks since boot: with the pid, it names one process for good. */
export function startTicks(pid: number): string | undefined {
  return statFields(pid)?.[19]
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls until `done()` holds; false on timeout. */
export async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await done()) return true
    if (Date.now() >= deadline) return false
    await sleep(intervalMs)
  }
}

/** Linux's USER_HZ, the unit of /proc/PID/stat's times (100 on every architecture Linux runs NixOS on). */
const clockTicksPerSecond = 100

/** When process PID started (from its /proc/PID/stat start time and the boot time in /proc/stat). */
export function processStartTime(pid: number): Date | undefined {
  let bootTime: number | undefined
  try {
    bootTime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1])
  } catch {
    return undefined
  }
  const ticks = Number(startTicks(pid))
  if (!bootTime || !Number.isFinite(ticks)) return undefined
  return new Date((bootTime + ticks / clockTicksPerSecond) * 1000)
}
