// Resource limits of a container: memory, CPU and the number of tasks. Recorded in NAME.conf under
// keys of our own (NixOS's unit ignores keys it does not know, so a conf stays valid for it);
// applied by the supervisor: unit properties under systemd, the container's cgroup without it.
import type {ConfEntries} from './conf.js'
import {UserError} from './errors.js'

export interface ResourceLimits {
  /** memory.max, in bytes. */
  memoryBytes?: number
  /** CPU time, in CPUs' worth (1.5 = one and a half CPUs). */
  cpus?: number
  /** How many processes and threads at most. */
  tasksMax?: number
}

/** A limit asked for on the command line: a value, or `none` to lift it. */
export type LimitChange<T> = T | 'none' | undefined

/** The limits a command asks to change (create, set): an absent one stays as it is. */
export type LimitChanges = {[K in keyof ResourceLimits]?: LimitChange<number>}

const keys = {memoryBytes: 'MEMORY_MAX', cpus: 'CPUS', tasksMax: 'TASKS_MAX'} as const

const units: Record<string, number> = {'': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4}

/** 512M, 2G, 1073741824 (binary units, as systemd's MemoryMax=). */
export function parseSize(flag: string, value: string): LimitChange<number> {
  if (value === 'none') return 'none'
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(value.trim())
  const bytes = match ? Math.floor(Number(match[1]) * units[match[2].toUpperCase()]) : Number.NaN
  if (!Number.isSafeInteger(bytes) || bytes < 1024 * 1024) {
    throw new UserError(`${flag}: ‘${value}’ is not a size of at least 1M (such as 512M or 2G, or none)`)
  }
  return bytes
}

export function parseCpus(flag: string, value: string): LimitChange<number> {
  if (value === 'none') return 'none'
  const cpus = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN
  if (!(cpus >= 0.01)) throw new UserError(`${flag}: ‘${value}’ is not a positive number of CPUs (such as 0.5 or 2, or none)`)
  return cpus
}

export function parseTasks(flag: string, value: string): LimitChange<number> {
  if (value === 'none') return 'none'
  const tasks = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(tasks >= 1) || !Number.isSafeInteger(tasks)) throw new UserError(`${flag}: ‘${value}’ is not a positive whole number (or none)`)
  return tasks
}

export function limitsOfConf(conf: ConfEntries): ResourceLimits {
  const limits: ResourceLimits = {}
  for (const [field, key] of Object.entries(keys) as Array<[keyof ResourceLimits, string]>) {
    const value = Number(conf.get(key))
    if (conf.get(key) && Number.isFinite(value) && value > 0) limits[field] = value
  }
  return limits
}

/** Writes CHANGES into CONF ('none' removes a limit); returns the limits now recorded. */
export function recordLimits(conf: ConfEntries, changes: LimitChanges): ResourceLimits {
  for (const [field, key] of Object.entries(keys) as Array<[keyof ResourceLimits, string]>) {
    const change = changes[field]
    if (change === 'none') conf.delete(key)
    else if (change !== undefined) conf.set(key, String(change))
  }
  return limitsOfConf(conf)
}
