// Container names: upstream's rules, and --ensure-unique-name's NAME, NAME-0, NAME-1, … sequence.
import {UserError} from './errors.js'

/** `ve-NAME` must fit Linux's 15-character interface names. */
export const maxNameLength = 11

export function checkNameSyntax(name: string): void {
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) throw new UserError(`invalid container name ‘${name}’`)
}

export function checkNameLength(name: string): void {
  if (name.length > maxNameLength) {
    throw new UserError(`container name ‘${name}’ is too long (at most ${maxNameLength} characters)`)
  }
}

/**
 * The first of NAME, NAME-0, NAME-1, … that is free. Unlike upstream, a candidate that would be too
 * long is made by shortening the base, so the result always fits (e.g. "webserver01" → "webserver-0").
 */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base) && base.length <= maxNameLength) return base
  for (let nr = 0; ; nr++) {
    const suffix = `-${nr}`
    const candidate = base.slice(0, maxNameLength - suffix.length) + suffix
    if (suffix.length >= maxNameLength) throw new UserError(`no free name derived from ‘${base}’`)
    if (!taken(candidate)) return candidate
  }
}
