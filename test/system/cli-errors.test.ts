// Bad input: one clear line on stderr, a non-zero exit, nothing written. JSON mode: one document.
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'

import {TestHost} from '../helpers/host.ts'

describe('bad input and missing containers', () => {
  const host = new TestHost('errors')
  after(() => host.cleanup())

  const oneLine = (stderr: string): string => {
    const lines = stderr.trimEnd().split('\n')
    assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`)
    return lines[0]
  }

  it('refuses invalid and too long names', async () => {
    for (const [name, message] of [['bad/name', /invalid container name/], ['a b', /invalid container name/], ['twelvechars1', /too long/]] as const) {
      const result = await host.cli(['create', name, '--config', ''])
      assert.equal(result.exitCode, 1)
      assert.match(oneLine(result.stderr), message)
    }
    assert.deepEqual(host.leftovers(), [])
  })

  it('refuses conflicting and malformed flags before touching anything', async () => {
    const cases: [string[], RegExp][] = [
      [['create', 'x', '--config', 'a', '--config-file', '/etc/hostname'], /--config and --config-file are mutually incompatible/],
      [['create', 'x', '--host-address', '10.9.0.1'], /--local-address is required/],
      [['create', 'x', '--host-address', '10.9.0.300', '--local-address', '10.9.0.2'], /not a valid address/],
      [['create', 'x', '--port', 'tcp:99999'], /--port/],
      [['create', 'x', '--config-file', '/no/such/file.nix'], /no such file/],
      [['create', 'x', '--flake', '/src#a', '--config', 'x'], /cannot be combined/],
      [['create', 'x', '--no-such-flag'], /Nonexistent flag: --no-such-flag/],
      [['create', 'x', '--option', 'cores'], /needs two values/],
      [['create', 'x', '--supervisor', 'docker'], /unknown supervisor ‘docker’ \(available: systemd, nspawn\)/],
    ]
    for (const [args, message] of cases) {
      const result = await host.cli(args)
      assert.equal(result.exitCode, 1, args.join(' '))
      assert.match(oneLine(result.stderr), message)
      assert.equal(result.stdout, '')
    }
    assert.deepEqual(host.leftovers(), [])
    assert.ok(!existsSync(host.conf('x')))
  })

  it('refuses an option value with a line break in one line, writing nothing: it would be a second line of NAME.conf', async () => {
    mkdirSync(host.configDir, {recursive: true})
    const conf = 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.213.1\nLOCAL_ADDRESS=10.233.213.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n'
    writeFileSync(host.conf('i13nl'), conf)
    try {
      const cases: Array<[string[], string]> = [
        [['create', 'x', '--config', '', '--memory', '64M\nX=1'], '--memory: ‘64M\\nX=1’ holds a line break'],
        [['create', 'x', '--config', '', '--bind', '/tmp\n/etc'], '--bind: ‘/tmp\\n/etc’ holds a line break'],
        [['create', 'x', '--config', '', '--port', '8080\n'], '--port: ‘8080\\n’ holds a line break'],
        [['create', 'x', '--config', '', '--bridge', 'br0\nAUTO_START=1'], '--bridge: ‘br0\\nAUTO_START=1’ holds a line break'],
        [['create', 'x', '--config', '', '--host-address', '10.233.213.5\r', '--local-address', '10.233.213.6'], '--host-address: ‘10.233.213.5\\r’ holds a line break'],
        [['create', 'x', '--config', '', '--extra-nspawn-flags', '--a\t--b'], '--extra-nspawn-flags: ‘--a\\t--b’ holds a control character'],
        [['create', 'x', '--flake', '/src#a\nb'], '--flake: ‘/src#a\\nb’ holds a line break'],
        [['update', 'i13nl', '--bind-ro', '/etc\n'], '--bind-ro: ‘/etc\\n’ holds a line break'],
        [['set', 'i13nl', '--memory', '64M\n'], '--memory: ‘64M\\n’ holds a line break'],
        [['set', 'i13nl', '--tasks-max', '10\nTASKS_MAX=1'], '--tasks-max: ‘10\\nTASKS_MAX=1’ holds a line break'],
      ]
      for (const [args, message] of cases) {
        const result = await host.cli(args)
        assert.equal(result.exitCode, 1, args.join(' '))
        assert.equal(oneLine(result.stderr), `nixos-container: ${message}, which no option value may hold`)
      }
      assert.equal(readFileSync(host.conf('i13nl'), 'utf8'), conf)
      assert.ok(!existsSync(host.conf('x')))
      // --config is Nix code, where line breaks belong.
      const multiLine = await host.cli(['create', 'x', '--config', 'networking.hostName = "x";\n# two lines', '--bind', '/no/such/dir'])
      assert.equal(oneLine(multiLine.stderr), 'nixos-container: --bind: /no/such/dir: no such file or directory')
    } finally {
      rmSync(host.conf('i13nl'))
    }
    assert.deepEqual(host.leftovers(), [])
  })

  it('says a container does not exist, as upstream does', async () => {
    for (const command of ['start', 'stop', 'restart', 'terminate', 'update', 'show-ip', 'show-host-key', 'root-login', 'login']) {
      const result = await host.cli([command, 'ghost'])
      assert.equal(result.exitCode, 1, command)
      assert.equal(oneLine(result.stderr), 'nixos-container: container ‘ghost’ does not exist', command)
    }
    const run = await host.cli(['run', 'ghost', '--', 'true'])
    assert.equal(run.stderr, 'nixos-container: container ‘ghost’ does not exist\n')
  })

  it('status prints "gone" for a missing container and fails; destroy succeeds silently', async () => {
    const status = await host.cli(['status', 'ghost'])
    assert.equal(status.stdout, 'gone\n')
    assert.equal(status.exitCode, 1)
    const destroy = await host.cli(['destroy', 'ghost'])
    assert.deepEqual([destroy.exitCode, destroy.stdout, destroy.stderr], [0, '', ''])
  })

  it('list prints nothing when there are no containers', async () => {
    const list = await host.ok(['list'])
    assert.equal(list.stdout, '')
  })

  it('--json gives one JSON document on stdout, for errors too', async () => {
    const missing = await host.cli(['show-ip', 'ghost', '--json'])
    assert.equal(missing.exitCode, 1)
    assert.deepEqual(JSON.parse(missing.stdout), {error: {message: 'container ‘ghost’ does not exist', code: 'not-found', exitCode: 1}})
    assert.equal(missing.stderr, '')
    const badFlag = await host.cli(['create', 'x', '--json', '--bogus'])
    assert.equal(badFlag.exitCode, 1)
    assert.match(JSON.parse(badFlag.stdout).error.message, /Nonexistent flag/)
    // Each failure has its stable code, whatever the wording.
    const codes: Array<[string[], string]> = [
      [['create', 'x', '--json', '--bogus'], 'invalid-argument'],
      [['frobnicate', '--json'], 'invalid-argument'],
      [['status', 'ghost', '--json'], 'not-found'],
      [['create', 'bad_name', '--json'], 'invalid-name'],
      [['create', 'x', '--json', '--system-path', '/nix/store/00000000000000000000000000000000-none'], 'invalid-argument'],
    ]
    for (const [args, code] of codes) {
      const failed = await host.cli(args)
      assert.equal(failed.exitCode, 1, args.join(' '))
      assert.equal(JSON.parse(failed.stdout).error.code, code, `${args.join(' ')}: ${failed.stdout}`)
    }
    const list = await host.ok(['list', '--json'])
    assert.deepEqual(JSON.parse(list.stdout), [])
  })

  it('a bad supervisor setting fails what needs a supervisor, in one line, but plain list (and so completion) still names the containers', async () => {
    mkdirSync(host.configDir, {recursive: true})
    writeFileSync(host.conf('setting'), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.188.1\nLOCAL_ADDRESS=10.233.188.2\n')
    writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({supervisor: 'bogus'}))
    try {
      assert.equal((await host.ok(['list'])).stdout, 'setting\n')
      const status = await host.cli(['status', 'setting'])
      assert.equal(status.exitCode, 1, `stdout: ${status.stdout}stderr: ${status.stderr}`)
      assert.equal(oneLine(status.stderr), 'nixos-container: unknown supervisor ‘bogus’ (available: systemd, nspawn)')
      // NIXOS_CONTAINER_DEBUG adds the stack.
      for (const args of [['status', 'setting'], ['list', '--long']]) {
        const debug = await host.cli(args, {env: {NIXOS_CONTAINER_DEBUG: '1'}})
        assert.equal(debug.exitCode, 1)
        assert.match(debug.stderr, /^nixos-container: unknown supervisor ‘bogus’.*\n\w*Error: unknown supervisor ‘bogus’.*\n\s+at /)
      }
    } finally {
      rmSync(host.env.NIXOS_CONTAINER_SETTINGS)
      rmSync(host.conf('setting'))
    }
  })

  it('run needs its command after --', async () => {
    const result = await host.cli(['run', 'ghost'])
    assert.equal(result.exitCode, 1)
    assert.match(oneLine(result.stderr), /no command given/)
  })
})
