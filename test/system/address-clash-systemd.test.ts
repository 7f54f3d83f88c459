// Issue 21 under the systemd supervisor, on a real systemd host (test/helpers/systemd-host.ts, a
// network namespace of its own): allocation skips what the host has or routes elsewhere, for IPv4
// and IPv6 (the ula allocator), and the unit's pre-start step refuses, naming the clash, a
// container whose address the host has taken since create: also when systemd starts the unit
// itself (systemctl start, as at boot), where the CLI's own check before the unit does not run,
// and every one of systemd's retries refuses alike.
import assert from 'node:assert/strict'

import {SystemdHost} from '../helpers/systemd-host.ts'

/** A veth pair stands for the host's LAN or VPN interface (this kernel has no dummy links). */
const lan = 'ap-lan'

describe('address clashes under the systemd supervisor, on a real systemd host', function () {
  this.timeout(300_000)
  let host: SystemdHost
  const routes = async (): Promise<string> => host.sh('ip -4 route show table all; ip -6 route show table all')
  const conf = async (name: string): Promise<string> => host.sh(`cat /etc/nixos-containers/${name}.conf`)
  const unitStart = async (name: string) => host.exec(['systemctl', 'start', `container@${name}.service`])
  /**
   * Waits until systemd gives up on the unit: like NixOS's, it has Restart=on-failure, so a refused
   * start is tried again a few times (StartLimitBurst) before the unit stays failed.
   */
  const givenUp = async (name: string): Promise<void> => {
    for (const started = Date.now(); Date.now() - started < 60_000; await new Promise((resolve) => setTimeout(resolve, 250))) {
      if ((await host.exec(['systemctl', 'is-active', `container@${name}.service`])).stdout.trim() === 'failed') return
    }
    assert.fail(`container@${name}.service did not end up failed`)
  }
  const hasLink = async (link: string): Promise<boolean> => (await host.exec(['ip', 'link', 'show', link])).exitCode === 0
  const clashLine = (name: string, key: string, address: string, route: string): string =>
    `nixos-container: cannot start container ‘${name}’: its ${key} ${address} clashes with the host's network (the host routes ${route} (dev ${lan}), which holds ${address}); give it other addresses in /etc/nixos-containers/${name}.conf`

  before(async function () {
    this.timeout(600_000)
    host = await SystemdHost.boot('ap-sdhost')
    await host.sh(`ip link add ${lan} type veth peer name ap-peer && ip link set ap-peer up && ip link set ${lan} up`)
    // The kernel gives each link its IPv6 link-local address (and its local route) a moment after
    // the link comes up: waited for here, or a snapshot of the routes below could see it arrive.
    for (const link of [lan, 'ap-peer']) {
      await host.sh(`for i in $(seq 100); do ip -6 address show dev ${link} scope link -tentative | grep -q inet6 && exit 0; sleep 0.1; done; exit 1`)
    }
    host.writeFile('etc/nixos-container/settings.json', JSON.stringify({providers: {ula: {prefix: 'fd21:152:152::/48'}}}))
  })
  after(async () => host?.dispose())

  it('create skips an IPv4 pair in a network the host routes elsewhere, and the container runs under the systemd supervisor', async () => {
    await host.sh(`ip route add 10.233.151.0/24 dev ${lan}`)
    const created = await host.ok(['create', 'ap1', '--config', '', '--pool', '10.233.151.0/24', '--pool', '10.233.152.0/24'])
    assert.match(created.stderr, /^host IP is 10\.233\.152\.1, container IP is 10\.233\.152\.2$/m)
    assert.match(await conf('ap1'), /^ADDRESS_POOL=10\.233\.152\.0\/24$/m)
    assert.equal(JSON.parse((await host.ok(['status', 'ap1', '--json'])).stdout).supervisor, 'systemd')
  })

  it('the ula allocator skips an IPv6 /64 whose address the host has on an interface, and keeps its prefix', async () => {
    await host.sh(`ip -6 address add fd21:152:152:1::2/128 dev ${lan} nodad`)
    await host.ok(['create', 'ap2', '--config', '', '--allocator', 'ula', '--host-address', '10.233.152.5', '--local-address', '10.233.152.6'])
    const written = await conf('ap2')
    assert.match(written, /^HOST_ADDRESS6=fd21:152:152:2::1$/m)
    assert.match(written, /^LOCAL_ADDRESS6=fd21:152:152:2::2$/m)
  })

  it('the unit\'s pre-start refuses a container whose IPv4 address the host routes elsewhere since, naming the clash, and the host\'s routes stay', async () => {
    await host.sh(`ip route add 10.233.152.0/25 dev ${lan}`)
    const before = await routes()
    // systemd itself starts the unit, as at boot: only the unit's own pre-start step can refuse.
    const started = await unitStart('ap1')
    assert.notEqual(started.exitCode, 0)
    await givenUp('ap1')
    const journal = await host.sh('journalctl --unit container@ap1.service --output cat --no-pager')
    assert.ok(journal.split('\n').includes(clashLine('ap1', 'HOST_ADDRESS', '10.233.152.1', '10.233.152.0/25')), journal)
    assert.equal(await routes(), before)
    assert.equal(await hasLink('ve-ap1'), false, 'no veth was made')
    assert.equal((await host.ok(['status', 'ap1'])).stdout, 'down\n')
    // The CLI says the same in one line, before it asks systemd for anything.
    const refused = await host.cli(['start', 'ap1'])
    assert.deepEqual([refused.exitCode, refused.stderr], [1, clashLine('ap1', 'HOST_ADDRESS', '10.233.152.1', '10.233.152.0/25') + '\n'])
    assert.equal(await routes(), before)
  })

  it('…and one whose IPv6 address it routes elsewhere since', async () => {
    await host.sh(`ip route delete 10.233.152.0/25 dev ${lan}`)
    await host.sh(`ip -6 route add fd21:152:152:2::/64 dev ${lan}`)
    const before = await routes()
    assert.notEqual((await unitStart('ap2')).exitCode, 0)
    await givenUp('ap2')
    const journal = await host.sh('journalctl --unit container@ap2.service --output cat --no-pager')
    assert.ok(journal.split('\n').includes(clashLine('ap2', 'HOST_ADDRESS6', 'fd21:152:152:2::1', 'fd21:152:152:2::/64')), journal)
    assert.equal(await routes(), before)
    assert.equal(await hasLink('ve-ap2'), false, 'no veth was made')
  })

  it('once the host\'s network is gone again, the same unit starts', async () => {
    await host.sh(`ip -6 route delete fd21:152:152:2::/64 dev ${lan}`)
    await host.exec(['systemctl', 'reset-failed', 'container@ap1.service'])
    const started = await unitStart('ap1')
    assert.equal(started.exitCode, 0, started.stderr)
    assert.equal((await host.ok(['status', 'ap1'])).stdout, 'up\n')
    assert.match(await host.sh('ip -4 address show ve-ap1'), /inet 10\.233\.152\.1\//)
    await host.ok(['stop', 'ap1'])
  })
})
