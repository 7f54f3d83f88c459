// Day-two operations, part two (issue 12): cp in and out (running and stopped, directories, links
// planted by the guest), clone (a second machine from the first, both running at once) and reset
// (a first boot again, definition kept), on real containers of the busybox fixture serving HTTP.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {
  existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs'
import path from 'node:path'

import {fixtures, TestHost} from '../helpers/host.ts'
import {Terminal} from '../helpers/terminal.ts'

const name = 'cc-web'
const planted = 'nixos-container: refusing to follow a link planted in the container: '
/** Enough `..` to climb from anywhere in the root to the host's /. */
const up = '../'.repeat(24).slice(0, -1)

describe('cp, clone and reset', function () {
  this.timeout(180_000)
  const host = new TestHost('copy')
  const local = path.join(host.dir, 'local')
  const secret = path.join(host.dir, 'secret')
  const run = async (container: string, script: string) => host.ok(['run', container, '--', 'sh', '-c', script])
  const ping = async (address: string): Promise<boolean> => (await execa('ping', ['-c', '1', '-W', '2', address], {reject: false})).exitCode === 0

  before(async () => {
    mkdirSync(local, {recursive: true})
    writeFileSync(secret, 'HOST SECRET\n')
    await host.ok(['create', name, '--config-file', path.join(fixtures, 'container.nix'), '--host-address', '10.233.186.1', '--local-address', '10.233.186.2'])
    await host.ok(['start', name])
  })
  after(() => host.cleanup())

  describe('cp', () => {
    it('copies a directory out with its modes and links (as links), without setuid bits', async () => {
      await run(name, 'mkdir -p /srv/site/sub && echo page > /srv/site/index.html && echo deep > /srv/site/sub/x && chmod 4750 /srv/site/sub/x && ln -s index.html /srv/site/home')
      await host.ok(['cp', `${name}:/srv/site`, local])
      assert.equal(readFileSync(path.join(local, 'site/index.html'), 'utf8'), 'page\n')
      assert.equal(readFileSync(path.join(local, 'site/sub/x'), 'utf8'), 'deep\n')
      assert.equal(statSync(path.join(local, 'site/sub/x')).mode & 0o7777, 0o750, 'setuid dropped, the rest kept')
      assert.equal(readlinkSync(path.join(local, 'site/home')), 'index.html')
    })

    it('copies a file and a directory in, to a new name and into a directory', async () => {
      writeFileSync(path.join(local, 'note'), 'from the host\n', {mode: 0o640})
      await host.ok(['cp', path.join(local, 'note'), `${name}:/srv/note-copy`])
      await host.ok(['cp', path.join(local, 'site'), `${name}:/srv/site-copy`])
      await host.ok(['cp', path.join(local, 'note'), `${name}:/srv`])
      assert.equal((await run(name, 'cat /srv/note-copy /srv/site-copy/sub/x /srv/note; stat -c %a /srv/note-copy; readlink /srv/site-copy/home')).stdout,
        'from the host\ndeep\nfrom the host\n640\nindex.html\n')
    })

    it('never reads or writes a host file through a link the guest planted', async () => {
      await run(name, `ln -s ${secret} /srv/steal && ln -s ${up}${secret} /srv/steal-relative && ln -s ${host.dir} /srv/hostdir && ln -s ../../../../../../../.. /srv/up`)
      for (const [args, message] of [
        [[`${name}:/srv/steal`, path.join(local, 'stolen')], `${planted}/srv/steal → ${secret}`],
        [[`${name}:/srv/steal-relative`, path.join(local, 'stolen')], `${planted}/srv/steal-relative → ${up}${secret}`],
        [[path.join(local, 'note'), `${name}:/srv/steal-relative`], `${planted}/srv/steal-relative → ${up}${secret}`],
        [[`${name}:/srv/hostdir/secret`, path.join(local, 'stolen')], `${planted}/srv/hostdir → ${host.dir}`],
        [[path.join(local, 'note'), `${name}:/srv/steal`], `${planted}/srv/steal → ${secret}`],
        [[path.join(local, 'note'), `${name}:/srv/hostdir/secret`], `${planted}/srv/hostdir → ${host.dir}`],
        [[path.join(local, 'note'), `${name}:/srv/up${secret}`], `${planted}/srv/up → ../../../../../../../..`],
      ] as Array<[string[], string]>) {
        const refused = await host.cli(['cp', ...args])
        assert.equal(refused.exitCode, 1, args.join(' '))
        assert.equal(refused.stderr, `${message}\n`)
      }
      assert.equal(readFileSync(secret, 'utf8'), 'HOST SECRET\n')
      assert.ok(!existsSync(path.join(local, 'stolen')))
      await run(name, 'rm /srv/steal /srv/steal-relative /srv/hostdir /srv/up')
    })

    it('never writes through a link an earlier copy brought out: copied again, it is replaced', async () => {
      // Copied out, the guest's links are links on the host; the guest then swaps them for a
      // file and a directory, and the admin copies the same tree out again.
      const victimDir = path.join(host.dir, 'victim-dir')
      mkdirSync(victimDir, {recursive: true})
      await run(name, `mkdir -p /srv/trap && ln -s ${secret} /srv/trap/file && ln -s ${victimDir} /srv/trap/dir`)
      await host.ok(['cp', `${name}:/srv/trap`, local])
      assert.equal(readlinkSync(path.join(local, 'trap/file')), secret)
      assert.equal(readlinkSync(path.join(local, 'trap/dir')), victimDir)
      await run(name, 'rm /srv/trap/file /srv/trap/dir && echo guest > /srv/trap/file && mkdir /srv/trap/dir && echo guest > /srv/trap/dir/planted')
      await host.ok(['cp', `${name}:/srv/trap`, local])
      assert.equal(readFileSync(secret, 'utf8'), 'HOST SECRET\n')
      assert.deepEqual(readdirSync(victimDir), [])
      assert.equal(readFileSync(path.join(local, 'trap/file'), 'utf8'), 'guest\n')
      assert.equal(readFileSync(path.join(local, 'trap/dir/planted'), 'utf8'), 'guest\n')
      // And the other way round: a link copied out again over the file it replaced.
      await run(name, `rm /srv/trap/file && ln -s ${secret} /srv/trap/file`)
      await host.ok(['cp', `${name}:/srv/trap`, local])
      assert.equal(readlinkSync(path.join(local, 'trap/file')), secret)
      await run(name, 'rm -r /srv/trap')
    })

    it('refuses a path outside the root, a missing file, two containers, and no container, in one line', async () => {
      const cases: Array<[string[], string]> = [
        [[`${name}:/srv/../../etc/passwd`, local], `${name}:/srv/../../etc/passwd: refusing a path that leaves the container`],
        [[`${name}:srv/note`, local], `${name}:srv/note: the path in the container must be absolute (NAME:/PATH)`],
        [[`${name}:/srv/missing`, local], `/srv/missing: no such file or directory in container ‘${name}’`],
        [[path.join(local, 'missing'), `${name}:/srv`], `${path.join(local, 'missing')}: no such file or directory`],
        [[path.join(local, 'note'), `${name}:/no/such/dir/file`], `/no/such/dir: no such directory in container ‘${name}’`],
        [[`${name}:/srv/note`, `${name}:/srv/again`], 'copy between two containers in two steps, through the host'],
        [[path.join(local, 'note'), path.join(local, 'again')], 'one side must be in a container: NAME:/PATH'],
        [['cc-none:/etc/os-release', local], 'container ‘cc-none’ does not exist'],
      ]
      for (const [args, message] of cases) {
        const refused = await host.cli(['cp', ...args])
        assert.equal(refused.exitCode, 1, args.join(' '))
        assert.equal(refused.stderr, `nixos-container: ${message}\n`)
      }
    })

    it('works while the container is stopped', async () => {
      await host.ok(['stop', name])
      await host.ok(['cp', path.join(local, 'note'), `${name}:/srv/while-stopped`])
      await host.ok(['cp', `${name}:/srv/note-copy`, path.join(local, 'out-while-stopped')])
      assert.equal(readFileSync(path.join(local, 'out-while-stopped'), 'utf8'), 'from the host\n')
      await host.ok(['start', name])
      assert.equal((await run(name, 'cat /srv/while-stopped')).stdout, 'from the host\n')
    })
  })

  describe('clone', () => {
    it('refuses a running source without --force, an existing name and a missing source, changing nothing', async () => {
      const before = host.leftovers().sort()
      const cases: Array<[string[], string]> = [
        [['clone', name, 'cc-copy'], `container ‘${name}’ is running: stop it first, or give --force to copy it as it is`],
        [['clone', name, name], `container ‘${name}’ already exists`],
        [['clone', 'cc-none', 'cc-copy'], 'container ‘cc-none’ does not exist'],
        [['clone', name, 'bad_name!'], 'invalid container name ‘bad_name!’'],
      ]
      for (const [args, message] of cases) {
        const refused = await host.cli(args)
        assert.equal(refused.exitCode, 1, args.join(' '))
        assert.match(refused.stderr, new RegExp(`^nixos-container: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
      }
      assert.deepEqual(host.leftovers().sort(), before)
    })

    it('copies a running source with --force, saying the copy may be inconsistent', async () => {
      const forced = await host.ok(['clone', name, 'cc-forced', '--force'])
      assert.match(forced.stderr, new RegExp(`^nixos-container: warning: copying the root of running container ‘${name}’: the copy may be inconsistent$`, 'm'))
      assert.equal((await host.ok(['status', 'cc-forced'])).stdout, 'down\n')
      assert.ok(existsSync(path.join(host.root('cc-forced'), 'srv/note-copy')), 'the state came along')
      await host.ok(['destroy', 'cc-forced'])
    })

    it('makes a stopped copy with its own addresses and identity; both then run at once and answer', async () => {
      await run(name, 'echo 0123456789abcdef0123456789abcdef > /etc/machine-id && mkdir -p /etc/ssh && echo key > /etc/ssh/ssh_host_ed25519_key')
      await host.ok(['stop', name])
      const cloned = JSON.parse((await host.ok(['clone', name, 'cc-copy', '--json'])).stdout)
      assert.equal(cloned.source, name)
      assert.notEqual(cloned.localAddress, '10.233.186.2')
      assert.equal((await host.ok(['status', 'cc-copy'])).stdout, 'down\n')
      assert.equal(realpathSync(path.join(host.profileDir('cc-copy'), 'system')), realpathSync(path.join(host.profileDir(name), 'system')))
      assert.match(readFileSync(path.join(host.root('cc-copy'), 'etc/nixos/configuration.nix'), 'utf8'), /networking\.hostName = lib\.mkDefault "cc-copy";/)
      assert.equal(readFileSync(path.join(host.root('cc-copy'), 'etc/machine-id'), 'utf8'), '')
      assert.ok(!existsSync(path.join(host.root('cc-copy'), 'etc/ssh/ssh_host_ed25519_key')))
      await Promise.all([host.ok(['start', name]), host.ok(['start', 'cc-copy'])])
      assert.ok(await ping('10.233.186.2'))
      assert.ok(await ping(cloned.localAddress))
      assert.equal((await run('cc-copy', 'cat /srv/note-copy')).stdout, 'from the host\n', 'the state came along')
      const page = await fetch(`http://${cloned.localAddress}/`, {signal: AbortSignal.timeout(5000)})
      assert.equal((await page.text()).trim(), 'hello from the container')
      await host.ok(['destroy', 'cc-copy'])
    })
  })

  describe('clone and reset with links planted in the root', () => {
    const hostDir = path.join(host.dir, 'host-dir')
    const hostFiles = () => readdirSync(hostDir).sort().map((f) => `${f}: ${readFileSync(path.join(hostDir, f), 'utf8')}`)
    const expected = ['configuration.nix: { }\n', 'ssh_host_ed25519_key: HOST KEY\n']
    /** Plants a link at AT (saving what was there) while the container runs, then stops it. */
    const plant = async (at: string, target: string) => {
      await run(name, `mv ${at} /root/saved && ln -s '${target}' ${at}`)
      await host.ok(['stop', name])
    }
    const refused = async (args: string[], message: string) => {
      const before = host.leftovers().sort()
      const result = await host.cli(args)
      assert.equal(result.exitCode, 1, args.join(' '))
      assert.deepEqual(result.stderr.split('\n').filter((l) => l.startsWith('nixos-container: ')), [`${planted}${message}`], args.join(' '))
      assert.deepEqual(host.leftovers().sort(), before, 'nothing made or removed')
      assert.ok(existsSync(path.join(host.root(name), 'srv/note-copy')), 'the state is still there')
      assert.equal(readFileSync(secret, 'utf8'), 'HOST SECRET\n')
      assert.deepEqual(hostFiles(), expected)
    }

    before(() => {
      mkdirSync(hostDir, {recursive: true})
      writeFileSync(path.join(hostDir, 'configuration.nix'), '{ }\n')
      writeFileSync(path.join(hostDir, 'ssh_host_ed25519_key'), 'HOST KEY\n')
    })

    for (const [at, target, what] of [
      ['/etc/nixos/configuration.nix', secret, 'an absolute link at configuration.nix'],
      ['/etc/nixos/configuration.nix', up + secret, 'a relative link with .. at configuration.nix'],
      ['/etc/nixos', hostDir, 'an absolute link at /etc/nixos'],
      ['/etc/nixos', up + hostDir, 'a relative link with .. at /etc/nixos'],
    ]) {
      it(`clone and reset refuse ${what} in one line, changing nothing`, async () => {
        await plant(at, target)
        await refused(['clone', name, 'cc-copy'], `${at} → ${target}`)
        await refused(['reset', name, '--yes'], `${at} → ${target}`)
        await host.ok(['start', name])
        await run(name, `rm ${at} && mv /root/saved ${at}`)
      })
    }

    it('clone refuses a link at /etc/machine-id (relative) and at /etc/ssh (absolute), changing nothing', async () => {
      await plant('/etc/machine-id', up + secret)
      await refused(['clone', name, 'cc-copy'], `/etc/machine-id → ${up + secret}`)
      // systemd-nspawn itself reads etc/machine-id at start: the admin repairs the root (it is down).
      rmSync(path.join(host.root(name), 'etc/machine-id'))
      renameSync(path.join(host.root(name), 'root/saved'), path.join(host.root(name), 'etc/machine-id'))
      await host.ok(['start', name])
      await plant('/etc/ssh', hostDir)
      await refused(['clone', name, 'cc-copy'], `/etc/ssh → ${hostDir}`)
      // The link stays for reset, which removes it (never what it points at): see below.
      await host.ok(['start', name])
    })
  })

  describe('reset', () => {
    it('refuses a running container, and without a terminal asks for --yes', async () => {
      const running = await host.cli(['reset', name, '--yes'])
      assert.equal(running.stderr, `nixos-container: container ‘${name}’ is running: stop it first\n`)
      await host.ok(['stop', name])
      const unconfirmed = await host.cli(['reset', name])
      assert.equal(unconfirmed.stderr, `nixos-container: reset removes all state of container ‘${name}’: give --yes to confirm\n`)
      assert.ok(existsSync(path.join(host.root(name), 'srv/note-copy')), 'nothing was removed')
      // On a terminal it asks; anything but yes keeps everything.
      const terminal = new Terminal(host, `reset ${name}`)
      await terminal.waitFor(/Remove all state of container ‘cc-web’ \(its root directory\)\? \[y\/N\] /)
      terminal.type('n\n')
      await terminal.waitFor(/reset cancelled: nothing was removed/)
      assert.equal((await terminal.close()).exitCode, 1)
      assert.ok(existsSync(path.join(host.root(name), 'srv/note-copy')), 'nothing was removed')
    })

    it('gives a first boot: the old state is gone, conf, profile and configuration.nix are kept', async () => {
      const conf = readFileSync(host.conf(name), 'utf8')
      const system = realpathSync(path.join(host.profileDir(name), 'system'))
      const configuration = readFileSync(path.join(host.root(name), 'etc/nixos/configuration.nix'), 'utf8')
      await host.ok(['reset', name, '--yes'])
      assert.ok(!existsSync(path.join(host.root(name), 'srv')))
      // The guest's link to a host directory (planted above) went with the state; what it led to stayed.
      assert.ok(!existsSync(path.join(host.root(name), 'etc/ssh')))
      assert.equal(readFileSync(secret, 'utf8'), 'HOST SECRET\n')
      assert.equal(readFileSync(path.join(host.dir, 'host-dir/ssh_host_ed25519_key'), 'utf8'), 'HOST KEY\n')
      assert.equal(readFileSync(host.conf(name), 'utf8'), conf)
      assert.equal(realpathSync(path.join(host.profileDir(name), 'system')), system)
      assert.equal(readFileSync(path.join(host.root(name), 'etc/nixos/configuration.nix'), 'utf8'), configuration)
      await host.ok(['start', name])
      assert.notEqual((await host.cli(['run', name, '--', 'cat', '/srv/note-copy'])).exitCode, 0)
      assert.equal((await (await fetch('http://10.233.186.2/', {signal: AbortSignal.timeout(5000)})).text()).trim(), 'hello from the container')
      await host.ok(['update', name])
    })
  })

  it('works on a container made by upstream\'s tool (its conf as upstream writes it)', async () => {
    const perl = 'cc-perl'
    mkdirSync(host.configDir, {recursive: true})
    writeFileSync(host.conf(perl), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.187.1\nLOCAL_ADDRESS=10.233.187.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
    mkdirSync(path.join(host.root(perl), 'srv'), {recursive: true})
    writeFileSync(path.join(host.root(perl), 'srv/data'), 'upstream data\n')
    mkdirSync(host.profileDir(perl), {recursive: true})
    await execa('nix-env', ['-p', path.join(host.profileDir(perl), 'system'), '--set', realpathSync(path.join(host.profileDir(name), 'system'))])
    await host.ok(['cp', `${perl}:/srv/data`, path.join(local, 'perl-data')])
    assert.equal(readFileSync(path.join(local, 'perl-data'), 'utf8'), 'upstream data\n')
    const cloned = JSON.parse((await host.ok(['clone', perl, 'cc-perl2', '--json'])).stdout)
    assert.match(readFileSync(host.conf('cc-perl2'), 'utf8'), new RegExp(`^PRIVATE_NETWORK=1\\nHOST_ADDRESS=${cloned.hostAddress}\\nLOCAL_ADDRESS=${cloned.localAddress}\\nHOST_BRIDGE=\\nHOST_PORT=\\nAUTO_START=0\\n$`))
    await host.ok(['reset', perl, '--yes'])
    assert.ok(!existsSync(path.join(host.root(perl), 'srv')))
    assert.ok(lstatSync(host.conf(perl)).isFile())
    for (const container of [perl, 'cc-perl2']) await host.ok(['destroy', container])
  })

  it('on a declarative container: clone and rollback refused in one line, changing nothing; cp and reset work', async () => {
    // As on NixOS: its NAME.conf (with SYSTEM_PATH) on a read-only /etc, its root in the state directory.
    const decl = 'cc-decl'
    const readOnly = path.join(host.dir, 'declarative-etc')
    const env = {NIXOS_CONTAINER_CONFIG_DIR: readOnly}
    mkdirSync(readOnly, {recursive: true})
    const conf = `PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.188.1\nLOCAL_ADDRESS=10.233.188.2\nSYSTEM_PATH=${realpathSync(path.join(host.profileDir(name), 'system'))}\n`
    writeFileSync(path.join(readOnly, `${decl}.conf`), conf)
    mkdirSync(path.join(host.root(decl), 'srv'), {recursive: true})
    writeFileSync(path.join(host.root(decl), 'srv/data'), 'declarative data\n')
    await execa('mount', ['--bind', '-o', 'ro', readOnly, readOnly])
    try {
      const before = host.leftovers().sort()
      for (const [args, message] of [
        [['clone', decl, 'cc-decl2'], `cannot clone declarative container ‘${decl}’ (declare another one in your configuration.nix instead)`],
        [['rollback', decl], 'cannot roll back declarative container (change it in your configuration.nix instead)'],
      ]) {
        const refused = await host.cli(args as string[], {env})
        assert.equal(refused.exitCode, 1, (args as string[]).join(' '))
        assert.equal(refused.stderr, `nixos-container: ${message}\n`)
        assert.equal(JSON.parse((await host.cli([...args, '--json'], {env})).stdout).error.code, 'declarative')
      }
      assert.deepEqual(host.leftovers().sort(), before, 'nothing made')
      assert.ok(existsSync(path.join(host.root(decl), 'srv/data')))
      await host.ok(['cp', `${decl}:/srv/data`, path.join(local, 'decl-data')], {env})
      assert.equal(readFileSync(path.join(local, 'decl-data'), 'utf8'), 'declarative data\n')
      // What removing /var/lib/nixos-containers/NAME does for it, as the issue describes reset.
      await host.ok(['reset', decl, '--yes'], {env})
      assert.ok(!existsSync(path.join(host.root(decl), 'srv')))
      assert.equal(readFileSync(path.join(readOnly, `${decl}.conf`), 'utf8'), conf)
    } finally {
      await execa('umount', [readOnly])
    }
  })

})
