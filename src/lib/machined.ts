// systemd-machined, the host's registry of containers: its login (machinectl login) is the way
// users other than root reach a container, with polkit deciding who may.
import {existsSync} from 'node:fs'

import {runCommand} from './command.js'
import {systemdIsRunning} from './systemd.js'

export function machinedRuns(): boolean {
  return systemdIsRunning() && existsSync('/run/systemd/machines')
}

/** Whether machined has the container registered (it knows it by its name). */
export async function machineRegistered(name: string): Promise<boolean> {
  return !(await runCommand(['machinectl', 'show', name, '--property=Name'], {timeoutMs: 5000})).failed
}
