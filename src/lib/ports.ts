// HOST_PORT / --port: systemd-nspawn's --port specs, [tcp:|udp:]HOSTPORT[:CONTAINERPORT], comma
// or space separated.
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
