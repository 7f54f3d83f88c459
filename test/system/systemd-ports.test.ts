// Issue 13 on a real systemd host (test/helpers/systemd-host.ts): port forwards under the systemd
// supervisor answer a client in another network namespace, TCP and UDP, and with --port-bind the
// host's loopback; stop and terminate take them away. The direct supervisor (--supervisor nspawn)
// registers its container with systemd-machined there, so machinectl lists it.
import assert from 'node:assert/strict'
import path from 'node:path'

import {fixtures} from '../helpers/host.ts'
import {SystemdHost} from '../helpers/systemd-host.ts'

const hostSide = '10.233.153.129'

describe('issue 13 on the systemd test host: forwards under the systemd supervisor, machined under the direct one', function () {
  this.timeout(300_000)
  let host: SystemdHost

  /** Runs a Node snippet on the systemd host, in network namespace NETNS (or the host's own). */
  const node = async (code: string, netns?: string): Promise<string> => {
    const prefix = netns ? ['ip', 'netns', 'exec', netns] : []
    return (await host.exec([...prefix, process.execPath, '-e', code], {timeoutMs: 20_000})).stdout.trim()
  }
  const httpGet = (address: string, port: number, netns?: string): Promise<string> => node(
    `fetch('http://${address}:${port}/', {signal: AbortSignal.timeout(4000)}).then((r) => r.text()).then((t) => console.log(t.trim()), (e) => console.log('failed: ' + (e.cause?.code ?? e.name)))`, netns)
  const udpExchange = (address: string, port: number, netns?: string): Promise<string> => node(
    `const s = require('node:dgram').createSocket('udp4'); const t = setTimeout(() => { console.log('no answer'); s.close() }, 1000);` +
    ` s.on('message', (m) => { clearTimeout(t); console.log(String(m)); s.close() }); s.on('error', (e) => { clearTimeout(t); console.log('failed: ' + e.code); s.close() }); s.send('ping', ${port}, '${address}')`, netns)
  const forwarders = async (): Promise<string> => (await host.exec(['pgrep', '-f', 'port-forwarder[.]js'])).stdout.trim()

  before(async function () {
    this.timeout(600_000)
    host = await SystemdHost.boot('pb-sdhost')
    // A client in a network namespace of its own on the systemd host, on a link to the host.
    await host.sh(['ip netns add pbclient', 'ip link add pbc-host type veth peer name pbc-client netns pbclient',
      `ip addr add ${hostSide}/25 dev pbc-host`, 'ip link set pbc-host up',
      'ip netns exec pbclient ip addr add 10.233.153.130/25 dev pbc-client', 'ip netns exec pbclient ip link set pbc-client up',
      'ip netns exec pbclient ip link set lo up', 'sysctl -qw net.ipv4.ip_forward=1'].join(' && '))
  })
  after(async () => host?.dispose())

  it('under the systemd supervisor, --port forwards answer a client elsewhere (TCP, UDP) and --port-bind the host\'s 127.0.0.1; stop and terminate end both', async () => {
    await host.ok(['create', 'pb-sd', '--config-file', path.join(fixtures, 'container.nix'), '--host-address', '10.233.153.1', '--local-address', '10.233.153.2',
      '--port', 'tcp:8080:80,udp:5353:53', '--port-bind', '127.0.0.1'])
    await host.ok(['start', 'pb-sd'])
    assert.equal((await host.exec(['systemctl', 'is-active', 'container@pb-sd.service'])).stdout.trim(), 'active')
    const udpEcho = (await host.sh(`nix-build --no-out-link -E '(import ${path.join(fixtures, 'nixpkgs/pkgs.nix')} {}).udp-echo'`)).trim()
    await host.ok(['run', 'pb-sd', '--', 'sh', '-c', `${udpEcho}/bin/udp-echo 53 </dev/null >/dev/null 2>&1 &`])
    assert.equal(await httpGet(hostSide, 8080, 'pbclient'), 'hello from the container')
    let answer = ''
    for (let tries = 0; tries < 10 && answer !== 'echo:ping'; tries++) answer = await udpExchange(hostSide, 5353, 'pbclient')
    assert.equal(answer, 'echo:ping')
    assert.equal(await httpGet('127.0.0.1', 8080), 'hello from the container', 'curl localhost:8080 on the host')
    assert.equal(await udpExchange('127.0.0.1', 5353), 'echo:ping')
    // The forwarder runs in the container's unit, which limits can still be set on.
    const forwarder = await forwarders()
    assert.match(await host.sh(`cat /proc/${forwarder}/cgroup`), /container@pb-sd\.service/)
    await host.ok(['set', 'pb-sd', '--memory', '512M'])
    await host.ok(['stop', 'pb-sd'])
    assert.equal(await httpGet(hostSide, 8080, 'pbclient'), 'failed: ECONNREFUSED', 'the forward went with the container')
    assert.equal(await httpGet('127.0.0.1', 8080), 'failed: ECONNREFUSED')
    assert.equal(await forwarders(), '')

    await host.ok(['start', 'pb-sd'])
    assert.equal(await httpGet('127.0.0.1', 8080), 'hello from the container')
    await host.ok(['terminate', 'pb-sd'])
    assert.equal(await httpGet(hostSide, 8080, 'pbclient'), 'failed: ECONNREFUSED')
    assert.equal(await httpGet('127.0.0.1', 8080), 'failed: ECONNREFUSED')
    assert.equal(await forwarders(), '')
    await host.ok(['destroy', 'pb-sd'])
  })

  it('the direct supervisor registers its container with systemd-machined: machinectl lists it while it runs', async () => {
    await host.ok(['create', 'pb-direct', '--config', '', '--host-address', '10.233.153.5', '--local-address', '10.233.153.6'])
    await host.ok(['start', 'pb-direct', '--supervisor', 'nspawn'])
    assert.equal((await host.exec(['systemctl', 'is-active', 'container@pb-direct.service'])).stdout.trim(), 'inactive', 'not through the unit')
    assert.match(await host.sh('machinectl list --no-legend'), /^pb-direct\s+container\s+systemd-nspawn/m)
    const leader = JSON.parse((await host.ok(['status', 'pb-direct', '--json', '--supervisor', 'nspawn'])).stdout).leader
    assert.equal((await host.sh('machinectl show pb-direct --property=Leader --value')).trim(), String(leader))
    await host.ok(['stop', 'pb-direct', '--supervisor', 'nspawn'])
    assert.doesNotMatch(await host.sh('machinectl list --no-legend'), /pb-direct/)
    await host.ok(['destroy', 'pb-direct', '--supervisor', 'nspawn'])
  })
})
