// Talking to the host's systemd and systemd-machined through systemctl and machinectl.
import {failureReason, runCommand, waitFor} from 'nixos-container'


export const containerUnit = (name: string): string => `container@${name}.service`

export interface ManagerResult {
  ok: boolean
  stdout: string
  /** The first line worth showing a user when it failed. */
  reason: string
}

async function run(command: string, args: string[], timeoutMs?: number): Promise<ManagerResult> {
  const result = await runCommand([command, ...args], {timeoutMs})
  const reason = result.timedOut ? `timed out after ${Math.round((timeoutMs ?? 0) / 1000)} s` : failureReason(result)
  return {ok: !result.failed, stdout: result.stdout, reason}
}

export function systemctl(args: string[], timeoutMs?: number): Promise<ManagerResult> {
  return run('systemctl', args, timeoutMs)
}

export function machinectl(args: string[]): Promise<ManagerResult> {
  return run('machinectl', args)
}

/** ActiveState of each unit, in order ("inactive" for units systemd does not know). */
export async function activeStates(units: string[]): Promise<string[]> {
  if (units.length === 0) return []
  const {stdout} = await systemctl(['show', '--property=Id,ActiveState', '--', ...units])
  const byUnit = new Map<string, string>()
  for (const block of stdout.split(/\n\s*\n/)) {
    const fields = Object.fromEntries(block.split('\n').map((line) => {
      const at = line.indexOf('=')
      return [line.slice(0, at), line.slice(at + 1)]
    }))
    if (fields.Id) byUnit.set(fields.Id, fields.ActiveState ?? 'inactive')
  }
  return units.map((unit) => byUnit.get(unit) ?? 'inactive')
}

/** The leader (PID 1 on the host) of a machine registered with systemd-machined. */
export async function machineLeader(name: string): Promise<number | undefined> {
  const {ok, stdout} = await machinectl(['show', name, '--property=Leader', '--value'])
  const pid = Number(stdout.trim())
  return ok && Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/**
 * Waits until systemd-machined has forgotten a machine of this name: it does so a moment after
 * the machine's unit stops, and a start before that fails with "machine already exists".
 * Returns false if it is still registered after `timeoutMs`.
 */
export async function waitUntilUnregistered(name: string, timeoutMs = 5000): Promise<boolean> {
  return waitFor(async () => !(await machinectl(['show', name, '--property=Name'])).ok, timeoutMs, 50)
}

/** The last lines a unit logged, for error messages. */
export async function recentLog(unit: string, lines = 3): Promise<string> {
  const {stdout} = await run('journalctl', ['--unit', unit, '--lines', String(lines), '--output', 'cat', '--no-pager', '--quiet'])
  return stdout.trim().split('\n').filter(Boolean).join(' | ')
}
