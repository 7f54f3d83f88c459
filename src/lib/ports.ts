// HOST_PORT / --port: systemd-nspawn's --port specs, [tcp:|udp:]HOSTPORT[:CONTAINERPORT], comma
// or space separated.
import {readFileSync} from 'node:fs'

import type {ConfEntries} from './conf.js'
import {UserError} from './errors.js'

const portSyntax = /^((tcp|udp):)?\d{1,5}(:\d{1,5})?$/

export function ports(conf: ConfEntries): string[] {
  const value = conf.get('HOST_PORT') ?? ''
  return value.split(/[,\s]+/).filter(Boolean)
}

export function checkPorts(value: string): void {
  for (const port of value.split(/[,\s]+/).filter(Boolean)) {
    const numbers = port.split(':').filter((p) => /^\d+$/.test(p)).map(Number)
    if (!portSyntax.test(port) || numbers.some((n) => n < 1 || n > 65535)) {
      throw new UserError(`--port: ‘${port}’ is not of the form [tcp:|udp:]HOSTPORT[:CONTAINERPORT]`)
    }
  }
}

/**
 * Why the container's port forwards cannot work on this host, if they cannot: systemd-nspawn
 * forwards by DNAT to the container's address, which the kernel then routes only with IP
 * forwarding on (NixOS turns it on with networking.nat; other hosts may not have it).
 */
export function portForwardingProblem(conf: ConfEntries): string | undefined {
  const specs = ports(conf)
  if (specs.length === 0) return undefined
  const families = [conf.get('LOCAL_ADDRESS') ? 'ipv4' : undefined, conf.get('LOCAL_ADDRESS6') ? 'ipv6' : undefined].filter(Boolean) as string[]
  const off = families.filter((family) => {
    const setting = family === 'ipv4' ? '/proc/sys/net/ipv4/ip_forward' : '/proc/sys/net/ipv6/conf/all/forwarding'
    try {
      return readFileSync(setting, 'utf8').trim() === '0'
    } catch {
      return false
    }
  })
  if (off.length === 0) return undefined
  return `its port forwards (${specs.join(',')}) need IP forwarding, which is off on this host (sysctl -w ${off.map((f) => f === 'ipv4' ? 'net.ipv4.ip_forward=1' : 'net.ipv6.conf.all.forwarding=1').join(' ')}, or networking.nat on NixOS)`
}
