// The container's network as container@.service sets it up, but done entirely from the host with
// the host's `ip` entering the container's network namespace, so the container needs no tools.
//   container: host0 → eth0, optional MAC, up, LOCAL_ADDRESS(6), route to HOST_ADDRESS(6), default via it
//   host:      ve-NAME up, HOST_ADDRESS(6), route to LOCAL_ADDRESS(6) via ve-NAME (unless bridged)

import {existsSync} from 'node:fs'

import {type ConfEntries, failureReason, runCommand, UserError, withoutPrefix} from 'nixos-container'

export function hostInterface(name: string, conf: ConfEntries): string {
  return conf.get('HOST_BRIDGE') ? `vb-${name}` : `ve-${name}`
}

/** Whether nspawn gets --network-veth: upstream adds it when any address or a bridge is set. */
export function wantsVeth(conf: ConfEntries): boolean {
  return ['HOST_ADDRESS', 'LOCAL_ADDRESS', 'HOST_ADDRESS6', 'LOCAL_ADDRESS6', 'HOST_BRIDGE'].some((k) => Boolean(conf.get(k)))
}

interface Batch {
  family: '-4' | '-6'
  lines: string[]
}

export function containerSideCommands(conf: ConfEntries): Batch[] {
  const v4: string[] = ['link set host0 name eth0']
  const mac = conf.get('LOCAL_MAC_ADDRESS')
  if (mac) v4.push(`link set eth0 address ${mac}`)
  v4.push('link set eth0 up')
  const v6: string[] = []
  for (const [batch, local, host] of [
    [v4, conf.get('LOCAL_ADDRESS'), conf.get('HOST_ADDRESS')],
    [v6, conf.get('LOCAL_ADDRESS6'), conf.get('HOST_ADDRESS6')],
  ] as const) {
    if (local) batch.push(`addr add ${local} dev eth0`)
    if (host) batch.push(`route add ${withoutPrefix(host)} dev eth0`, `route add default via ${withoutPrefix(host)}`)
  }
  return [{family: '-4', lines: v4}, {family: '-6', lines: v6}]
}

export function hostSideCommands(name: string, conf: ConfEntries): Batch[] {
  if (conf.get('HOST_BRIDGE')) return []
  const iface = hostInterface(name, conf)
  const v4 = [`link set ${iface} up`]
  const v6: string[] = []
  for (const [batch, host, local] of [
    [v4, conf.get('HOST_ADDRESS'), conf.get('LOCAL_ADDRESS')],
    [v6, conf.get('HOST_ADDRESS6'), conf.get('LOCAL_ADDRESS6')],
  ] as const) {
    if (host) batch.push(`addr replace ${host} dev ${iface}`)
    if (local) batch.push(`route replace ${withoutPrefix(local)} dev ${iface}`)
  }
  return [{family: '-4', lines: v4}, {family: '-6', lines: v6}]
}

/** In order: the -4 batch brings the link up, without which the kernel refuses IPv6 routes on it. */
async function runBatches(prefix: string[], batches: Batch[], where: string): Promise<void> {
  for (const {family, lines} of batches) {
    if (lines.length === 0) continue
    const result = await runCommand([...prefix, 'ip', family, '-batch', '-'], {input: lines.join('\n') + '\n'})
    if (result.failed) throw new UserError(`failed to configure ${where} network: ${failureReason(result)}`)
  }
}

/**
 * Configures both ends of the veth link of a container whose leader (PID 1) is `leader`. The
 * container's init waits for this (boot.ts's gate), so its two ends are set up side by side:
 * neither touches anything of the other's.
 */
export async function configureNetwork(name: string, conf: ConfEntries, leader: number): Promise<void> {
  if (!wantsVeth(conf) || conf.get('NETWORK_NAMESPACE_PATH')) return
  const results = await Promise.allSettled([
    runBatches(['nsenter', '-t', String(leader), '-n'], containerSideCommands(conf), 'the container\'s'),
    runBatches([], hostSideCommands(name, conf), 'the host\'s'),
  ])
  const failed = results.find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
}

/** Removes a stale veth left by a container that died without its namespace being cleaned up. */
export async function removeStaleLinks(name: string): Promise<void> {
  // Asking /sys first spares a start the two `ip` processes in the usual case: no stale link.
  const stale = [`ve-${name}`, `vb-${name}`].filter((iface) => existsSync(`/sys/class/net/${iface}`))
  if (stale.length === 0) return
  for (const iface of stale) await runCommand(['ip', 'link', 'delete', iface])
}
