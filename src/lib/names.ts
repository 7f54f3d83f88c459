// Container names: upstream's rules, and --ensure-unique-name's NAME, NAME-0, NAME-1, … sequence.
import {UserError} from './errors.js'

/** `ve-NAME` must fit Linux's 15-character interface names. */
export const maxNameLength = 11

/** Upstream's rule, which every command accepts, so containers upstream made stay reachable. */
export function checkNameSyntax(name: string): void {
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) throw new UserError(`invalid container name ‘${name}’`, {code: 'invalid-name'})
}

/**
 * The rule for new names: upstream's, narrowed to what later uses of the name accept, so a
 * container that `create` makes can always start. systemd's machine names (machine_name_is_valid,
 * i.e. hostname_is_valid) allow letters, digits, '-' and '.', but no '-' at either end of a
 * label; unit instance names (container@NAME.service) would need escaping for anything else.
 */
export function checkNewName(name: string): void {
  checkNameSyntax(name)
  if (name.includes('_')) throw new UserError(`invalid container name ‘${name}’: ‘_’ is not allowed in systemd machine names (use ‘-’)`, {code: 'invalid-name'})
  if (name.startsWith('-') || name.endsWith('-')) throw new UserError(`invalid container name ‘${name}’: it must start and end with a letter or digit`, {code: 'invalid-name'})
}

export function checkNameLength(name: string): void {
  if (name.length > maxNameLength) {
    throw new UserError(`container name ‘${name}’ is too long (at most ${maxNameLength} characters)`, {code: 'invalid-name'})
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
