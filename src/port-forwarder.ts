// The forwarder of one container's --port-bind (lib/port-bind.ts), run as its own detached
// process: `node port-forwarder.js NAME PLAN`. It listens on every relay's address, says `ready`
// on stdout (or why not on stderr, exit 1), relays until the container's init is gone or it gets
// SIGTERM, and keeps nothing on disk.
import {createSocket, type Socket as UdpSocket} from 'node:dgram'
import {readFileSync, writeSync} from 'node:fs'
import {connect, createServer, type Server} from 'node:net'

import type {ForwarderPlan, Relay} from './lib/port-bind.js'

const plan = JSON.parse(process.argv[3]) as ForwarderPlan
const closers: Array<() => void> = []
/** A UDP client gets answers for this long after its last datagram. */
const udpIdleMs = 60_000

function listenTcp(relay: Relay): Promise<void> {
  const server: Server = createServer((client) => {
    const upstream = connect({host: relay.target, port: relay.targetPort})
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  closers.push(() => server.close())
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({host: relay.address, port: relay.port, exclusive: true}, () => resolve())
  })
}

function listenUdp(relay: Relay): Promise<void> {
  const family = relay.address.includes(':') ? 'udp6' : 'udp4'
  const server = createSocket(family)
  const upstreams = new Map<string, {socket: UdpSocket; timer: NodeJS.Timeout}>()
  server.on('message', (message, from) => {
    const key = `${from.address}|${from.port}`
    let entry = upstreams.get(key)
    if (!entry) {
      const socket = createSocket(relay.target.includes(':') ? 'udp6' : 'udp4')
      socket.on('message', (answer) => server.send(answer, from.port, from.address))
      socket.on('error', () => socket.close())
      entry = {socket, timer: setTimeout(() => {}, 0)}
      upstreams.set(key, entry)
    }
    clearTimeout(entry.timer)
    const current = entry
    current.timer = setTimeout(() => {
      upstreams.delete(key)
      current.socket.close()
    }, udpIdleMs)
    current.socket.send(message, relay.targetPort, relay.target)
  })
  closers.push(() => server.close())
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.bind({address: relay.address, port: relay.port, exclusive: true}, () => resolve())
  })
}

/** The container's init is gone, or another process now has its pid. */
function leaderGone(): boolean {
  try {
    // As lib/proc.ts startTicks reads it (this file stands alone, importing only Node's modules):
    // the fields after the command name, which may hold ') ' itself.
    const stat = readFileSync(`/proc/${plan.leader}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] !== plan.leaderStart
  } catch {
    return true
  }
}

function quit(): never {
  for (const close of closers) close()
  process.exit(0)
}

try {
  await Promise.all(plan.relays.map((relay) => (relay.protocol === 'tcp' ? listenTcp(relay) : listenUdp(relay)).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${relay.protocol} ${relay.address.includes(':') ? `[${relay.address}]` : relay.address}:${relay.port}: ${error.code ?? error.message}`)
  })))
} catch (error) {
  writeSync(2, `${(error as Error).message}\n`)
  process.exit(1)
}
process.on('SIGTERM', quit)
process.on('SIGINT', quit)
process.on('SIGHUP', () => {})
setInterval(() => {
  if (leaderGone()) quit()
}, 250)
writeSync(1, 'ready\n')
