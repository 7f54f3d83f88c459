// --port-bind (issue 13): systemd-nspawn's port forwards leave out the host's loopback (systemd
// issue 6106), so `curl localhost:PORT` on the host gets nothing; with --port-bind 127.0.0.1 (or
// lo) the forwards answer there too, TCP and UDP, through the container's forwarder process. It
// goes with the container at stop, terminate, destroy and when the container powers itself off,
// and bad input is refused with one line before anything is written.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {createConnection} from 'node:net'
import path from 'node:path'

import {fixtures, TestHost} from '../helpers/host.ts'
import {waitFor} from '../../dist/lib/proc.js'

const name = 'pb-web'

/** GET http://ADDRESS:PORT/ from the host itself; the body, or `failed: CODE`. */
async function httpGet(address: string, port: number): Promise<string> {
  try {
    const response = await fetch(`http://${address.includes(':') ? `[${address}]` : address}:${port}/`, {signal: AbortSignal.timeout(4000)})
    return (await response.text()).trim()
  } catch (error) {
    return `failed: ${((error as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? (error as Error).name}`
  }
}

/** Whether anything accepts a TCP connection on 127.0.0.1:PORT. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({host: '127.0.0.1', port})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** One datagram to 127.0.0.1:PORT; the answer within a second, or `no answer`. */
async function udpExchange(port: number): Promise<string> {
  const {createSocket} = await import('node:dgram')
  return new Promise((resolve) => {
    const socket = createSocket('udp4')
    const timer = setTimeout(() => {
      socket.close()
      resolve('no answer')
    }, 1000)
    socket.on('message', (message) => {
      clearTimeout(timer)
      socket.close()
      resolve(String(message))
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.close()
      resolve(`failed: ${error.code}`)
    })
    socket.send('ping', port, '127.0.0.1')
  })
}

/** The forwarder processes of container NAME (a name no other test uses), from /proc. */
function forwarders(container: string): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      return argv[1]?.endsWith('/port-forwarder.js') && argv[2] === container
    } catch {
      return false
    }
  })
}

describe('--port-bind: the forwards answer on the host\'s loopback too', function () {
  this.timeout(240_000)
  const host = new TestHost('port-bind')
  const create = ['create', name, '--config-file', path.join(fixtures, 'container.nix'), '--host-address', '10.233.153.1', '--local-address', '10.233.153.2']

  after(() => host.cleanup())

  it('refuses bad --port-bind input with one line, writing nothing', async () => {
    for (const [args, message] of [
      [['--port', 'tcp:18080:80', '--port-bind', 'nosuch0'], /^nixos-container: --port-bind: ‘nosuch0’ is neither an address nor a network interface of this host$/],
      [['--port', 'tcp:18080:80', '--port-bind', '192.0.2.77'], /^nixos-container: --port-bind: 192\.0\.2\.77 is not an address of this host$/],
      [['--port', 'tcp:18080:80', '--port-bind', 'lo;rm'], /^nixos-container: --port-bind: ‘lo;rm’ is neither an address nor a network interface of this host$/],
      [['--port-bind', 'lo'], /^nixos-container: --port-bind needs --port: there is no port forward to bind$/],
    ] as const) {
      const result = await host.cli([...create, ...args])
      assert.equal(result.exitCode, 1, result.stderr)
      assert.match(result.stderr.trim(), message)
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
      assert.deepEqual(host.leftovers(), [])
    }
  })

  it('without --port-bind, systemd-nspawn\'s forward does not answer on 127.0.0.1 (systemd issue 6106)', async () => {
    await host.ok([...create, '--port', 'tcp:18080:80'])
    await host.ok(['start', name])
    assert.equal(await httpGet('10.233.153.1', 18080), 'hello from the container', 'the forward works on the host\'s other addresses')
    assert.equal(await httpGet('127.0.0.1', 18080), 'failed: ECONNREFUSED')
    await host.ok(['destroy', name])
  })

  it('with --port-bind 127.0.0.1, curl 127.0.0.1:PORT on the host reaches the container, TCP and UDP; stop ends it', async () => {
    await host.ok([...create, '--port', 'tcp:18080:80,udp:15353:53', '--port-bind', '127.0.0.1'])
    assert.match(readFileSync(host.conf(name), 'utf8'), /^PORT_BIND=127\.0\.0\.1$/m)
    const status = JSON.parse((await host.ok(['status', name, '--json'])).stdout)
    assert.deepEqual(status.portBinds, ['127.0.0.1'])
    await host.ok(['start', name])
    assert.equal(await httpGet('127.0.0.1', 18080), 'hello from the container')
    const udpEcho = (await execa('nix-build', ['--no-out-link', '-E', `(import ${path.join(fixtures, 'nixpkgs/pkgs.nix')} {}).udp-echo`], {env: {NIX_CONFIG: 'substituters ='}})).stdout.trim()
    await host.ok(['run', name, '--', 'sh', '-c', `${udpEcho}/bin/udp-echo 53 </dev/null >/dev/null 2>&1 &`])
    let answer = ''
    for (let tries = 0; tries < 10 && answer !== 'echo:ping'; tries++) answer = await udpExchange(15353)
    assert.equal(answer, 'echo:ping')
    assert.equal(forwarders(name).length, 1)
    await host.ok(['stop', name])
    assert.equal(await accepts(18080), false, 'nothing listens on 127.0.0.1:18080 after stop')
    assert.deepEqual(forwarders(name), [])
    assert.equal(existsSync(path.join(host.runtimeDir, `${name}.forward.pid`)), false)
  })

  it('terminate, the container dying and destroy end the forwarder too', async () => {
    await host.ok(['start', name])
    assert.equal(await httpGet('127.0.0.1', 18080), 'hello from the container')
    await host.ok(['terminate', name])
    assert.equal(await accepts(18080), false)
    assert.deepEqual(forwarders(name), [])

    // The container dies by itself, no command of ours involved: its init killed from outside.
    await host.ok(['start', name])
    const [forwarder] = forwarders(name)
    const plan = JSON.parse(readFileSync(`/proc/${forwarder}/cmdline`, 'utf8').split('\0')[3]) as {leader: number}
    process.kill(plan.leader, 'SIGKILL')
    assert.ok(await waitFor(() => forwarders(name).length === 0, 10_000, 50), 'the forwarder follows the container\'s init')
    assert.equal(await accepts(18080), false)

    await host.ok(['start', name])
    assert.equal(await httpGet('127.0.0.1', 18080), 'hello from the container')
    await host.ok(['destroy', name])
    assert.equal(await accepts(18080), false)
    assert.deepEqual(forwarders(name), [])
  })

  it('update --port-bind lo records it anew; a port taken on the host fails the start with one line, leaving the container down', async () => {
    await host.ok([...create, '--port', 'tcp:18080:80'])
    await host.ok(['update', name, '--port-bind', 'lo'])
    assert.match(readFileSync(host.conf(name), 'utf8'), /^PORT_BIND=lo$/m)
    const {createServer} = await import('node:net')
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(18080, '127.0.0.1', resolve))
    try {
      const result = await host.cli(['start', name])
      assert.equal(result.exitCode, 1)
      assert.match(result.stderr, /^nixos-container: .*cannot forward the ports of container ‘pb-web’ on lo: tcp 127\.0\.0\.1:18080: EADDRINUSE/m)
      assert.equal(JSON.parse((await host.ok(['status', name, '--json'])).stdout).state, 'down')
    } finally {
      squatter.close()
    }
    await host.ok(['start', name])
    assert.equal(await httpGet('127.0.0.1', 18080), 'hello from the container')
    await host.ok(['stop', name])
  })
})
