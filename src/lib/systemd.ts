// Whether systemd runs this host (its own test: /run/systemd/system exists only then).
import {existsSync} from 'node:fs'

export function systemdIsRunning(): boolean {
  return existsSync('/run/systemd/system')
}
