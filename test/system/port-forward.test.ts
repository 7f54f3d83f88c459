// --port forwards that really forward (issue 13): a client in a network namespace of its own
// reaches the host's address and port and gets the container's service, over TCP and UDP, under
// the direct supervisor; after stop the forward is gone. IP forwarding is switched on for the test
// (and back after), as NixOS's networking.nat does; start warns when it is off.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {fixtures, TestHost} from '../helpers/host.ts'

const name = 'pf-web'
const client = 'nc-pfclient'
const hostSide = '10.233.192.1'
const forwarding = '/proc/sys/net/ipv4/ip_forward'

/** Runs a Node snippet in the client's namespace; resolves to what it printed. */
async function fromClient(code: string): Promise<string> {
  const result = await execa('ip', ['netns', 'exec', client, process.execPath, '-e', code], {reject: false, timeout: 20_000})
  return result.stdout.trim()
}

const httpGet = (port: number): Promise<string> => fromClient(
  `fetch('http://${hostSide}:${port}/', {signal: AbortSignal.timeout(4000)}).then((r) => r.text()).then((t) => console.log(t.trim()), (e) => console.log('failed: ' + (e.cause?.code ?? e.name)))`)

/** One datagram to the host's PORT; what came back within a second, or `no answer`. */
const udpExchange = (port: number): Promise<string> => fromClient(
  `const s = require('node:dgram').createSocket('udp4'); const t = setTimeout(() => { console.log('no answer'); s.close() }, 1000);` +
  ` s.on('message', (m) => { clearTimeout(t); console.log(String(m)); s.close() }); s.on('error', (e) => { clearTimeout(t); console.log('failed: ' + e.code); s.close() }); s.send('ping', ${port}, '${hostSide}')`)

describe('port forwards: a client elsewhere reaches the container through the host', function () {
  this.timeout(180_000)
  const host = new TestHost('ports')
  let forwardingBefore = '0'

  before(async () => {
    forwardingBefore = readFileSync(forwarding, 'utf8').trim()
    await execa('ip', ['netns', 'add', client])
    await execa('ip', ['link', 'add', 'pfc-host', 'type', 'veth', 'peer', 'name', 'pfc-client', 'netns', client])
    await execa('ip', ['addr', 'add', `${hostSide}/24`, 'dev', 'pfc-host'])
    await execa('ip', ['link', 'set', 'pfc-host', 'up'])
    for (const argv of [['addr', 'add', '10.233.192.2/24', 'dev', 'pfc-client'], ['link', 'set', 'pfc-client', 'up'], ['link', 'set', 'lo', 'up']]) {
      await execa('ip', ['netns', 'exec', client, 'ip', ...argv])
    }
    await host.ok(['create', name, '--config-file', path.join(fixtures, 'container.nix'), '--host-address', '10.233.191.1', '--local-address', '10.233.191.2',
      '--port', 'tcp:8080:80,udp:5353:53'])
  })
  after(async () => {
    writeFileSync(forwarding, forwardingBefore)
    await execa('ip', ['link', 'delete', 'pfc-host'], {reject: false})
    await execa('ip', ['netns', 'delete', client], {reject: false})
    await host.cleanup()
  })

  it('start warns when IP forwarding is off, as the forwards cannot work then', async () => {
    writeFileSync(forwarding, '0')
    const started = await host.ok(['start', name])
    assert.match(started.stderr, /^nixos-container: warning: container ‘pf-web’ runs, but its port forwards \(tcp:8080:80,udp:5353:53\) need IP forwarding, which is off on this host \(sysctl -w net\.ipv4\.ip_forward=1, or networking\.nat on NixOS\)$/m)
    await host.ok(['stop', name])
  })

  it('TCP and UDP forwards answer a client in another network namespace; stop removes them', async () => {
    writeFileSync(forwarding, '1')
    const started = await host.ok(['start', name])
    assert.doesNotMatch(started.stderr, /warning/)
    // A UDP echo server in the container for the UDP forward: the fixture's udp-echo, from the store.
    const udpEcho = (await execa('nix-build', ['--no-out-link', '-E', `(import ${path.join(fixtures, 'nixpkgs/pkgs.nix')} {}).udp-echo`], {env: {NIX_CONFIG: 'substituters ='}})).stdout.trim()
    await host.ok(['run', name, '--', 'sh', '-c', `${udpEcho}/bin/udp-echo 53 </dev/null >/dev/null 2>&1 &`])
    assert.equal(await httpGet(8080), 'hello from the container')
    let answer = ''
    for (let tries = 0; tries < 10 && answer !== 'echo:ping'; tries++) answer = await udpExchange(5353)
    assert.equal(answer, 'echo:ping')
    // Nothing listens on those ports of the host itself: the answers came through the forwards.
    assert.equal(await httpGet(8081), 'failed: ECONNREFUSED')
    await host.ok(['stop', name])
    assert.equal(await httpGet(8080), 'failed: ECONNREFUSED', 'the forward went with the container')
    assert.notEqual(await udpExchange(5353), 'echo:ping')
  })

  it('terminate (systemd-nspawn killed) leaves no forward behind either', async () => {
    await host.ok(['start', name])
    assert.equal(await httpGet(8080), 'hello from the container')
    await host.ok(['terminate', name])
    assert.equal(await httpGet(8080), 'failed: ECONNREFUSED')
  })
})
