// --port-bind ADDR|IFACE (PORT_BIND in NAME.conf): the container's port forwards answered on more
// of the host's addresses, the loopback above all. systemd-nspawn's own forwards (HOST_PORT, its
// --port) are NAT rules that leave out 127.0.0.0/8 (systemd issue 6106), so `curl localhost:8080`
// on the host gets nothing. Here a small forwarder process (port-forwarder.ts) listens on the
// given addresses and relays each connection (TCP) or datagram (UDP) to the container's address.
// A process rather than more NAT rules: DNAT to the container from the loopback needs
// route_localnet and a source NAT besides, through nft or iptables, which many hosts (this one's
// tests among them) do not have, and which stay behind when a container dies unattended; a
// process listens only where asked, also on ::1, and goes with the container: it watches the
// container's init and exits with it, and stop, terminate and destroy end it too.
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {isIP} from 'node:net'
import {networkInterfaces} from 'node:os'
import path from 'node:path'

import {withoutPrefix} from './addresses.js'
import type {ConfEntries} from './conf.js'
import {listValue} from './conf.js'
import {packageRoot} from './entry.js'
import {UserError} from './errors.js'
import type {ContainerPaths} from './paths.js'
import {ports} from './ports.js'
import {commandLine, isAlive, startTicks, waitFor} from './proc.js'

export const portBindKey = 'PORT_BIND'

/** One socket the forwarder listens on, and where what arrives there goes. */
export interface Relay {
  protocol: 'tcp' | 'udp'
  address: string
  port: number
  target: string
  targetPort: number
}

/** What the forwarder is told: the container's name, its init (pid and start time) and the relays. */
export interface ForwarderPlan {
  name: string
  leader: number
  leaderStart: string
  relays: Relay[]
}

const interfaceName = /^[A-Za-z0-9_.:-]{1,15}$/

function hostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((info) => info.address))
}

/** Checks each --port-bind value: an address of this host or one of its interfaces; and that there are forwards to bind. */
export function checkPortBinds(binds: string[], portSpecs: string | undefined): void {
  if (binds.length === 0) return
  if (!portSpecs?.trim()) throw new UserError('--port-bind needs --port: there is no port forward to bind')
  for (const bind of binds) {
    if (isIP(bind)) {
      if (!bind.startsWith('127.') && !hostAddresses().includes(bind)) throw new UserError(`--port-bind: ${bind} is not an address of this host`)
    } else if (!interfaceName.test(bind) || !existsSync(path.join('/sys/class/net', bind))) {
      throw new UserError(`--port-bind: ‘${bind}’ is neither an address nor a network interface of this host`)
    }
  }
}

export function portBindsOf(conf: ConfEntries): string[] {
  return listValue(conf, portBindKey)
}

/** The addresses BIND stands for now: itself, or the addresses of that interface (link-local IPv6 left out). */
function addressesOf(bind: string): string[] {
  if (isIP(bind)) return [bind]
  const found = (networkInterfaces()[bind] ?? []).map((info) => info.address).filter((address) => !address.startsWith('fe80:'))
  if (found.length === 0) throw new UserError(`--port-bind: the interface ${bind} has no address to listen on`)
  return found
}

/** The relays CONF asks for: each HOST_PORT forward on each address of each PORT_BIND. */
export function relaysOf(conf: ConfEntries): Relay[] {
  const binds = portBindsOf(conf)
  const local = conf.get('LOCAL_ADDRESS') || conf.get('LOCAL_ADDRESS6')
  if (binds.length === 0 || !local) return []
  const target = withoutPrefix(local)
  const relays: Relay[] = []
  for (const spec of ports(conf)) {
    const parts = spec.split(':')
    const protocol = parts[0] === 'udp' ? 'udp' : 'tcp'
    const [hostPort, containerPort = hostPort] = (parts[0] === 'tcp' || parts[0] === 'udp' ? parts.slice(1) : parts).map(Number)
    for (const bind of binds) {
      for (const address of addressesOf(bind)) relays.push({protocol, address, port: hostPort, target, targetPort: containerPort})
    }
  }
  return relays
}

/** Shipped beside the bundle, standalone (it imports only Node's modules). */
const forwarderScript = path.join(packageRoot, 'dist/port-forwarder.js')

function pidFileOf(paths: ContainerPaths): string {
  return path.join(path.dirname(paths.pidFile), `${path.basename(paths.pidFile, '.pid')}.forward.pid`)
}

/** The pid of NAME's forwarder, if it runs (checked by its command line, not only the pid file). */
function runningForwarder(paths: ContainerPaths, name: string): number | undefined {
  let pid: number
  try {
    pid = Number(readFileSync(pidFileOf(paths), 'utf8').trim())
  } catch {
    return undefined
  }
  const argv = commandLine(pid)
  if (!argv || argv[1] !== forwarderScript || argv[2] !== name) return undefined
  return pid
}

/**
 * Starts the forwarder of a container whose init is LEADER, if its conf asks for one and it does
 * not run already; resolves once it listens on every address, or fails with why it cannot.
 */
export async function startPortForwarder(name: string, conf: ConfEntries, paths: ContainerPaths, leader: number): Promise<void> {
  const relays = relaysOf(conf)
  if (relays.length === 0 || runningForwarder(paths, name) !== undefined) return
  const leaderStart = startTicks(leader) ?? ''
  const plan: ForwarderPlan = {name, leader, leaderStart, relays}
  const child = spawn(process.execPath, [forwarderScript, name, JSON.stringify(plan)], {detached: true, stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  const outcome = await new Promise<string>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('\n')) resolve(output.trim())
    })
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', (error) => resolve(`error: ${error.message}`))
    child.once('exit', () => resolve(output.trim() || 'error: it exited'))
  })
  child.stdout!.destroy()
  child.stderr!.destroy()
  child.unref()
  if (outcome !== 'ready') {
    if (child.pid !== undefined && isAlive(child.pid)) child.kill('SIGKILL')
    throw new UserError(`cannot forward the ports of container ‘${name}’ on ${portBindsOf(conf).join(', ')}: ${outcome.replace(/^error: /, '').split('\n')[0]}`)
  }
  mkdirSync(path.dirname(pidFileOf(paths)), {recursive: true, mode: 0o755})
  writeFileSync(pidFileOf(paths), `${child.pid}\n`)
}

/** Ends the container's forwarder, if one runs; after this nothing listens for it. */
export async function stopPortForwarder(name: string, paths: ContainerPaths): Promise<void> {
  const pid = runningForwarder(paths, name)
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM')
    if (!(await waitFor(() => !isAlive(pid), 2000, 10))) process.kill(pid, 'SIGKILL')
    await waitFor(() => !isAlive(pid), 2000, 10)
  }
  rmSync(pidFileOf(paths), {force: true})
}
