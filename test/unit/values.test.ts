// The values a user writes on the command line or in NAME.conf, parsed and checked: resource
// limits, ports, systemd-nspawn options, addresses, names, the ula prefix, and the one-line error
// report every failure becomes, the host's networks and a container's troubles (src/lib, plugins).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {BlockList} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {poolHolding, poolsOf} from '../../plugins/allocators/dist/pools.js'
import {ulaPrefix} from '../../plugins/allocators/dist/ula.js'
import {problemOf} from '../../plugins/supervisors/dist/census.js'
import {addressesOf, checkAddresses, isIPv4WithPrefix, isIPv6WithPrefix, poolOf, withoutPrefix} from '../../dist/lib/addresses.js'
import {createConf, parseConf, parseConfLines} from '../../dist/lib/conf.js'
import {checkContainerOptions, noOptions, nspawnFlagsOf, recordedOptions, recordOptions} from '../../dist/lib/container-options.js'
import {errorReport, NeedsRootError, UserError} from '../../dist/lib/errors.js'
import {hostClash} from '../../dist/lib/host-networks.js'
import {limitsOfConf, parseCpus, parseSize, parseTasks, recordLimits} from '../../dist/lib/limits.js'
import {checkNameLength, checkNameSyntax, checkNewName} from '../../dist/lib/names.js'
import {checkOptionValues, oneLineValue} from '../../dist/lib/option-values.js'
import {checkPortBinds, relaysOf} from '../../dist/lib/port-bind.js'
import {checkPorts, ports} from '../../dist/lib/ports.js'
import {describeChanges} from '../../dist/lib/system-changes.js'

describe('resource limits', () => {
  it('reads sizes in binary units as systemd does, CPUs as a fraction, tasks as a whole number; none lifts a limit', () => {
    assert.equal(parseSize('--memory', '512M'), 512 * 1024 ** 2)
    assert.equal(parseSize('--memory', '2G'), 2 * 1024 ** 3)
    assert.equal(parseSize('--memory', '1.5GiB'), 1.5 * 1024 ** 3)
    assert.equal(parseSize('--memory', 'none'), 'none')
    assert.equal(parseCpus('--cpus', '0.5'), 0.5)
    assert.equal(parseTasks('--tasks-max', '64'), 64)
  })

  it('refuses what systemd would not take, in one line naming the flag', () => {
    assert.throws(() => parseSize('--memory', '512K'), {message: '--memory: ‘512K’ is not a size of at least 1M (such as 512M or 2G, or none)'})
    assert.throws(() => parseSize('--memory', 'lots'), /^UserError: --memory: ‘lots’/)
    assert.throws(() => parseCpus('--cpus', '0'), {message: '--cpus: ‘0’ is not a positive number of CPUs (such as 0.5 or 2, or none)'})
    assert.throws(() => parseCpus('--cpus', '-1'), /not a positive number/)
    assert.throws(() => parseTasks('--tasks-max', '1.5'), {message: '--tasks-max: ‘1.5’ is not a positive whole number (or none)'})
  })

  it('are recorded in NAME.conf and read back; none removes the key; other keys stay', () => {
    const conf = parseConf('PRIVATE_NETWORK=1\nMEMORY_MAX=1048576\n')
    assert.deepEqual(recordLimits(conf, {cpus: 1.5, tasksMax: 100, memoryBytes: 'none'}), {cpus: 1.5, tasksMax: 100})
    assert.deepEqual([...conf.keys()], ['PRIVATE_NETWORK', 'CPUS', 'TASKS_MAX'])
    assert.deepEqual(limitsOfConf(parseConf('CPUS=garbage\nTASKS_MAX=0\n')), {}, 'unreadable values are no limit')
  })
})

describe('port forwards', () => {
  it('are nspawn\'s --port specs, comma or space separated', () => {
    assert.deepEqual(ports(parseConf('HOST_PORT="tcp:80:8080, udp:53 443"\n')), ['tcp:80:8080', 'udp:53', '443'])
    assert.doesNotThrow(() => checkPorts('tcp:80:8080,443'))
    assert.throws(() => checkPorts('sctp:80'), {message: '--port: ‘sctp:80’ is not of the form [tcp:|udp:]HOSTPORT[:CONTAINERPORT]'})
    assert.throws(() => checkPorts('70000'), /‘70000’ is not of the form/)
  })
})

describe('systemd-nspawn options of create', () => {
  it('go into EXTRA_NSPAWN_FLAGS as nspawn flags and come back out for status --json', () => {
    const options = {...noOptions, binds: [{host: '/srv/data', guest: '/data', readOnly: false}, {host: '/etc/x', guest: '/etc/x', readOnly: true}],
      ephemeral: true, enableTun: true, privateUsers: 'pick', capabilities: ['CAP_SYS_TIME'], portBinds: ['127.0.0.1', 'lo']}
    assert.deepEqual(nspawnFlagsOf(options), ['--bind=/srv/data:/data', '--bind-ro=/etc/x', '--ephemeral', '--bind=/dev/net/tun', '--capability=CAP_NET_ADMIN', '--capability=CAP_SYS_TIME'])
    const conf = createConf({hostAddress: '10.233.1.1', localAddress: '10.233.1.2', autoStart: false})
    recordOptions(conf, options)
    assert.deepEqual(recordedOptions(conf), {
      hostNetwork: false, privateUsers: 'pick', ephemeral: true,
      binds: [{host: '/srv/data', guest: '/data', readOnly: false}, {host: '/etc/x', guest: '/etc/x', readOnly: true}, {host: '/dev/net/tun', guest: '/dev/net/tun', readOnly: false}],
      extraNspawnFlags: ['--capability=CAP_NET_ADMIN', '--capability=CAP_SYS_TIME'], portBinds: ['127.0.0.1', 'lo'],
    })
    assert.equal(conf.get('PORT_BIND'), '127.0.0.1 lo')
  })

  it('--port-bind: each forward of HOST_PORT relayed from each bound address to the container', () => {
    const conf = createConf({hostAddress: '10.233.1.1/24', localAddress: '10.233.1.2/24', ports: 'tcp:8080:80,udp:5353:53 9000', autoStart: false})
    conf.set('PORT_BIND', '127.0.0.1 ::1')
    assert.deepEqual(relaysOf(conf).map(({protocol, address, port, target, targetPort}) => `${protocol} ${address} ${port} → ${target} ${targetPort}`), [
      'tcp 127.0.0.1 8080 → 10.233.1.2 80', 'tcp ::1 8080 → 10.233.1.2 80',
      'udp 127.0.0.1 5353 → 10.233.1.2 53', 'udp ::1 5353 → 10.233.1.2 53',
      'tcp 127.0.0.1 9000 → 10.233.1.2 9000', 'tcp ::1 9000 → 10.233.1.2 9000',
    ])
    conf.delete('PORT_BIND')
    assert.deepEqual(relaysOf(conf), [])
    assert.throws(() => checkPortBinds(['lo'], undefined), /--port-bind needs --port: there is no port forward to bind/)
  })

  it('refuses values NAME.conf could not carry or nspawn would not take', () => {
    assert.throws(() => checkContainerOptions({...noOptions, privateUsers: 'some'}), /--private-users: ‘some’ is not pick, identity or a host uid/)
    assert.throws(() => checkContainerOptions({...noOptions, capabilities: ['NET_ADMIN']}), /--capability: ‘NET_ADMIN’ is not a capability name/)
    assert.throws(() => checkContainerOptions({...noOptions, extraNspawnFlags: ['--setenv=A=$(id)']}), /cannot be recorded in NAME.conf/)
  })
})

describe('NAME.conf as editors leave it', () => {
  it('takes CRLF, a byte-order mark, comments and export, and reports lines it cannot read', () => {
    const {entries, unreadable} = parseConfLines('\uFEFF# made by hand\r\nexport HOST_ADDRESS=10.233.1.1\r\nLOCAL_ADDRESS=\'10.233.1.2\'\r\nthis is not a setting\r\n')
    assert.deepEqual([...entries], [['HOST_ADDRESS', '10.233.1.1'], ['LOCAL_ADDRESS', '10.233.1.2']])
    assert.deepEqual(unreadable, ['this is not a setting'])
  })

  it('records a pool other than upstream\'s, and knows upstream\'s from the addresses of older files', () => {
    assert.equal(createConf({hostAddress: 'h', localAddress: 'l', autoStart: false, pool: '172.30.0.0/16'}).get('ADDRESS_POOL'), '172.30.0.0/16')
    assert.equal(createConf({hostAddress: 'h', localAddress: 'l', autoStart: false, pool: '10.233.0.0/16'}).has('ADDRESS_POOL'), false)
    assert.equal(poolOf(parseConf('LOCAL_ADDRESS=10.233.7.2/24\n')), '10.233.0.0/16')
    assert.equal(poolOf(parseConf('LOCAL_ADDRESS=192.168.1.2\n')), undefined)
    assert.equal(createConf({autoStart: true}).get('PRIVATE_NETWORK'), '0', 'no addresses: the host\'s network')
  })
})

describe('addresses', () => {
  it('are IPv4 or IPv6 with an optional prefix length, compared without it and in lower case', () => {
    assert.ok(isIPv4WithPrefix('10.233.1.2/24') && isIPv4WithPrefix('10.233.1.2'))
    assert.ok(!isIPv4WithPrefix('10.233.1.2/33') && !isIPv4WithPrefix('10.233.1.2/') && !isIPv4WithPrefix('fd00::1'))
    assert.ok(isIPv6WithPrefix('FD00::1/64') && !isIPv6WithPrefix('fd00::1/129'))
    assert.equal(withoutPrefix('fd00::1/64'), 'fd00::1')
    assert.deepEqual(addressesOf({hostAddress: '10.0.0.1/24', localAddress6: 'FD00::2/64'}), ['10.0.0.1', 'fd00::2'])
  })

  it('a host and its container never share an address', () => {
    assert.throws(() => checkAddresses({hostAddress: '10.1.1.1', localAddress: '10.1.1.1/24'}, []), {message: 'host and container address must differ (both are 10.1.1.1)'})
    assert.throws(() => checkAddresses({hostAddress: '10.1.1.1', localAddress: '10.1.1.2', hostAddress6: 'fd00::1', localAddress6: 'FD00::1'}, []), /both are fd00::1/)
  })

  it('the pool a listed container\'s address is in', () => {
    const pools = poolsOf({pools: ['10.233.0.0/16', '172.30.4.0/23']})
    assert.equal(poolHolding(pools, '172.30.5.2'), '172.30.4.0/23')
    assert.equal(poolHolding(pools, '192.168.1.2'), undefined)
    assert.equal(poolHolding(pools, 'fd00::2'), undefined)
  })
})

describe('the ula allocator\'s /48', () => {
  it('is the configured prefix, written shortest', () => {
    assert.deepEqual(ulaPrefix({prefix: 'FD42:0000:BEEF::/48'}), ['fd42', '0', 'beef'])
    assert.throws(() => ulaPrefix({prefix: '2001:db8::/32'}), {message: 'ula: prefix ‘2001:db8::/32’ is not a ULA /48 of the form fdXX:XXXX:XXXX::/48'})
    assert.throws(() => ulaPrefix({prefix: 'fc00:1:2::/48'}), /not a ULA \/48/)
  })

  it('else derives from the machine id: the same for one host, different for another, always fdXX:…', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nc-unit-ula-'))
    try {
      const [a, b] = ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210'].map((id, i) => {
        const file = path.join(dir, `machine-id-${i}`)
        writeFileSync(file, `${id}\n`)
        return ulaPrefix({}, file)
      })
      assert.deepEqual(ulaPrefix({}, path.join(dir, 'machine-id-0')), a)
      assert.notDeepEqual(a, b)
      for (const prefix of [a, b]) assert.match(prefix.join(':'), /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/)
      assert.throws(() => ulaPrefix({}, path.join(dir, 'absent')), /no .*absent to derive a prefix from/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('container names', () => {
  it('accepts upstream\'s names everywhere but makes new ones only where systemd takes them', () => {
    assert.doesNotThrow(() => checkNameSyntax('old_name'))
    assert.throws(() => checkNameSyntax('a.b'), {message: 'invalid container name ‘a.b’'})
    assert.throws(() => checkNewName('old_name'), /‘_’ is not allowed in systemd machine names/)
    assert.throws(() => checkNewName('-web'), /must start and end with a letter or digit/)
    assert.doesNotThrow(() => checkNewName('web-1'))
    assert.throws(() => checkNameLength('twelve-chars'), {message: 'container name ‘twelve-chars’ is too long (at most 11 characters)'})
  })
})

describe('what an update changes', () => {
  const from = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-web-1'
  const to = '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-web-2'

  it('names the first system and an unchanged one in one line', () => {
    assert.deepEqual(describeChanges({to, added: [], removed: [], versions: []}), [`system: ${to} (the first)`])
    assert.deepEqual(describeChanges({from: to, to, added: [], removed: [], versions: []}), [`system: unchanged (${to})`])
  })

  it('lists version changes, then new and dropped store paths by name, at most 20 of each', () => {
    const added = Array.from({length: 22}, (_, i) => `/nix/store/${String(i).padStart(32, 'c')}-pkg-${i}`)
    const lines = describeChanges({from, to, added, removed: ['/nix/store/dddddddddddddddddddddddddddddddd-nginx-1.24.0'], versions: ['nginx: 1.24.0 → 1.26.1, +1.2 MiB']})
    assert.equal(lines[0], `system: ${from} → ${to}`)
    assert.equal(lines[1], '  nginx: 1.24.0 → 1.26.1, +1.2 MiB')
    assert.equal(lines[2], 'store paths: 22 new, 1 no longer used')
    assert.equal(lines[3], `  + pkg-0  ${added[0]}`)
    assert.equal(lines.filter((l) => l.startsWith('  + ')).length, 20)
    assert.ok(lines.includes('  … and 2 more'))
    assert.equal(lines.at(-1), '  - nginx-1.24.0  /nix/store/dddddddddddddddddddddddddddddddd-nginx-1.24.0')
  })
})

describe('option values', () => {
  const refusal = (flags: Record<string, unknown>): string | undefined => {
    try {
      checkOptionValues(flags)
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }

  it('refuses a line break or other control character in any value, a list\'s included, shown escaped on one line', () => {
    assert.equal(refusal({memory: '64M\nX=1'}), '--memory: ‘64M\\nX=1’ holds a line break, which no option value may hold')
    assert.equal(refusal({bind: ['/srv', '/tmp\r']}), '--bind: ‘/tmp\\r’ holds a line break, which no option value may hold')
    assert.equal(refusal({'extra-nspawn-flags': '--a\u0000b'}), '--extra-nspawn-flags: ‘--a\\x00b’ holds a control character, which no option value may hold')
    try {
      checkOptionValues({port: '80\n'})
      assert.fail('not refused')
    } catch (error) {
      assert.equal(errorReport(error).code, 'invalid-argument')
    }
  })

  it('lets through ordinary values, other types, and --config (Nix code, in configuration.nix)', () => {
    assert.equal(refusal({memory: '64M', bind: ['/srv:/var/lib/x'], ephemeral: true, timeout: 90, pool: undefined, config: '{\n  a = 1;\n}'}), undefined)
    assert.equal(oneLineValue('a\tb\u007f'), 'a\\tb\\x7f')
  })
})

describe('the error report', () => {
  // Only the fields asserted here: the report may carry more (such as a stable code).
  const report = (error: unknown): object => {
    const {message, exitCode, command} = errorReport(error)
    return {message, exitCode, ...(command === undefined ? {} : {command})}
  }

  it('is one line and the error\'s exit status; oclif\'s parse errors are joined into one line naming the flag', () => {
    assert.deepEqual(report(new UserError('no such container', 2)), {message: 'no such container', exitCode: 2})
    assert.deepEqual(report(new Error('Error: first line\nsecond line')), {message: 'first line', exitCode: 1})
    const parse = Object.assign(new Error('Parsing --timeout \n\tExpected an integer greater than or equal to 1 but received: 0\nSee more help with --help'), {parse: {}})
    assert.equal(errorReport(parse).message, '--timeout: expected an integer greater than or equal to 1 but received: 0')
  })

  it('carries a stable code: the error\'s own, invalid-argument for a parse error, internal for what the tool did not expect', () => {
    assert.equal(errorReport(new UserError('container ‘x’ does not exist', {code: 'not-found'})).code, 'not-found')
    assert.equal(errorReport(new UserError('something')).code, 'error')
    assert.equal(errorReport(new NeedsRootError()).code, 'needs-root')
    assert.equal(errorReport(Object.assign(new Error('Parsing --timeout \n\tExpected an integer'), {parse: {}})).code, 'invalid-argument')
    assert.equal(errorReport(new TypeError('x is undefined')).code, 'internal')
    assert.deepEqual(errorReport(new UserError('far', {exitCode: 255, code: 'host-unreachable'})), {message: 'far', code: 'host-unreachable', exitCode: 255})
  })

  it('names the refused command of a root-only one', () => {
    const error = new NeedsRootError()
    error.command = 'start'
    assert.deepEqual(report(error), {message: 'needs root (try sudo)', exitCode: 1, command: 'start'})
  })
})

describe('the host\'s networks against a container\'s address', () => {
  it('names the interface that has it, or the route whose network holds it', () => {
    const lan = new BlockList()
    lan.addSubnet('192.168.1.0', 24, 'ipv4')
    const networks = {addresses: new Map([['10.233.5.1', 'eth0']]), routes: [{prefix: '192.168.1.0/24', via: 'dev wlan0', covers: lan}]}
    assert.equal(hostClash(networks, '10.233.5.1/24'), 'the host has 10.233.5.1 on eth0')
    assert.equal(hostClash(networks, '192.168.1.7'), 'the host routes 192.168.1.0/24 (dev wlan0), which holds 192.168.1.7')
    assert.equal(hostClash(networks, '10.233.6.1'), undefined)
  })
})

describe('a running container that is not as it should be', () => {
  it('is named by what is wrong: nspawn gone, pid file lost; nothing when all is well or nothing runs', () => {
    assert.equal(problemOf({recorded: false, ready: false, hidden: false, processes: []}), undefined)
    assert.equal(problemOf({recorded: false, ready: false, hidden: false, init: 12, processes: [12, 13]}), 'its systemd-nspawn is gone, but its init still runs (pid 12)')
    assert.equal(problemOf({recorded: false, ready: false, hidden: false, processes: [12, 13]}), 'its systemd-nspawn is gone, but 2 of its processes still run (pids 12 13)')
    assert.equal(problemOf({nspawn: 11, recorded: false, ready: false, hidden: false, init: 12, processes: [11, 12]}), 'its pid file is missing, but its systemd-nspawn still runs (pid 11)')
    assert.equal(problemOf({nspawn: 11, recorded: true, ready: true, hidden: false, init: 12, processes: [11, 12]}), undefined)
    // /proc hides them (hidepid): they run, and nothing can be said of what is wrong.
    assert.equal(problemOf({recorded: false, ready: false, hidden: true, processes: [12, 13]}), undefined)
  })
})
