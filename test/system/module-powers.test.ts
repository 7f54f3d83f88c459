// The NixOS module's powers for imperative containers (issue 13): bind mounts, the host's network,
// an ephemeral root, capabilities, TUN and private users, on real containers under the direct
// supervisor (the systemd supervisor, and NixOS's unit reading the same conf, in systemd.test.ts).
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {TestHost} from '../helpers/host.ts'

const capSysTime = 25n
const boundingSet = (pid: number): bigint => BigInt('0x' + /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1])
const hasCapability = (pid: number, bit: bigint): boolean => ((boundingSet(pid) >> bit) & 1n) === 1n

describe('module powers for imperative containers: binds, host network, ephemeral, capabilities, TUN, private users', function () {
  this.timeout(180_000)
  const host = new TestHost('powers')
  const shared = path.join(host.dir, 'shared')
  const run = async (name: string, script: string) => host.cli(['run', name, '--', 'sh', '-c', script])
  const leader = async (name: string): Promise<number> => JSON.parse((await host.ok(['status', name, '--json'])).stdout).leader

  before(() => {
    mkdirSync(path.join(shared, 'rw'), {recursive: true})
    writeFileSync(path.join(shared, 'from-host'), 'written on the host\n')
  })
  after(() => host.cleanup())

  it('--bind-ro shows a host directory read-only, --bind read-write; recorded as the module writes them; update sets them anew', async () => {
    await host.ok(['create', 'mp-bind', '--config', '', '--host-address', '10.233.180.1', '--local-address', '10.233.180.2',
      '--bind-ro', `${shared}:/mnt/ro`, '--bind', `${shared}/rw:/mnt/rw`])
    assert.match(readFileSync(host.conf('mp-bind'), 'utf8'), new RegExp(`^EXTRA_NSPAWN_FLAGS="--bind=${shared}/rw:/mnt/rw --bind-ro=${shared}:/mnt/ro"$`, 'm'))
    await host.ok(['start', 'mp-bind'])
    assert.equal((await run('mp-bind', 'cat /mnt/ro/from-host')).stdout, 'written on the host\n')
    const write = await run('mp-bind', 'echo nope > /mnt/ro/from-guest')
    assert.notEqual(write.exitCode, 0)
    assert.match(write.stderr, /Read-only file system/)
    assert.ok(!existsSync(path.join(shared, 'from-guest')))
    assert.equal((await run('mp-bind', 'echo written in the container > /mnt/rw/from-guest')).exitCode, 0)
    assert.equal(readFileSync(path.join(shared, 'rw/from-guest'), 'utf8'), 'written in the container\n')
    const status = JSON.parse((await host.ok(['status', 'mp-bind', '--json'])).stdout)
    assert.deepEqual(status.binds, [{host: `${shared}/rw`, guest: '/mnt/rw', readOnly: false}, {host: shared, guest: '/mnt/ro', readOnly: true}])
    assert.equal(hasCapability(status.leader, capSysTime), false, 'a plain container has no CAP_SYS_TIME')
    // update without container options keeps them; with some, records them anew for the next start.
    await host.ok(['update', 'mp-bind'])
    assert.equal(JSON.parse((await host.ok(['status', 'mp-bind', '--json'])).stdout).binds.length, 2)
    const changed = await host.ok(['update', 'mp-bind', '--bind-ro', `${shared}/rw:/mnt/only`])
    assert.match(changed.stderr, /container ‘mp-bind’ gets its new container options at its next start \(nixos-container restart mp-bind\)/)
    assert.match(readFileSync(host.conf('mp-bind'), 'utf8'), new RegExp(`^EXTRA_NSPAWN_FLAGS=--bind-ro=${shared}/rw:/mnt/only$`, 'm'))
    assert.equal((await run('mp-bind', 'cat /mnt/ro/from-host')).exitCode, 0, 'the running container keeps its mounts until it restarts')
    await host.ok(['restart', 'mp-bind'])
    assert.equal((await run('mp-bind', 'cat /mnt/only/from-guest')).stdout, 'written in the container\n')
    assert.notEqual((await run('mp-bind', 'cat /mnt/ro/from-host')).exitCode, 0)
    const refused = await host.cli(['update', 'mp-bind', '--bind', 'relative/path'])
    assert.equal(refused.exitCode, 1)
    assert.match(refused.stderr, /--bind: the host path ‘relative\/path’ is not absolute/)
    assert.match(readFileSync(host.conf('mp-bind'), 'utf8'), /^EXTRA_NSPAWN_FLAGS=--bind-ro=.*\/mnt\/only$/m)
    await host.ok(['destroy', 'mp-bind'])
    assert.equal(readFileSync(path.join(shared, 'from-host'), 'utf8'), 'written on the host\n', 'destroy leaves bound host files alone')
  })

  it('--ephemeral: nothing written inside survives a restart', async () => {
    await host.ok(['create', 'mp-eph', '--config', '', '--host-address', '10.233.181.1', '--local-address', '10.233.181.2', '--ephemeral'])
    await host.ok(['start', 'mp-eph'])
    assert.equal((await run('mp-eph', 'echo state > /root/state && cat /root/state')).stdout, 'state\n')
    await host.ok(['restart', 'mp-eph'])
    assert.notEqual((await run('mp-eph', 'cat /root/state')).exitCode, 0)
    assert.ok(!existsSync(path.join(host.root('mp-eph'), 'root/state')))
    assert.equal(JSON.parse((await host.ok(['status', 'mp-eph', '--json'])).stdout).ephemeral, true)
    // Killed, nspawn cannot remove the copy it ran on: terminate does.
    await host.ok(['terminate', 'mp-eph'])
    assert.deepEqual(readdirSync(host.stateDir).filter((entry) => entry.includes('mp-eph')), ['mp-eph'])
    await host.ok(['destroy', 'mp-eph'])
  })

  it('--capability and --enable-tun: the capability is in the bounding set, /dev/net/tun is there', async () => {
    await host.ok(['create', 'mp-cap', '--config', '', '--host-address', '10.233.182.1', '--local-address', '10.233.182.2',
      '--capability', 'CAP_SYS_TIME', '--enable-tun'])
    await host.ok(['start', 'mp-cap'])
    assert.equal(hasCapability(await leader('mp-cap'), capSysTime), true)
    assert.equal((await run('mp-cap', 'test -c /dev/net/tun && echo tun')).stdout, 'tun\n')
    await host.ok(['destroy', 'mp-cap'])
  })

  it('--use-host-network: no veth, no addresses; the container sees the host\'s interfaces; show-ip says so', async () => {
    const created = await host.ok(['create', 'mp-hostnet', '--config', '', '--use-host-network'])
    assert.match(created.stderr, /^using host network$/m)
    assert.equal(readFileSync(host.conf('mp-hostnet'), 'utf8'), 'PRIVATE_NETWORK=0\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
    await host.ok(['start', 'mp-hostnet'])
    const names = (text: string) => text.split('\n').map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1]).filter(Boolean).sort()
    const inside = names((await run('mp-hostnet', 'ip -o link')).stdout)
    assert.deepEqual(inside, names((await execa('ip', ['-o', 'link'])).stdout))
    assert.notEqual((await execa('ip', ['link', 'show', 've-mp-hostnet'], {reject: false})).exitCode, 0)
    const ip = await host.cli(['show-ip', 'mp-hostnet'])
    assert.equal(ip.exitCode, 1)
    assert.equal(ip.stderr, 'nixos-container: container uses host network, no separate IP address\n')
    assert.equal(JSON.parse((await host.ok(['status', 'mp-hostnet', '--json'])).stdout).hostNetwork, true)
    await host.ok(['destroy', 'mp-hostnet'])
  })

  it('--private-users pick: init runs as an unprivileged uid on the host, root inside, and the store is root\'s there', async () => {
    await host.ok(['create', 'mp-users', '--config', '', '--host-address', '10.233.183.1', '--local-address', '10.233.183.2', '--private-users', 'pick'])
    assert.match(readFileSync(host.conf('mp-users'), 'utf8'), /^PRIVATE_USERS=pick$/m)
    await host.ok(['start', 'mp-users'])
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${await leader('mp-users')}/status`, 'utf8'))![1])
    assert.ok(uid >= 65536, `init runs as host uid ${uid}`)
    assert.equal((await run('mp-users', 'id -u')).stdout, '0\n')
    // The /nix binds are idmapped, as the module makes them: the store belongs to root inside.
    assert.equal((await run('mp-users', 'stat -c %u /nix/store/.')).stdout, '0\n')
    await host.ok(['destroy', 'mp-users'])
  })

  it('refuses what cannot be recorded or would not work, before anything is written', async () => {
    const cases: Array<[string[], string]> = [
      [['--bind', 'relative/dir'], '--bind: the host path ‘relative/dir’ is not absolute'],
      [['--bind-ro', `${shared}/missing`], `--bind-ro: ${shared}/missing: no such file or directory`],
      [['--bind', `${shared}:guest`], '--bind: the container path ‘guest’ is not absolute'],
      [['--bind', `${shared}:/a:/b`], `--bind: ‘${shared}:/a:/b’ is not HOST[:GUEST]`],
      [['--bind', `${shared}/with space`], `--bind: ‘${shared}/with space’ cannot be recorded in NAME.conf (no blanks, quotes, backslashes or shell characters)`],
      [['--extra-nspawn-flags', '--setenv=A="x"'], '--extra-nspawn-flags: ‘--setenv=A="x"’ cannot be recorded in NAME.conf (no blanks, quotes, backslashes or shell characters)'],
      [['--use-host-network', '--host-address', '10.233.184.1', '--local-address', '10.233.184.2'], '--use-host-network cannot be used with --host-address or --local-address!'],
      [['--use-host-network', '--port', '8080'], '--use-host-network cannot be used with --bridge or --port (they need a network of its own)'],
      [['--private-users', 'maybe'], '--private-users: ‘maybe’ is not pick, identity or a host uid (UID[:RANGE])'],
      [['--capability', 'net_admin'], '--capability: ‘net_admin’ is not a capability name such as CAP_NET_ADMIN'],
    ]
    for (const [args, message] of cases) {
      const refused = await host.cli(['create', 'mp-bad', '--config', '', ...args])
      assert.equal(refused.exitCode, 1, args.join(' '))
      assert.equal(refused.stderr, `nixos-container: ${message}\n`)
    }
    assert.deepEqual(host.leftovers(), [])
  })
})
