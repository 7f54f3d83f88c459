// Option values end up in line-based places: NAME.conf (one KEY=VALUE a line, read by systemd's
// EnvironmentFile= and by the module's unit script), drop-ins of the container's unit, and the
// systemd-nspawn command line. A line break in a value would be read there as more than it is
// (`--memory $'64M\nX=1'` as a second setting), so no option value may hold one, nor any other
// control character. Only free text is exempt: --config is Nix code for configuration.nix.
import {UserError} from './errors.js'

/** Options whose values are free text, written where line breaks are at home. */
const freeTextOptions = new Set(['config'])

const controlCharacter = /[\u0000-\u001F\u007F]/

/** VALUE shown on one line, its control characters escaped (\n, \t, \xNN). */
export function oneLineValue(value: string): string {
  const named: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}
  return value.replace(/[\u0000-\u001F\u007F]/g, (c) => named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** Refuses the first option value (of parsed FLAGS, by option name) that holds a control character. */
export function checkOptionValues(flags: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(flags)) {
    if (freeTextOptions.has(name)) continue
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string' || !controlCharacter.test(item)) continue
      const what = /[\n\r]/.test(item) ? 'a line break' : 'a control character'
      throw new UserError(`--${name}: ‘${oneLineValue(item)}’ holds ${what}, which no option value may hold`, {code: 'invalid-argument'})
    }
  }
}
