// Real containers: systemd-nspawn running the fixture NixOS, real veth links and namespaces.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {PassThrough} from 'node:stream'

import {isAlive} from '../../dist/lib/proc.js'
import {answersPing, cliPath, fixtures, TestHost} from '../helpers/host.ts'

const linkExists = async (name: string): Promise<boolean> => (await execa('ip', ['link', 'show', name], {reject: false})).exitCode === 0
// The pid file's first line is nspawn's pid (a second line says it has booted).
const nspawnPid = (host: TestHost, name: string): number => Number(readFileSync(path.join(host.runtimeDir, `${name}.pid`), 'utf8').split('\n')[0])

/** Runs the CLI on a pseudo-terminal (script(1)) and types each text after its delay in ms. */
async function typeAt(host: TestHost, args: string, keys: [number, string][]): Promise<{exitCode: number; stdout: string}> {
  const input = new PassThrough()
  const child = execa('script', ['-qec', `${process.execPath} ${cliPath} ${args}`, '/dev/null'], {env: host.env, input, reject: false, timeout: 30_000})
  for (const [delay, text] of keys) {
    await new Promise((resolve) => setTimeout(resolve, delay))
    input.write(text)
  }
  input.end()
  const result = await child
  return {exitCode: result.exitCode ?? 128, stdout: String(result.stdout)}
}

describe('a running container', function () {
  const host = new TestHost('life')
  before(async () => {
    await host.ok(['create', 'box', '--config', 'environment.etc."version".text = "one";'])
  })
  after(() => host.cleanup())

  it('start returns once the container has booted, and status says up', async () => {
    assert.equal((await host.ok(['status', 'box'])).stdout, 'down\n')
    const started = await host.ok(['start', 'box', '--json'])
    const {state, leader} = JSON.parse(started.stdout)
    assert.equal(state, 'up')
    // Booted: the init has activated the system and linked /run/current-system.
    assert.ok(readlinkSync(`/proc/${leader}/root/run/current-system`).startsWith('/nix/store/'))
    assert.equal(readFileSync(`/proc/${leader}/root/etc/version`, 'utf8').trim(), 'one')
    assert.equal((await host.ok(['status', 'box'])).stdout, 'up\n')
    const listed = JSON.parse((await host.ok(['list', '--json'])).stdout)
    assert.deepEqual(listed.map((c: {name: string; state: string}) => [c.name, c.state]), [['box', 'up']])
  })

  it('starting it again changes nothing', async () => {
    const pid = nspawnPid(host, 'box')
    await host.ok(['start', 'box'])
    assert.equal(nspawnPid(host, 'box'), pid)
  })

  it('host and container reach each other over the veth link', async () => {
    assert.ok(await linkExists('ve-box'))
    const hostSide = (await execa('ip', ['-4', 'addr', 'show', 've-box'])).stdout
    assert.match(hostSide, /inet 10\.233\.1\.1\//)
    assert.ok(await answersPing('10.233.1.2'), 'host pings container')
    const back = await host.cli(['run', 'box', '--', 'ping', '-c', '1', '-W', '2', '10.233.1.1'])
    assert.equal(back.exitCode, 0, back.stderr)
    const routes = (await host.ok(['run', 'box', '--', 'ip', 'route'])).stdout
    assert.match(routes, /default via 10\.233\.1\.1 dev eth0/)
  })

  it('run passes arguments exactly, stdin through, and returns the exit status', async () => {
    const args = ['sh', '-c', 'printf "[%s]" "$@"; exit 7', 'sh', 'two words', '$HOME', "it's", '"q"', '*']
    const result = await host.cli(['run', 'box', '--', ...args])
    assert.equal(result.exitCode, 7)
    assert.equal(result.stdout, `[two words][$HOME][it's]["q"][*]`)
    const piped = await host.cli(['run', 'box', '--', 'sh', '-c', 'tr a-z A-Z; echo err >&2'], {input: 'hello\n'})
    assert.deepEqual([piped.exitCode, piped.stdout, piped.stderr], [0, 'HELLO\n', 'err\n'])
    assert.equal((await host.ok(['run', 'box', '--', 'hostname'])).stdout, 'box\n')
    const json = JSON.parse((await host.cli(['run', 'box', '--json', '--', 'sh', '-c', 'echo out; exit 3'])).stdout)
    assert.deepEqual(json, {name: 'box', exitCode: 3, stdout: 'out\n', stderr: ''})
  })

  it('run gives the command a terminal when one is attached', async () => {
    // script(1) gives the CLI a pseudo-terminal, as an interactive shell would.
    const command = `${process.execPath} ${cliPath} run box -- sh -c 'test -t 0 && test -t 1 && echo terminal'`
    const withTty = await execa('script', ['-qec', command, '/dev/null'], {env: host.env, reject: false})
    assert.match(String(withTty.stdout), /terminal/)
    const withoutTty = await host.cli(['run', 'box', '--', 'sh', '-c', 'test -t 0 || echo none'])
    assert.equal(withoutTty.stdout, 'none\n')
  })

  it('run reports a guest command killed by signal N as 128+N, as a shell does (issue 16 #10)', async () => {
    for (const [signal, status] of [['PIPE', 141], ['SEGV', 139], ['USR1', 138], ['ABRT', 134]] as const) {
      for (const json of [[], ['--json']]) {
        const result = await host.cli(['run', 'box', ...json, '--', 'sh', '-c', `kill -${signal} $$`])
        assert.equal(result.exitCode, status, `SIG${signal} ${json.join('')}: ${result.stderr}`)
        if (json.length > 0) assert.equal(JSON.parse(result.stdout).exitCode, status)
      }
    }
  })

  it('signals sent to run (INT, QUIT, TERM, HUP) reach the command in the container, and nothing stays running there (issue 16 #10)', async () => {
    /** The guest's processes whose command line is exactly ARGV. */
    const inGuest = (argv: string[]): number[] => host.processesOf('box').filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `${argv.join('\0')}\0`
      } catch {
        return false
      }
    })
    for (const [index, [signal, status]] of ([['SIGINT', 130], ['SIGQUIT', 131], ['SIGTERM', 143], ['SIGHUP', 129]] as const).entries()) {
      for (const json of [[], ['--json']]) {
        const sleeper = ['sleep', String(4240 + index)]
        // stdin not a terminal: the CLI, not a terminal's process group, has to pass the signal on.
        const cli = execa(process.execPath, [cliPath, 'run', 'box', ...json, '--', ...sleeper], {env: host.env, stdin: 'ignore', reject: false})
        for (let tries = 0; tries < 200 && inGuest(sleeper).length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 50))
        const [guestPid] = inGuest(sleeper)
        assert.ok(guestPid, `${signal}: the command runs in the container`)
        cli.kill(signal)
        const result = await cli
        const what = `${signal} ${json.join('')}: ${String(result.stderr)}`
        assert.equal(result.exitCode, status, what)
        for (let tries = 0; tries < 40 && isAlive(guestPid); tries++) await new Promise((resolve) => setTimeout(resolve, 50))
        assert.ok(!isAlive(guestPid), `${what}: the command in the container has ended`)
        assert.deepEqual(inGuest(sleeper), [], what)
      }
    }
  })

  it('root-login gives a root shell, and login a login prompt, on a terminal', async () => {
    const rootShell = await typeAt(host, 'root-login box', [[800, 'echo ROOT-$(id -u)-$(hostname)\n'], [200, 'exit 4\n']])
    assert.equal(rootShell.exitCode, 4)
    assert.match(rootShell.stdout, /ROOT-0-box/)
    // The fixture's root has an empty password, so the prompt asks only for the user name.
    const login = await typeAt(host, 'login box', [[1200, 'root\n'], [1200, 'echo LOGGED-IN-$(id -u)\n'], [200, 'exit\n']])
    assert.match(login.stdout, /box login: /)
    assert.match(login.stdout, /LOGGED-IN-0/)
  })

  it('update activates the new system inside and keeps generations; a failed one changes nothing', async () => {
    const updated = await host.ok(['update', 'box', '--config', 'environment.etc."version".text = "two";'])
    assert.match(updated.stderr, /reloading container\.\.\./)
    assert.equal((await host.ok(['run', 'box', '--', 'cat', '/etc/version'])).stdout, 'two\n')
    assert.equal(readlinkSync(path.join(host.profileDir('box'), 'system')), 'system-2-link')
    const configuration = readFileSync(path.join(host.root('box'), 'etc/nixos/configuration.nix'), 'utf8')
    const failed = await host.cli(['update', 'box', '--config', 'assertions = [ { assertion = false; message = "no"; } ];'])
    assert.equal(failed.exitCode, 1)
    assert.equal(readlinkSync(path.join(host.profileDir('box'), 'system')), 'system-2-link')
    assert.equal(readFileSync(path.join(host.root('box'), 'etc/nixos/configuration.nix'), 'utf8'), configuration)
    assert.equal((await host.ok(['run', 'box', '--', 'cat', '/etc/version'])).stdout, 'two\n')
  })

  it('stop halts cleanly even with processes left by run, and returns once it is gone', async () => {
    await host.ok(['run', 'box', '--', 'sh', '-c', 'sleep 1000 > /dev/null 2>&1 &'])
    const pid = nspawnPid(host, 'box')
    await host.ok(['stop', 'box'])
    assert.ok(!isAlive(pid), 'systemd-nspawn has exited')
    assert.match(readFileSync(path.join(host.runtimeDir, 'box.log'), 'utf8'), /fixture init: halting/)
    assert.equal((await host.ok(['status', 'box'])).stdout, 'down\n')
    assert.ok(!(await linkExists('ve-box')))
    const run = await host.cli(['run', 'box', '--', 'true'])
    assert.equal(run.stderr, 'nixos-container: container ‘box’ is not running\n')
  })

  it('stop right after start, then restart from down and from up', async () => {
    await host.ok(['start', 'box'])
    await host.ok(['stop', 'box'])
    await host.ok(['restart', 'box'])
    const first = nspawnPid(host, 'box')
    await host.ok(['restart', 'box'])
    assert.notEqual(nspawnPid(host, 'box'), first)
    assert.ok(await answersPing('10.233.1.2'))
  })

  it('terminate kills it at once', async () => {
    const pid = nspawnPid(host, 'box')
    await host.ok(['terminate', 'box'])
    assert.ok(!isAlive(pid))
    assert.doesNotMatch(readFileSync(path.join(host.runtimeDir, 'box.log'), 'utf8'), /halting/)
    assert.equal((await host.ok(['status', 'box'])).stdout, 'down\n')
  })

  it('detects stale state: a container that died, or a pid file naming someone else', async () => {
    const {leader} = JSON.parse((await host.ok(['start', 'box', '--json'])).stdout)
    // The container dies under us: its init is killed, so systemd-nspawn exits too.
    const pid = nspawnPid(host, 'box')
    process.kill(leader, 'SIGKILL')
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal((await host.ok(['status', 'box'])).stdout, 'down\n')
    // A reused pid: the file points at a live process that is not this container's nspawn.
    writeFileSync(path.join(host.runtimeDir, 'box.pid'), `${process.pid}\n`)
    assert.equal((await host.ok(['status', 'box'])).stdout, 'down\n')
    await host.ok(['start', 'box'])
    assert.equal((await host.ok(['status', 'box'])).stdout, 'up\n')
    await host.ok(['stop', 'box'])
  })

  it('show-host-key prints the Ed25519 key, else ECDSA, else fails', async () => {
    const ssh = path.join(host.root('box'), 'etc/ssh')
    assert.equal((await host.cli(['show-host-key', 'box'])).exitCode, 1)
    mkdirSync(ssh, {recursive: true})
    writeFileSync(path.join(ssh, 'ssh_host_ecdsa_key.pub'), 'ecdsa-sha2-nistp256 AAAA root@box\n')
    assert.equal((await host.ok(['show-host-key', 'box'])).stdout, 'ecdsa-sha2-nistp256 AAAA root@box\n')
    writeFileSync(path.join(ssh, 'ssh_host_ed25519_key.pub'), 'ssh-ed25519 AAAA root@box\n')
    assert.equal((await host.ok(['show-host-key', 'box'])).stdout, 'ssh-ed25519 AAAA root@box\n')
  })
})

describe('a container that fails to boot', () => {
  const host = new TestHost('badboot')
  after(() => host.cleanup())

  it('start fails with one line naming the reason, and leaves it down', async () => {
    // A "system" whose init exits at once, built from the fixture's busybox.
    const expression = `let bb = (import ${fixtures}/nixpkgs/pkgs.nix {}).busybox; in derivation {
      name = "dying-system"; system = bb.system; builder = "\${bb}/bin/sh";
      args = [ "-c" "\${bb}/bin/mkdir $out; echo '#!\${bb}/bin/sh' > $out/init; echo 'exit 3' >> $out/init; \${bb}/bin/chmod +x $out/init" ]; }`
    const built = await execa('nix-build', ['--no-out-link', '-E', expression], {env: host.env})
    await host.ok(['create', 'dying', '--system-path', built.stdout.trim()])
    const result = await host.cli(['start', 'dying'])
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr.trimEnd().split('\n').at(-1)!, /^nixos-container: failed to start container ‘dying’: /)
    assert.equal((await host.ok(['status', 'dying'])).stdout, 'down\n')
    assert.ok(!(await linkExists('ve-dying')))
  })
})

describe('networking variants', () => {
  const host = new TestHost('net')
  const bridge = 'br-nctest'
  before(async () => {
    await execa('ip', ['link', 'add', bridge, 'type', 'bridge'])
    await execa('ip', ['addr', 'add', '10.240.0.1/24', 'dev', bridge])
    await execa('ip', ['link', 'set', bridge, 'up'])
  })
  after(async () => {
    await host.cleanup()
    await execa('ip', ['link', 'delete', bridge], {reject: false})
  })

  it('--bridge attaches vb-NAME to the bridge, and the container is reachable through it', async () => {
    await host.ok(['create', 'bridged', '--bridge', bridge, '--host-address', '10.240.0.1/24', '--local-address', '10.240.0.2/24', '--config', ''])
    await host.ok(['start', 'bridged'])
    assert.match((await execa('ip', ['link', 'show', 'vb-bridged'])).stdout, new RegExp(`master ${bridge}`))
    assert.ok(await answersPing('10.240.0.2'))
    assert.equal((await host.ok(['show-ip', 'bridged'])).stdout, '10.240.0.2\n')
  })

  it('--port is passed to systemd-nspawn', async () => {
    await host.ok(['create', 'ported', '--port', 'tcp:18080:80', '--config', ''])
    await host.ok(['start', 'ported'])
    const argv = readFileSync(`/proc/${nspawnPid(host, 'ported')}/cmdline`, 'utf8').split('\0')
    assert.ok(argv.includes('--port=tcp:18080:80'), argv.join(' '))
  })

  it('IPv6 addresses are set up on both ends', async () => {
    await host.ok(['create', 'six', '--config', '', '--host-address6', 'fd42::1', '--local-address6', 'fd42::2'])
    await host.ok(['start', 'six'])
    const inside = (await host.ok(['run', 'six', '--', 'ip', '-6', 'addr', 'show', 'eth0'])).stdout
    assert.match(inside, /inet6 fd42::2\//)
    assert.match((await execa('ip', ['-6', 'route', 'show', 'dev', 've-six'])).stdout, /fd42::2/)
  })
})

describe('destroy', () => {
  const host = new TestHost('destroy')
  after(() => host.cleanup())

  it('terminates a running container and removes its files, but never data bind-mounted under its root', async () => {
    await host.ok(['create', 'doomed', '--config', ''])
    await host.ok(['start', 'doomed'])
    const data = path.join(host.dir, 'precious')
    mkdirSync(data)
    writeFileSync(path.join(data, 'keep.txt'), 'keep me')
    const mountPoint = path.join(host.root('doomed'), 'srv/data')
    mkdirSync(mountPoint, {recursive: true})
    await execa('mount', ['--bind', data, mountPoint])
    await host.ok(['destroy', 'doomed'])
    assert.equal(readFileSync(path.join(data, 'keep.txt'), 'utf8'), 'keep me')
    for (const gone of [host.conf('doomed'), host.root('doomed'), host.profileDir('doomed'), path.join(host.gcrootsDir, 'doomed')]) {
      assert.ok(!existsSync(gone), `${gone} removed`)
    }
    assert.ok(!(await linkExists('ve-doomed')))
  })

  it('refuses a declarative container with upstream\'s message', async () => {
    const readOnly = path.join(host.dir, 'declarative-etc')
    mkdirSync(readOnly)
    writeFileSync(path.join(readOnly, 'decl.conf'), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.9.1\nLOCAL_ADDRESS=10.233.9.2\n')
    // As on NixOS, where /etc/nixos-containers/NAME.conf lives on the read-only store.
    await execa('mount', ['--bind', '-o', 'ro', readOnly, readOnly])
    try {
      const result = await host.cli(['destroy', 'decl'], {env: {NIXOS_CONTAINER_CONFIG_DIR: readOnly}})
      assert.equal(result.exitCode, 1)
      assert.equal(result.stderr, 'nixos-container: cannot destroy declarative container (remove it from your configuration.nix instead)\n')
      assert.ok(existsSync(path.join(readOnly, 'decl.conf')))
      const listed = JSON.parse((await host.ok(['list', '--json'], {env: {NIXOS_CONTAINER_CONFIG_DIR: readOnly}})).stdout)
      assert.equal(listed[0].declarative, true)
    } finally {
      await execa('umount', [readOnly])
    }
  })
})
