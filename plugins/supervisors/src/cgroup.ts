// A control group of its own for each container run without systemd: systemd in the container
// needs a cgroup subtree it may manage (systemd-nspawn hands it the one it starts in), and the
// group's member list is the kernel's own answer to "which processes are this container's".
// Where systemd runs the host, it does this itself (machine.slice); this is for hosts without it.
import {existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

/** The hierarchies systemd-nspawn and the container's systemd use: cgroup2, and v1's name=systemd on hybrid hosts. */
function hierarchies(): string[] {
  const candidates = existsSync('/sys/fs/cgroup/cgroup.controllers')
    ? ['/sys/fs/cgroup']
    : ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd']
  return candidates.filter((dir) => existsSync(path.join(dir, 'cgroup.procs')))
}

/** Our cgroup of `name` in each hierarchy. */
export function containerCgroups(name: string): string[] {
  return hierarchies().map((root) => path.join(root, 'nixos-containers', name))
}

/** Our own cgroup in `hierarchy`, from /proc/self/cgroup. */
function currentCgroup(hierarchy: string): string {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n')
  const unified = !hierarchy.endsWith('/systemd')
  const line = lines.find((l) => (unified ? l.startsWith('0::') : l.includes(':name=systemd:')))
  return path.join(hierarchy, line ? line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1) : '/')
}

function moveSelf(dir: string): void {
  writeFileSync(path.join(dir, 'cgroup.procs'), `${process.pid}\n`)
}

/**
 * Runs `spawn` from inside the container's own cgroups, so the child (systemd-nspawn) and all it
 * starts belong to them; the caller moves back afterwards. Without writable cgroups (an
 * unprivileged or nested host) the child simply inherits ours.
 */
export function spawnInCgroup<T>(name: string, spawn: () => T): T {
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
