// Address pools and the host's own networks (issue 21): allocation skips what the host has or
// routes elsewhere, pools come from --pool or the settings, a full pool fails cleanly, and start
// refuses a container whose address the host has taken since. All inside 10.233.220.0/22-ish
// ranges, on an interface this test makes (and removes).
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'

import {TestHost} from '../helpers/host.ts'

// A veth pair stands for the host's LAN or VPN interface (this kernel has no dummy links).
const dummy = 'p21-lan'
const ip = async (...args: string[]) => execa('ip', args)
const routes = async (): Promise<string> => (await execa('ip', ['route', 'show', 'table', 'all'])).stdout

describe('address pools that never clash with the host\'s networks', function () {
  this.timeout(120_000)
  const host = new TestHost('pools')
  const localAddress = (name: string): string | undefined => /^LOCAL_ADDRESS=(.*)$/m.exec(readFileSync(host.conf(name), 'utf8'))?.[1]
  const settings = (pools: string[]): void => writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({providers: {upstream: {pools}}}))

  before(async () => {
    await ip('link', 'add', dummy, 'type', 'veth', 'peer', 'name', 'p21-peer')
    await ip('link', 'set', 'p21-peer', 'up')
    await ip('link', 'set', dummy, 'up')
  })
  after(async () => {
    await execa('ip', ['link', 'delete', dummy], {reject: false})
    await host.cleanup()
  })

  it('skips a pair whose address the host has on an interface', async () => {
    await ip('address', 'add', '10.233.220.2/32', 'dev', dummy)
    const created = await host.ok(['create', 'pl-a', '--config', '', '--pool', '10.233.220.0/23'])
    assert.match(created.stderr, /^host IP is 10\.233\.221\.1, container IP is 10\.233\.221\.2$/m)
    assert.match(readFileSync(host.conf('pl-a'), 'utf8'), /^ADDRESS_POOL=10\.233\.220\.0\/23$/m)
  })

  it('skips a pair in a network the host routes through another interface', async () => {
    await ip('route', 'add', '10.233.222.0/24', 'dev', dummy)
    await host.ok(['create', 'pl-b', '--config', '', '--pool', '10.233.222.0/23'])
    assert.equal(localAddress('pl-b'), '10.233.223.2')
  })

  it('a full pool fails in one line naming the setting, with nothing written', async () => {
    await host.ok(['create', 'pl-c', '--config', '', '--pool', '10.233.224.0/24'])
    const before = host.leftovers().sort()
    const full = await host.cli(['create', 'pl-d', '--config', '', '--pool', '10.233.224.0/24'])
    assert.equal(full.exitCode, 1)
    assert.equal(full.stderr, 'nixos-container: out of IP addresses in 10.233.224.0/24: add pools with --pool CIDR, or "providers": {"upstream": {"pools": [...]}} in the settings file\n')
    assert.deepEqual(host.leftovers().sort(), before)
    const odd = await host.cli(['create', 'pl-d', '--config', '', '--pool', '10.233.224.0/25'])
    assert.equal(odd.stderr, 'nixos-container: pool ‘10.233.224.0/25’ is not an IPv4 range of /24 or larger (such as 10.233.0.0/16)\n')
    assert.ok(!existsSync(host.conf('pl-d')))
  })

  it('takes a second configured pool once the first is full; list and status show the pool', async () => {
    settings(['10.233.225.0/24', '10.233.226.0/24'])
    await host.ok(['create', 'pl-e', '--config', ''])
    await host.ok(['create', 'pl-f', '--config', ''])
    assert.deepEqual([localAddress('pl-e'), localAddress('pl-f')], ['10.233.225.2', '10.233.226.2'])
    assert.equal(JSON.parse((await host.ok(['status', 'pl-f', '--json'])).stdout).pool, '10.233.226.0/24')
    const listed = JSON.parse((await host.ok(['list', '--json'])).stdout) as Array<{name: string; pool?: string}>
    assert.equal(listed.find((c) => c.name === 'pl-e')?.pool, '10.233.225.0/24')
  })

  it('parallel creates across a pool boundary never share an address', async () => {
    settings(['10.233.227.0/24', '10.233.228.0/24', '10.233.229.0/24'])
    const results = await Promise.all(['pl-g', 'pl-h', 'pl-i'].map((name) => host.cli(['create', name, '--config', ''])))
    for (const result of results) assert.equal(result.exitCode, 0, result.stderr)
    assert.deepEqual(['pl-g', 'pl-h', 'pl-i'].map(localAddress).sort(), ['10.233.227.2', '10.233.228.2', '10.233.229.2'])
  })

  it('IPv6 too: the ula allocator skips a /64 the host routes elsewhere, its prefix kept', async () => {
    writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({allocator: 'ula', providers: {ula: {prefix: 'fd21:21:21::/48', pools: ['10.233.230.0/24']}}}))
    await ip('-6', 'route', 'add', 'fd21:21:21:1::/64', 'dev', dummy)
    await host.ok(['create', 'pl-v6', '--config', ''])
    const conf = readFileSync(host.conf('pl-v6'), 'utf8')
    assert.match(conf, /^LOCAL_ADDRESS=10\.233\.230\.2$/m)
    assert.match(conf, /^LOCAL_ADDRESS6=fd21:21:21:2::2$/m)
    await host.ok(['destroy', 'pl-v6'])
  })

  it('start refuses a container whose address the host has taken since, leaving the host\'s routes alone', async () => {
    const names = ['pl-g', 'pl-h', 'pl-i']
    const taken = names.find((name) => localAddress(name) === '10.233.227.2')!
    const other = names.find((name) => name !== taken)!
    await ip('route', 'add', '10.233.227.0/24', 'dev', dummy)
    const before = await routes()
    const refused = await host.cli(['start', taken])
    assert.equal(refused.exitCode, 1)
    assert.equal(refused.stderr,
      `nixos-container: cannot start container ‘${taken}’: its HOST_ADDRESS 10.233.227.1 clashes with the host's network (the host routes 10.233.227.0/24 (dev ${dummy}), which holds 10.233.227.1); give it other addresses in ${host.conf(taken)}\n`)
    assert.equal(await routes(), before)
    assert.equal((await host.ok(['status', taken])).stdout, 'down\n')
    // Another container starts as before; a restart that start would refuse leaves it running.
    await host.ok(['start', other])
    const address = localAddress(other)!
    await ip('route', 'add', `${address.replace(/\.2$/, '.0')}/24`, 'dev', dummy)
    const restart = await host.cli(['restart', other])
    assert.equal(restart.exitCode, 1)
    assert.match(restart.stderr, new RegExp(`^nixos-container: cannot start container ‘${other}’: its HOST_ADDRESS`))
    assert.equal((await host.ok(['status', other])).stdout, 'up\n')
    await host.ok(['stop', other])
  })
})
