// Our container@.service (plugins/supervisors/src/container-unit.ts), as written for a host
// without NixOS's: what systemd is told, checked line by line against what the unit must do.
import assert from 'node:assert/strict'

import {ourMarker, renderUnit} from '../../plugins/supervisors/dist/container-unit.js'
import {devicesDropIn} from '../../plugins/supervisors/dist/devices.js'
import {parseConf} from '../../dist/lib/conf.js'
import {unitStepCommand} from '../../dist/lib/entry.js'

const lines = (unit: string, key: string): string[] => unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1))

describe('renderUnit', () => {
  const unit = renderUnit({})

  it('starts with the marker that tells ours from a unit we must leave alone', () => {
    assert.ok(unit.startsWith(ourMarker))
  })

  it('runs our helper for each step of the instance, with NAME.conf as its environment', () => {
    for (const [key, step] of [['ExecStartPre', 'pre-start'], ['ExecStart', 'start'], ['ExecReload', 'reload']]) {
      const [command] = lines(unit, key)
      assert.match(command, new RegExp(` ${unitStepCommand} ${step} %i$`), `${key}=${command}`)
    }
    assert.deepEqual(lines(unit, 'EnvironmentFile'), ['-/etc/nixos-containers/%i.conf'])
    assert.deepEqual(lines(unit, 'PIDFile'), ['/run/nixos-containers/%i.pid'])
    assert.deepEqual(lines(unit, 'RequiresMountsFor'), ['/var/lib/nixos-containers/%i'])
  })

  it('has the service settings of NixOS\'s container@.service: forking start, restart on reboot (133), delegated cgroup, closed devices, clean halt', () => {
    for (const [key, value] of [['Type', 'forking'], ['SuccessExitStatus', '133'], ['RestartForceExitStatus', '133'], ['Restart', 'on-failure'],
      ['Slice', 'machine.slice'], ['Delegate', 'yes'], ['DevicePolicy', 'closed'], ['KillMode', 'mixed'], ['KillSignal', 'TERM'], ['WantedBy', 'machines.target']]) {
      assert.deepEqual(lines(unit, key), [value], key)
    }
  })

  it('carries the path settings of the CLI that wrote it, so the unit finds the same containers; quoted when they need it', () => {
    const moved = renderUnit({NIXOS_CONTAINER_CONFIG_DIR: '/srv/nc/etc', NIXOS_CONTAINER_STATE_DIR: '/srv/nc/state dir', UNRELATED: 'x'})
    assert.deepEqual(lines(moved, 'EnvironmentFile'), ['-/srv/nc/etc/%i.conf'])
    assert.ok(lines(moved, 'Environment').includes('NIXOS_CONTAINER_CONFIG_DIR=/srv/nc/etc'))
    assert.ok(lines(moved, 'Environment').includes('"NIXOS_CONTAINER_STATE_DIR=/srv/nc/state dir"'))
    assert.ok(!moved.includes('UNRELATED'))
  })
})

describe('devicesDropIn', () => {
  const dropIn = (extra: string) => devicesDropIn(parseConf(`EXTRA_NSPAWN_FLAGS="${extra}"\n`))

  it('allows /dev/net/tun where the conf binds it in (--enable-tun, as the module writes it), and nothing else', () => {
    assert.equal(dropIn('--bind=/dev/net/tun --capability=CAP_NET_ADMIN'), '[Service]\nDeviceAllow=/dev/net/tun rwm\n')
    assert.equal(dropIn('--bind-ro=/dev/net/tun'), '[Service]\nDeviceAllow=/dev/net/tun rwm\n')
    assert.equal(dropIn('--bind=/dev/net/tunnel --bind=/srv/dev/net/tun'), undefined)
    assert.equal(devicesDropIn(parseConf('PRIVATE_NETWORK=1\n')), undefined)
  })
})
