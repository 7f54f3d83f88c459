// A control group of its own for each container run without systemd: systemd in the container
// needs a cgroup subtree it may manage (systemd-nspawn hands it the one it starts in), and the
// group's member list is the kernel's own answer to "which processes are this container's".
// Where systemd runs the host, it does this itself (machine.slice); this is for hosts without it.
// The same groups carry the container's resource limits (memory, CPU, tasks).
import {existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {type ResourceLimits, UserError} from 'nixos-container'

/** The controllers that carry limits: cgroup2's, or on hybrid hosts (whose cgroup2 has none) v1's of these names. */
const limitControllers = ['memory', 'cpu', 'pids']

/**
 * The hierarchies systemd-nspawn and the container's systemd use (cgroup2, and v1's name=systemd
 * on hybrid hosts), and on hybrid hosts the v1 controllers that carry limits.
 */
let found: string[] | undefined
function hierarchies(): string[] {
  // Mounts do not change under a command: looked up once, not once per container (list).
  return (found ??= mountedHierarchies())
}

function mountedHierarchies(): string[] {
  const candidates = existsSync('/sys/fs/cgroup/cgroup.controllers')
    ? ['/sys/fs/cgroup']
    : ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd', ...limitControllers.map((c) => `/sys/fs/cgroup/${c}`)]
  return candidates.filter((dir) => existsSync(path.join(dir, 'cgroup.procs')))
}

const isCgroup2 = (root: string): boolean => existsSync(path.join(root, 'cgroup.controllers'))

/** Our cgroup of `name` in each hierarchy. */
export function containerCgroups(name: string): string[] {
  return hierarchies().map((root) => path.join(root, 'nixos-containers', name))
}

/** The cgroup of process PID (ours by default) in `hierarchy`, from /proc/PID/cgroup ("ID:CONTROLLERS:PATH" lines). */
function currentCgroup(hierarchy: string, pid: number | 'self' = 'self'): string {
  return path.join(hierarchy, cgroupLine(hierarchy, pid))
}

/** PATH of the /proc/PID/cgroup line for `hierarchy`, as the kernel wrote it ("/" when there is none). */
function cgroupLine(hierarchy: string, pid: number | 'self'): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').filter(Boolean).map((l) => l.split(':'))
  const name = path.basename(hierarchy)
  const line = isCgroup2(hierarchy)
    ? lines.find(([id]) => id === '0')
    : lines.find(([, controllers]) => controllers.split(',').includes(name === 'systemd' ? 'name=systemd' : name))
  return line ? line.slice(2).join(':') : '/'
}

/**
 * The cgroups process PID is in, in the hierarchies that count a container's processes and carry
 * its limits: those that exist here, none if PID is gone. A hierarchy's root is left out: no
 * container lives there, so it holds none of its limits. PID is a container's, so its
 * /proc/PID/cgroup names groups the guest made and named (a name may even hold a line break and
 * pass for another line): only a group below the container's own, OWN (a path component such as
 * `container@NAME.service`), with no `.` or `..` on the way, is taken.
 */
export function processCgroups(pid: number, own: string): string[] {
  try {
    return hierarchies().map((root) => [root, cgroupLine(root, pid)])
      .filter(([, line]) => isGroupBelow(line, own))
      .map(([root, line]) => path.join(root, line))
      .filter((group) => existsSync(group))
  } catch {
    return []
  }
}

/** Whether LINE, a cgroup path as /proc/PID/cgroup gives it, names a group in the one named OWN. */
export function isGroupBelow(line: string, own: string): boolean {
  const components = line.split('/').filter(Boolean)
  // eslint-disable-next-line no-control-regex
  return components.includes(own) && !components.some((c) => c === '.' || c === '..' || /[\x00-\x1f]/.test(c))
}

function moveSelf(dir: string): void {
  writeFileSync(path.join(dir, 'cgroup.procs'), `${process.pid}\n`)
}

/**
 * Runs `spawn` from inside the container's own cgroups, so the child (systemd-nspawn) and all it
 * starts belong to them; the caller moves back afterwards. Without writable cgroups (an
 * unprivileged or nested host) the child simply inherits ours.
 */
export function spawnInCgroup<T>(name: string, limits: ResourceLimits, spawn: () => T): T {
  const moves: Array<{group: string; home: string}> = []
  try {
    for (const group of containerCgroups(name)) {
      const home = currentCgroup(path.dirname(path.dirname(group)))
      mkdirSync(group, {recursive: true})
      moveSelf(group)
      moves.push({group, home})
    }
  } catch {
    // Not ours to manage here: fall through and spawn where we are.
  }
  // In force before the container's first process runs.
  if (moves.length > 0) applyCgroupLimits(name, limits)
  try {
    return spawn()
  } finally {
    for (const {home} of moves) {
      try {
        moveSelf(home)
      } catch {
        // Our old group went away: staying in the container's is harmless for a short-lived CLI.
      }
    }
  }
}

/** Every process in the container's cgroups (nspawn, its init and all below), from the kernel. */
export function cgroupProcesses(name: string): number[] {
  const pids = new Set<number>()
  const visit = (dir: string): void => {
    // A container that is not running has no group: asked first, not learnt from a thrown ENOENT.
    if (!existsSync(dir)) return
    try {
      for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) pids.add(Number(pid))
      for (const entry of readdirSync(dir, {withFileTypes: true})) if (entry.isDirectory()) visit(path.join(dir, entry.name))
    } catch {
      // Gone meanwhile.
    }
  }
  for (const group of containerCgroups(name)) visit(group)
  pids.delete(process.pid)
  return [...pids]
}

/** Removes the container's (empty) cgroups, deepest first, as the kernel requires. */
export function removeCgroups(name: string): void {
  const remove = (dir: string): void => {
    try {
      for (const entry of readdirSync(dir, {withFileTypes: true})) if (entry.isDirectory()) remove(path.join(dir, entry.name))
      rmdirSync(dir)
    } catch {
      // Still busy, or gone already.
    }
  }
  for (const group of containerCgroups(name)) remove(group)
}

/** Files that set each limit, by hierarchy kind; `undefined` lifts the limit. */
const limitFiles = {
  cgroup2: {
    memoryBytes: (v?: number) => ['memory.max', v === undefined ? 'max' : String(v)],
    cpus: (v?: number) => ['cpu.max', `${v === undefined ? 'max' : Math.round(v * 100_000)} 100000`],
    tasksMax: (v?: number) => ['pids.max', v === undefined ? 'max' : String(v)],
  },
  memory: {memoryBytes: (v?: number) => ['memory.limit_in_bytes', v === undefined ? '-1' : String(v)]},
  cpu: {cpus: (v?: number) => ['cpu.cfs_quota_us', v === undefined ? '-1' : String(Math.round(v * 100_000))]},
  pids: {tasksMax: (v?: number) => ['pids.max', v === undefined ? 'max' : String(v)]},
} as const

/** cgroup2 hands controllers down only where each parent lists them in cgroup.subtree_control. */
function enableControllers(group: string): void {
  const parents = [path.dirname(path.dirname(group)), path.dirname(group)]
  for (const parent of parents) {
    const available = readFileSync(path.join(parent, 'cgroup.controllers'), 'utf8').split(/\s+/)
    for (const controller of limitControllers.filter((c) => available.includes(c))) {
      try {
        writeFileSync(path.join(parent, 'cgroup.subtree_control'), `+${controller}`)
      } catch {
        // Not delegated to us: the limit is then reported as not applicable.
      }
    }
  }
}

/**
 * Sets the container's limits in its cgroups (CPU periods of 100 ms, as systemd's CPUQuota=); a
 * limit asked for that no hierarchy here can carry is refused in one line.
 */
export function applyCgroupLimits(name: string, limits: ResourceLimits): void {
  const applied = new Set<string>()
  for (const group of containerCgroups(name)) {
    if (!existsSync(group)) continue
    const root = path.dirname(path.dirname(group))
    const kind = isCgroup2(root) ? 'cgroup2' : path.basename(root)
    const setters = limitFiles[kind as keyof typeof limitFiles] as Record<string, (v?: number) => readonly string[]> | undefined
    if (!setters) continue
    if (kind === 'cgroup2') enableControllers(group)
    for (const [field, setter] of Object.entries(setters)) {
      const [file, value] = setter(limits[field as keyof ResourceLimits])
      try {
        if (kind === 'cpu') writeFileSync(path.join(group, 'cpu.cfs_period_us'), '100000')
        writeFileSync(path.join(group, file), value)
        applied.add(field)
      } catch {
        // This hierarchy does not carry it; another may.
      }
    }
  }
  const missing = (Object.keys(limits) as Array<keyof ResourceLimits>).filter((field) => limits[field] !== undefined && !applied.has(field))
  if (missing.length > 0) {
    const names = {memoryBytes: 'memory', cpus: 'CPU', tasksMax: 'task'}
    throw new UserError(`cannot apply the ${missing.map((f) => names[f]).join(' and ')} limit here: this host gives no cgroup controller for it`)
  }
}

/** The memory the container's processes use now, in bytes. */
export function cgroupMemoryUse(name: string): number | undefined {
  for (const group of containerCgroups(name)) {
    for (const file of ['memory.current', 'memory.usage_in_bytes']) {
      try {
        return Number(readFileSync(path.join(group, file), 'utf8').trim())
      } catch {
        // Not this hierarchy.
      }
    }
  }
  return undefined
}
