// A container's system generations: the links PROFILE-N-link beside its profile, as Nix keeps them
// (`nix-env --list-generations` reads the same links: the number from the name, the date from the
// link's own mtime, the system from its target). Read directly: a directory listing, no Nix process.
import {lstatSync, readdirSync, readlinkSync} from 'node:fs'
import path from 'node:path'

import {UserError} from './errors.js'
import {type LogSink, runNix} from './nix.js'

export interface Generation {
  number: number
  /** When the generation was made (the link's mtime, as nix-env shows it). */
  date: Date
  systemPath: string
  current: boolean
}

const linkPattern = (profile: string): RegExp => new RegExp(`^${path.basename(profile).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)-link$`)

/** The number of the generation PROFILE points at; undefined when there is none. */
export function currentGeneration(profile: string): number | undefined {
  try {
    const match = linkPattern(profile).exec(readlinkSync(profile))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

/** Every generation of PROFILE, oldest first. */
export function listGenerations(profile: string): Generation[] {
  let entries: string[]
  try {
    entries = readdirSync(path.dirname(profile))
  } catch {
    return []
  }
  const current = currentGeneration(profile)
  const pattern = linkPattern(profile)
  const generations: Generation[] = []
  for (const entry of entries) {
    const match = pattern.exec(entry)
    if (!match) continue
    const link = path.join(path.dirname(profile), entry)
    try {
      generations.push({number: Number(match[1]), date: lstatSync(link).mtime, systemPath: readlinkSync(link), current: Number(match[1]) === current})
    } catch {
      // Removed meanwhile (nix-collect-garbage -d): not a generation any more.
    }
  }
  return generations.sort((a, b) => a.number - b.number)
}

/**
 * The generation a rollback goes to: TO if given (it must exist and not be the current one), else
 * the newest one older than the current.
 */
export function rollbackTarget(generations: Generation[], to?: number): Generation {
  const current = generations.find((g) => g.current)
  if (to !== undefined) {
    const wanted = generations.find((g) => g.number === to)
    if (!wanted) throw new UserError(`there is no generation ${to} (there are: ${generations.map((g) => g.number).join(', ') || 'none'})`)
    if (wanted.current) throw new UserError(`generation ${to} is already the current one`)
    return wanted
  }
  const older = generations.filter((g) => current === undefined || g.number < current.number).at(-1)
  if (!older) throw new UserError(`there is no generation to roll back to (the current one, ${current?.number ?? 'none'}, is the oldest)`)
  return older
}

/** Points PROFILE at generation NUMBER (nix-env --switch-generation: the same link switch Nix makes). */
export async function switchGeneration(profile: string, number: number, log: LogSink): Promise<void> {
  await runNix('nix-env', ['-p', profile, '--switch-generation', String(number)], log, `failed to switch to generation ${number}`)
}
