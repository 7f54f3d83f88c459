// --host end to end against a real sshd: a second machine (test/helpers/ssh-host.ts) with its own
// Nix store, reached over a veth. Systems are built here and copied there; the tests run in order.
// Container names start with rh and use addresses in 10.233.248.0/24, apart from other suites'.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {chmodSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {sleep} from '../../dist/lib/proc.js'
import {configurationText} from '../../dist/lib/nixos-config.js'
import {shellQuote} from '../../dist/lib/remote.js'
import {cliPath, fixtures, TestHost} from '../helpers/host.ts'
import {deadAddress, descendants, remoteAddress, SshHost} from '../helpers/ssh-host.ts'

describe('--host: containers on another machine over ssh', function () {
  this.timeout(300_000)
  let ssh: SshHost
  const here = new TestHost('remote-hosts')
  const remote = `root@${remoteAddress}`
  // --host goes right after the command: after a `--` it would be run's command's own argument.
  const withHost = ([id, ...rest]: string[]): string[] => [id, ...ssh.flags(), ...rest]
  const onRemote = (args: string[], options: {input?: string} = {}) => here.cli(withHost(args), options)
  const okOnRemote = (args: string[], options: {input?: string} = {}) => here.ok(withHost(args), options)
  const stderrLines = (stderr: string): string[] => stderr.split('\n').filter(Boolean)
  let firstSystem = ''
  const validHere = async (storePath: string): Promise<boolean> => (await execa('nix-store', ['--check-validity', storePath], {reject: false})).exitCode === 0

  /**
   * The system the tool evaluates for container NAME with CONFIG (its configuration.nix with that
   * text): its derivation, output, and the derivations building it here would build. The build
   * host has no binary cache: it is given the inputs of those (all built before, on this
   * machine), as a cache would.
   */
  const systemToBuildThere = async (name: string, config: string): Promise<{drv: string; out: string; toBuild: Set<string>}> => {
    const file = path.join(here.dir, `${name}-built-there.nix`)
    writeFileSync(file, configurationText(name, {kind: 'string', text: config}))
    const drv = (await execa('nix-instantiate', ['-I', `nixos-config=${file}`, '<nixpkgs/nixos>', '-A', 'system'], {env: here.env})).stdout.trim()
    const out = (await execa('nix-store', ['-q', '--outputs', drv])).stdout.trim()
    const dryRun = await execa('nix-store', ['--realise', '--dry-run', drv], {env: here.env})
    const toBuild = new Set(dryRun.stderr.split('\n').map((l) => l.trim()).filter((l) => l.endsWith('.drv')))
    const inputs = new Set<string>()
    for (const d of toBuild) {
      for (const ref of (await execa('nix-store', ['-q', '--references', d])).stdout.split('\n')) {
        if (ref.endsWith('.drv') && !toBuild.has(ref)) for (const o of (await execa('nix-store', ['-q', '--outputs', ref])).stdout.split('\n')) inputs.add(o)
      }
    }
    if (inputs.size > 0) await execa('nix', ['--extra-experimental-features', 'nix-command', 'copy', '--no-check-sigs', '--to', `ssh-ng://${remote}`, ...inputs], {env: {NIX_SSHOPTS: ssh.sshArgs().join(' ')}})
    return {drv, out, toBuild}
  }

  before(async function () {
    this.timeout(600_000)
    ssh = await SshHost.boot()
  })
  after(async () => {
    await ssh?.throttle()
    await ssh?.dispose()
    await here.cleanup()
  })

  describe('a host that cannot be used: one line naming it, exit 255, nothing done', () => {
    it('unreachable', async () => {
      const result = await here.cli(['status', 'rhx', ...ssh.flags('client', deadAddress)])
      assert.equal(result.exitCode, 255)
      assert.deepEqual(stderrLines(result.stderr), [`nixos-container: root@${deadAddress}: unreachable (connection timed out)`])
    })

    it('authentication refused', async () => {
      const result = await here.cli(['list', ...ssh.flags('stranger')])
      assert.equal(result.exitCode, 255)
      assert.deepEqual(stderrLines(result.stderr), [`nixos-container: ${remote}: authentication refused (check your ssh key, agent or --ssh-option -i KEY)`])
    })

    it('without the tool, or with an incompatible one; create builds nothing then', async () => {
      ssh.installTool('exit 127')
      try {
        const missing = await onRemote(['create', 'rhx', '--config', '', '--host-address', '10.233.248.1', '--local-address', '10.233.248.2'])
        assert.equal(missing.exitCode, 255)
        assert.deepEqual(stderrLines(missing.stderr), [`nixos-container: ${remote}: nixos-container is not installed there (or not on the PATH of ssh commands): install nixos-container/0.1.x there`])
        ssh.installTool('echo nixos-container/9.0.0 linux-x64 node-v24.0.0')
        const old = await onRemote(['list'])
        assert.equal(old.exitCode, 255)
        assert.deepEqual(stderrLines(old.stderr), [`nixos-container: ${remote}: it has nixos-container/9.0.0 linux-x64 node-v24.0.0, this is nixos-container/0.1.0: install nixos-container/0.1.x there`])
      } finally {
        ssh.restoreTool()
      }
    })

    it('without Nix there, create says so and builds nothing', async () => {
      await ssh.host.sh('mv /usr/bin/nix-store /usr/bin/nix-store.away')
      try {
        const result = await onRemote(['create', 'rhx', '--config', '', '--host-address', '10.233.248.1', '--local-address', '10.233.248.2'])
        assert.equal(result.exitCode, 255)
        assert.deepEqual(stderrLines(result.stderr), [`nixos-container: ${remote}: Nix is not installed there (nix-store not on the PATH of ssh commands): install Nix there`])
      } finally {
        await ssh.host.sh('mv /usr/bin/nix-store.away /usr/bin/nix-store')
      }
    })

    it('a bad --host is refused before anything runs', async () => {
      const result = await here.cli(['list', '--host', 'root@'])
      assert.equal(result.exitCode, 1)
      assert.deepEqual(stderrLines(result.stderr), ['nixos-container: --host: ‘root@’ is not [USER@]HOST[:PORT]'])
    })
  })

  describe('a container\'s life there', () => {
    it('create builds here and copies the closure: the system is in the remote store, nothing was built there', async () => {
      const created = await okOnRemote(['create', 'rh1', '--config', 'environment.etc."version".text = "one";',
        '--host-address', '10.233.248.1', '--local-address', '10.233.248.2'])
      assert.match(created.stderr, /host IP is 10\.233\.248\.1, container IP is 10\.233\.248\.2/)
      const status = JSON.parse((await okOnRemote(['status', 'rh1', '--json'])).stdout)
      assert.equal(status.state, 'down')
      firstSystem = status.systemPath
      assert.match(firstSystem, /^\/nix\/store\/\w{32}-nixos-system-rh1/)
      // Built here (in this machine's store) and valid in the remote's own store.
      assert.ok((await execa('nix-store', ['--check-validity', firstSystem], {reject: false})).exitCode === 0)
      await ssh.host.sh(`nix-store --check-validity ${firstSystem}`)
      // The remote evaluated and built nothing: its store has no derivations.
      assert.equal((await ssh.host.sh('ls /nix/store | grep -c "\\.drv$" || true')).trim(), '0')
    })

    it('start; run keeps arguments, stdin and exit status', async () => {
      await okOnRemote(['start', 'rh1'])
      assert.equal((await okOnRemote(['status', 'rh1'])).stdout, 'up\n')
      const failed = await onRemote(['run', 'rh1', '--', 'sh', '-c', 'cat; cat /etc/version; exit 7'], {input: 'from stdin\n'})
      assert.equal(failed.exitCode, 7)
      assert.equal(failed.stdout, 'from stdin\none\n')
      const quoted = await okOnRemote(['run', 'rh1', '--', 'sh', '-c', 'printf "%s|" "$@"', 'x', 'a b', 'c\'d', '$HOME', '*', ''])
      assert.equal(quoted.stdout, 'a b|c\'d|$HOME|*||')
      // From a terminal (script gives one), run gets one there too (ssh -t), and keeps the status.
      const line = [process.execPath, cliPath, ...withHost(['run', 'rh1']), '--', 'sh', '-c', 'test -t 0 && echo on a terminal; exit 4'].map(shellQuote).join(' ')
      const terminal = await execa('script', ['-qec', line, '/dev/null'], {env: here.env, reject: false, stdin: 'ignore'})
      assert.equal(terminal.exitCode, 4)
      assert.match(String(terminal.stdout), /on a terminal/)
      const captured = await onRemote(['run', 'rh1', '--json', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
      assert.equal(captured.exitCode, 3)
      assert.deepEqual(JSON.parse(captured.stdout), {name: 'rh1', exitCode: 3, stdout: 'out\n', stderr: 'err\n'})
    })

    it('Ctrl-C of run without a terminal stops the command there too', async () => {
      const child = execa(process.execPath, [cliPath, ...withHost(['run', 'rh1']), '--', 'sh', '-c', 'echo started; exec sleep 997'], {env: here.env, reject: false})
      await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('started')) resolve()
      }))
      assert.notEqual((await ssh.host.sh('pgrep -f "^sleep 997" || true')).trim(), '')
      // As a terminal's Ctrl-C: SIGINT to the tool and its ssh.
      for (const pid of [child.pid!, ...descendants(child.pid!).map((p) => p.pid)]) process.kill(pid, 'SIGINT')
      const result = await child
      assert.equal(result.exitCode, 130)
      for (let i = 0; i < 50 && (await ssh.host.sh('pgrep -f "^sleep 997" || true')).trim() !== ''; i++) await sleep(100)
      assert.equal((await ssh.host.sh('pgrep -f "^sleep 997" || true')).trim(), '', `the command there is gone: ${await ssh.host.sh('ps -eo pid,ppid,args | grep "[s]leep 997" || true')}`)
    })

    it('list over this machine and the remote: one list with the host of each', async () => {
      await here.ok(['create', 'rhlocal', '--system-path', firstSystem, '--host-address', '10.233.248.3', '--local-address', '10.233.248.4'])
      const hosts = ['--host', 'local', ...ssh.flags()]
      const text = await here.ok(['list', ...hosts])
      assert.deepEqual(text.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)), [['HOST', 'NAME'], ['local', 'rhlocal'], [remote, 'rh1']])
      const json = JSON.parse((await here.ok(['list', '--json', ...hosts])).stdout)
      assert.deepEqual(json.map((c: {host: string; name: string; state: string}) => [c.host, c.name, c.state]), [['local', 'rhlocal', 'down'], [remote, 'rh1', 'up']])
      // One host alone: as if run there (no HOST column); also from NIXOS_CONTAINER_HOST.
      assert.equal((await okOnRemote(['list'])).stdout, 'rh1\n')
      const fromEnv = await here.ok(['list', '--ssh-option', ssh.sshArgs().join(' ')], {env: {NIXOS_CONTAINER_HOST: remote}})
      assert.equal(fromEnv.stdout, 'rh1\n')
    })

    it('hosts named in the settings file: --host NAME is that host; list without --host lists this machine and each', async () => {
      writeFileSync(here.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({hosts: {web2: remote}}))
      try {
        const sshOption = ['--ssh-option', ssh.sshArgs().join(' ')]
        assert.equal((await here.ok(['status', 'rh1', '--host', 'web2', ...sshOption])).stdout, 'up\n')
        const listed = await here.ok(['list', ...sshOption])
        assert.deepEqual(listed.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)), [['HOST', 'NAME'], ['local', 'rhlocal'], ['web2', 'rh1']])
        // --host local: this machine alone, as before.
        assert.equal((await here.ok(['list', '--host', 'local'])).stdout, 'rhlocal\n')
      } finally {
        rmSync(here.env.NIXOS_CONTAINER_SETTINGS, {force: true})
      }
    })

    it('an unreachable host in list: named on stderr, the others listed, exit status 1', async () => {
      const result = await here.cli(['list', '--host', 'local', ...ssh.flags(), '--host', `root@${deadAddress}`])
      assert.equal(result.exitCode, 1)
      assert.deepEqual(stderrLines(result.stderr), [`nixos-container: root@${deadAddress}: unreachable (connection timed out); not listed`])
      assert.deepEqual(result.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[1]), ['NAME', 'rhlocal', 'rh1'])
      await here.ok(['destroy', 'rhlocal'])
    })

    it('update builds here (channels or a flake), copies, and activates there', async () => {
      const updated = JSON.parse((await okOnRemote(['update', 'rh1', '--json', '--config', 'environment.etc."version".text = "two";'])).stdout)
      assert.equal(updated.activated, true)
      assert.notEqual(updated.systemPath, firstSystem)
      assert.equal((await okOnRemote(['run', 'rh1', '--', 'cat', '/etc/version'])).stdout, 'two\n')
      // The flakes builder, here too: the flake needs to exist only on this machine.
      const flake = path.join(here.dir, 'flake')
      cpSync(fixtures, flake, {recursive: true})
      await okOnRemote(['update', 'rh1', '--flake', `path:${flake}#web`])
      assert.equal((await okOnRemote(['run', 'rh1', '--', 'cat', '/etc/role'])).stdout, 'web\n')
      assert.equal((await ssh.host.sh('ls /nix/store | grep -c "\\.drv$" || true')).trim(), '0')
    })

    it('--build-host: evaluated here, built on the build host (here the target itself), nothing built or stored here', async () => {
      const config = 'environment.etc."version".text = "built there";'
      // The same derivation as the tool's.
      const {out} = await systemToBuildThere('rh1', config)
      assert.equal(await validHere(out), false, 'the system is not in this store before')
      const updated = JSON.parse((await okOnRemote(['update', 'rh1', '--json', '--build-host', remote, '--config', config])).stdout)
      assert.equal(updated.systemPath, out)
      assert.equal(await validHere(out), false, 'nothing of the system was built or copied here')
      await ssh.host.sh(`nix-store --check-validity ${out}`)
      assert.equal((await okOnRemote(['run', 'rh1', '--', 'cat', '/etc/version'])).stdout, 'built there\n')
      // Without --host the target is this machine, which has no rh1: refused before anything is evaluated or built.
      const alone = await here.cli(['update', 'rh1', '--build-host', remote, '--ssh-option', ssh.sshArgs().join(' '), '--config', config])
      assert.equal(alone.exitCode, 1)
      assert.deepEqual(stderrLines(alone.stderr), ['nixos-container: container ‘rh1’ does not exist'])
    })

    it('update --host without a source: the host rebuilds from what it recorded, as update there would', async () => {
      // rh1 was made with --host: its host recorded a system path, no configuration, and says so.
      const none = await onRemote(['update', 'rh1'])
      assert.equal(none.exitCode, 1)
      assert.deepEqual(stderrLines(none.stderr), ['nixos-container: container ‘rh1’ has no /etc/nixos/configuration.nix; give --config, --config-file or --flake'])
      // A configuration.nix there, and a nixpkgs there (the fixture's): evaluated and built there.
      cpSync(path.join(fixtures, 'nixpkgs'), path.join(ssh.host.root, 'srv/nixpkgs'), {recursive: true})
      ssh.host.writeFile('/var/lib/nixos-containers/rh1/etc/nixos/configuration.nix',
        configurationText('rh1', {kind: 'string', text: 'environment.etc."version".text = "recorded there";'}))
      ssh.installTool(`NIX_PATH=nixpkgs=/srv/nixpkgs exec ${process.execPath} ${cliPath} "$@"`)
      try {
        const updated = JSON.parse((await okOnRemote(['update', 'rh1', '--json'])).stdout)
        assert.equal(updated.activated, true)
        assert.equal((await execa('nix-store', ['--check-validity', updated.systemPath], {reject: false})).exitCode, 1, 'not built here')
        assert.equal((await okOnRemote(['run', 'rh1', '--', 'cat', '/etc/version'])).stdout, 'recorded there\n')
      } finally {
        ssh.restoreTool()
      }
    })

    it('stop and destroy', async () => {
      await okOnRemote(['stop', 'rh1'])
      assert.equal((await okOnRemote(['status', 'rh1'])).stdout, 'down\n')
      await okOnRemote(['destroy', 'rh1'])
      assert.equal((await okOnRemote(['list'])).stdout, '')
      const gone = await onRemote(['status', 'rh1'])
      assert.equal(gone.exitCode, 1)
      assert.equal(gone.stderr, 'nixos-container: container ‘rh1’ does not exist\n')
    })
  })

  describe('--build-host without --host: evaluated here, built on the build host, run here', () => {
    // A text of this run's own: its system is in neither store before.
    const stamp = path.basename(here.dir)
    const config = `environment.etc."version".text = "built there, run here ${stamp}";`
    const addresses = ['--host-address', '10.233.248.9', '--local-address', '10.233.248.10']
    const buildThere = (): string[] => ['--build-host', remote, '--ssh-option', ssh.sshArgs().join(' ')]
    const nothingOfRhbHere = (): void => {
      assert.equal(existsSync(here.conf('rhb')), false, 'no NAME.conf here')
      assert.equal(existsSync(here.root('rhb')), false, 'no root here')
      assert.equal(existsSync(here.profileDir('rhb')), false, 'no profile here')
    }
    /** Built there, copied here: no build log here, and each output here a copy (not `ultimate`). */
    const builtThereOnly = async (toBuild: Set<string>): Promise<void> => {
      assert.ok(toBuild.size > 0)
      for (const drv of toBuild) {
        assert.notEqual((await execa('nix-store', ['--read-log', drv], {reject: false})).exitCode, 0, `${drv} has no build log here`)
        for (const output of (await execa('nix-store', ['-q', '--outputs', drv])).stdout.split('\n')) {
          if (!(await validHere(output))) continue
          const [info] = JSON.parse((await execa('nix', ['--extra-experimental-features', 'nix-command', 'path-info', '--json', output])).stdout) as {ultimate?: boolean}[]
          assert.notEqual(info.ultimate, true, `${output} was copied here, not built here`)
        }
      }
    }

    it('a build host that cannot be used: one line naming it, exit 255, nothing made here', async () => {
      const unreachable = await here.cli(['create', 'rhb', '--build-host', `root@${deadAddress}`, '--ssh-option', ssh.sshArgs().join(' '), '--config', config, ...addresses])
      assert.equal(unreachable.exitCode, 255)
      assert.deepEqual(stderrLines(unreachable.stderr), [`nixos-container: root@${deadAddress}: unreachable (connection timed out)`])
      nothingOfRhbHere()
      await ssh.host.sh('mv /usr/bin/nix-store /usr/bin/nix-store.away')
      try {
        const noNix = await here.cli(['create', 'rhb', ...buildThere(), '--config', config, ...addresses])
        assert.equal(noNix.exitCode, 255)
        assert.deepEqual(stderrLines(noNix.stderr), [`nixos-container: ${remote}: Nix is not installed there (nix-store not on the PATH of ssh commands): install Nix there`])
      } finally {
        await ssh.host.sh('mv /usr/bin/nix-store.away /usr/bin/nix-store')
      }
      nothingOfRhbHere()
      const local = await here.cli(['create', 'rhb', '--build-host', 'localhost', '--config', config, ...addresses])
      assert.equal(local.exitCode, 1)
      assert.deepEqual(stderrLines(local.stderr), ['nixos-container: --build-host: to build here, leave --build-host out'])
      nothingOfRhbHere()
    })

    it('a build that fails there: one line naming the build host, nothing made here', async () => {
      // nix-store --realise fails there as a failing builder would; the rest of Nix works.
      ssh.host.writeFile('/usr/local/bin/nix-store', '#!/bin/sh\n[ "$1" = --realise ] && { echo "error: builder for \'$2\' failed with exit code 1" >&2; exit 1; }\nexec /usr/bin/nix-store "$@"\n')
      chmodSync(path.join(ssh.host.root, 'usr/local/bin/nix-store'), 0o755)
      try {
        const failed = await here.cli(['create', 'rhb', ...buildThere(), '--config', config, ...addresses])
        assert.equal(failed.exitCode, 1)
        assert.match(stderrLines(failed.stderr).at(-1)!, new RegExp(`^nixos-container: ${remote}: building the system failed: builder for '/nix/store/\\w{32}-nixos-system-rhb\\.drv' failed with exit code 1$`))
      } finally {
        await ssh.host.sh('rm -f /usr/local/bin/nix-store')
      }
      nothingOfRhbHere()
    })

    it('a copy back that fails: one line naming the build host, nothing made here', async () => {
      const {out} = await systemToBuildThere('rhb', config)
      // Its nix-daemon (the far end of nix copy over ssh-ng) gives up once the system is built there.
      const daemon = (await ssh.host.sh('command -v nix-daemon')).trim()
      ssh.host.writeFile('/usr/local/bin/nix-daemon', `#!/bin/sh\nnix-store --check-validity ${out} 2>/dev/null && exit 1\nexec ${daemon} "$@"\n`)
      chmodSync(path.join(ssh.host.root, 'usr/local/bin/nix-daemon'), 0o755)
      try {
        const failed = await here.cli(['create', 'rhb', ...buildThere(), '--config', config, ...addresses])
        assert.equal(failed.exitCode, 1)
        assert.match(stderrLines(failed.stderr).at(-1)!, new RegExp(`^nixos-container: ${remote}: copying the system here failed`))
      } finally {
        await ssh.host.sh('rm -f /usr/local/bin/nix-daemon')
      }
      await ssh.host.sh(`nix-store --check-validity ${out}`)
      assert.equal(await validHere(out), false, 'the system did not reach this store')
      nothingOfRhbHere()
    })

    it('create: the system built on the build host, copied here, and the container runs here', async () => {
      const {out, toBuild} = await systemToBuildThere('rhb', config)
      assert.equal(await validHere(out), false, 'the system is not in this store before')
      const created = await here.ok(['create', 'rhb', ...buildThere(), '--config', config, ...addresses])
      assert.match(created.stderr, /host IP is 10\.233\.248\.9, container IP is 10\.233\.248\.10/)
      const status = JSON.parse((await here.ok(['status', 'rhb', '--json'])).stdout)
      assert.equal(status.systemPath, out)
      // Built there (valid in its store), copied here, nothing of it built here.
      await ssh.host.sh(`nix-store --check-validity ${out}`)
      assert.equal(await validHere(out), true)
      await builtThereOnly(toBuild)
      // Created as a local create is: its configuration.nix installed, for a later update to rebuild.
      assert.equal(readFileSync(path.join(here.root('rhb'), 'etc/nixos/configuration.nix'), 'utf8'), configurationText('rhb', {kind: 'string', text: config}))
      await here.ok(['start', 'rhb'])
      assert.equal((await here.ok(['run', 'rhb', '--', 'cat', '/etc/version'])).stdout, `built there, run here ${stamp}\n`)
      assert.equal((await here.cli(['run', 'rhb', '--', 'true'])).exitCode, 0)
    })

    it('update: built there, copied here and activated here; a container this machine lacks is refused first', async () => {
      const next = `environment.etc."version".text = "updated there ${stamp}";`
      const {out, toBuild} = await systemToBuildThere('rhb', next)
      assert.equal(await validHere(out), false, 'the new system is not in this store before')
      const updated = JSON.parse((await here.ok(['update', 'rhb', '--json', ...buildThere(), '--config', next])).stdout)
      assert.equal(updated.systemPath, out)
      assert.equal(updated.activated, true)
      await ssh.host.sh(`nix-store --check-validity ${out}`)
      await builtThereOnly(toBuild)
      assert.equal((await here.ok(['run', 'rhb', '--', 'cat', '/etc/version'])).stdout, `updated there ${stamp}\n`)
      // No source: what the container records (its configuration.nix, edited as an admin would) is
      // evaluated here and built there, as a plain update would build it here.
      const edited = `environment.etc."version".text = "edited, built there ${stamp}";`
      const recorded = await systemToBuildThere('rhb', edited)
      writeFileSync(path.join(here.root('rhb'), 'etc/nixos/configuration.nix'), configurationText('rhb', {kind: 'string', text: edited}))
      const rebuilt = JSON.parse((await here.ok(['update', 'rhb', '--json', ...buildThere()])).stdout)
      assert.equal(rebuilt.systemPath, recorded.out)
      await builtThereOnly(recorded.toBuild)
      assert.equal((await here.ok(['run', 'rhb', '--', 'cat', '/etc/version'])).stdout, `edited, built there ${stamp}\n`)
      const missing = await here.cli(['update', 'rhnone', ...buildThere(), '--config', next])
      assert.equal(missing.exitCode, 1)
      assert.deepEqual(stderrLines(missing.stderr), ['nixos-container: container ‘rhnone’ does not exist'])
      await here.ok(['stop', 'rhb'])
      await here.ok(['destroy', 'rhb'])
      nothingOfRhbHere()
    })
  })

  describe('faults', () => {
  it('a connection killed during nix copy leaves nothing made there; a second try completes', async () => {
    // A few MB of new store path, over a link slowed to 2 Mbit/s: the copy takes seconds.
    const module = path.join(here.dir, 'big.nix')
    writeFileSync(module, '{ ... }: { environment.etc."big".text = builtins.concatStringsSep "" (builtins.genList (i: "line ${toString i} of a file that takes a while to copy\\n") 60000); }\n')
    const args = ['create', 'rh2', '--config-file', module, '--host-address', '10.233.248.5', '--local-address', '10.233.248.6', ...ssh.flags()]
    await ssh.throttle('2mbit')
    try {
      const child = execa(process.execPath, [cliPath, ...args], {env: here.env, reject: false, stdin: 'ignore'})
      let killed = false
      for (let i = 0; i < 1200 && !killed; i++) {
        const copying = descendants(child.pid!).filter((p) => p.comm === 'ssh').filter((p) => descendants(child.pid!).some((n) => n.comm === 'nix' && descendants(n.pid).some((d) => d.pid === p.pid)))
        if (copying.length > 0) {
          await sleep(1500)
          for (const {pid} of copying) process.kill(pid, 'SIGKILL')
          killed = true
        }
        await sleep(50)
      }
      const failed = await child
      assert.ok(killed, 'the copy was caught running')
      assert.notEqual(failed.exitCode, 0)
      assert.match(stderrLines(String(failed.stderr)).at(-1)!, new RegExp(`^nixos-container: ${remote}: copying the system failed`))
      assert.equal((await okOnRemote(['list'])).stdout, '', 'nothing was made there')
    } finally {
      await ssh.throttle()
    }
    await here.ok(args)
    assert.equal((await okOnRemote(['status', 'rh2'])).stdout, 'down\n')
    await okOnRemote(['start', 'rh2'])
    assert.match((await okOnRemote(['run', 'rh2', '--', 'head', '-1', '/etc/big'])).stdout, /^line 0 of a file/)
    await okOnRemote(['destroy', 'rh2'])
  })

  it('a connection dropped during the remote create itself: the remote tool hangs up and undoes it; a second try completes', async () => {
    const args = ['create', 'rh3', '--system-path', firstSystem, '--host-address', '10.233.248.7', '--local-address', '10.233.248.8', ...ssh.flags()]
    // The remote create stops for a minute once its NAME.conf is written (lib/test-pause.ts).
    ssh.installTool(`NIXOS_CONTAINER_TEST_PAUSE=conf-written exec ${process.execPath} ${cliPath} "$@"`)
    const leftovers = 'ls /etc/nixos-containers /var/lib/nixos-containers /nix/var/nix/profiles/per-container /nix/var/nix/gcroots/per-container 2>/dev/null | grep rh3 || true'
    try {
      const child = execa(process.execPath, [cliPath, ...args], {env: here.env, reject: false, stdin: 'ignore'})
      await new Promise<void>((resolve) => child.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('test pause: conf-written')) resolve()
      }))
      assert.match(await ssh.host.sh('ls /etc/nixos-containers'), /rh3\.conf/, 'the remote create was caught half-way')
      for (const {pid} of descendants(child.pid!).filter((p) => p.comm === 'ssh')) process.kill(pid, 'SIGKILL')
      const failed = await child
      assert.equal(failed.exitCode, 255)
      assert.equal(stderrLines(String(failed.stderr)).at(-1), `nixos-container: ${remote}: connection lost (ssh killed by SIGKILL)`)
      // There, the hang-up undoes the create: nothing of rh3 is left.
      for (let i = 0; i < 100 && (await ssh.host.sh(leftovers)).trim() !== ''; i++) await sleep(100)
      assert.equal((await ssh.host.sh(leftovers)).trim(), '', 'nothing of rh3 is left there')
    } finally {
      ssh.restoreTool()
    }
    await here.ok(args)
    assert.equal((await okOnRemote(['status', 'rh3'])).stdout, 'down\n')
    await okOnRemote(['destroy', 'rh3'])
  })
  })
})
