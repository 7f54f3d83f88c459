// A container's root user must never steer the host's file operations (issue 17). A running
// fixture container plants links to files and directories this test owns (standing for /etc/shadow
// or /root/.ssh): with `nixos-container run NAME -- ln -s …`, as its root user would, except where
// the guest could only do it at a moment a test cannot catch (then the test writes into the root
// while the container is down, and says so). Every command that touches the root must refuse with
// one clear line, or do the right thing inside the root, and must neither read back nor change the
// host's file; a normal use of the same command still works.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {
  existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs'
import path from 'node:path'

import {openGuestJournal} from '../../dist/lib/guest-fs.js'
import {cliPath, TestHost} from '../helpers/host.ts'

const name = 'gp-a'
const addresses = ['--host-address', '10.233.171.1', '--local-address', '10.233.171.2']
const planted = 'nixos-container: refusing to follow a link planted in the container: '
/** Enough `..` to climb from anywhere in the root to the host's /. */
const up = '../'.repeat(24).slice(0, -1)

describe('guest paths: links planted in a container never reach the host', function () {
  const host = new TestHost('guest')
  const victims = path.join(host.dir, 'victims')
  const secret = path.join(victims, 'secret')
  const secretText = 'HOST-SECRET-17\n'
  const hostDir = path.join(victims, 'dir')
  const root = host.root(name)
  const guest = (script: string) => host.ok(['run', name, '--', 'sh', '-c', script])
  const generation = () => readlinkSync(path.join(host.profileDir(name), 'system'))
  const hostDirEntries = () => readdirSync(hostDir).sort()

  before(async () => {
    mkdirSync(hostDir, {recursive: true})
    writeFileSync(secret, secretText)
    // What Nix would build if it evaluated a host file the guest pointed configuration.nix at.
    writeFileSync(path.join(hostDir, 'configuration.nix'), '{ ... }: { boot.isContainer = true; environment.etc."leak".text = "HOST-SECRET-17"; }\n')
    writeFileSync(path.join(hostDir, 'ssh_host_ed25519_key.pub'), secretText)
    await host.ok(['create', name, ...addresses, '--config', 'environment.etc."version".text = "one";'])
    await host.ok(['start', name])
  })
  after(() => host.cleanup())

  afterEach(() => {
    // No test may change what the host's files hold.
    assert.equal(readFileSync(secret, 'utf8'), secretText)
    assert.deepEqual(hostDirEntries(), ['configuration.nix', 'ssh_host_ed25519_key.pub'])
  })

  describe('show-host-key', () => {
    const key = '/etc/ssh/ssh_host_ed25519_key.pub'

    it('prints the guest\'s own key', async () => {
      await guest(`mkdir -p /etc/ssh && echo 'ssh-ed25519 AAAAguest root@gp-a' > ${key}`)
      assert.equal((await host.ok(['show-host-key', name])).stdout, 'ssh-ed25519 AAAAguest root@gp-a\n')
    })

    for (const [what, target] of [['an absolute link', secret], ['a relative link with ..', up + secret]]) {
      it(`refuses ${what} at the key itself`, async () => {
        await guest(`ln -sfn '${target}' ${key}`)
        const result = await host.cli(['show-host-key', name])
        assert.equal(result.exitCode, 1)
        assert.equal(result.stdout, '')
        assert.equal(result.stderr, `${planted}${key} → ${target}\n`)
        const json = await host.cli(['show-host-key', name, '--json'])
        assert.doesNotMatch(json.stdout, /HOST-SECRET/)
        assert.equal(json.exitCode, 1)
      })
    }

    for (const [what, target] of [['an absolute link', hostDir], ['a relative link with ..', up + hostDir]]) {
      it(`refuses ${what} at a directory on the way`, async () => {
        await guest(`rm -rf /etc/ssh && ln -s '${target}' /etc/ssh`)
        const result = await host.cli(['show-host-key', name])
        assert.equal(result.stderr, `${planted}/etc/ssh → ${target}\n`)
        assert.equal(result.exitCode, 1)
        assert.doesNotMatch(result.stdout, /HOST-SECRET/)
      })
    }

    it('refuses a key too large to be one, and a host mount below the root', async () => {
      await guest(`rm -rf /etc/ssh && mkdir /etc/ssh && head -c 20000 /dev/zero | tr '\\0' a > ${key}`)
      const large = await host.cli(['show-host-key', name])
      assert.equal(large.stderr, `nixos-container: refusing to read ${key} in the container: larger than 16384 bytes\n`)
      // Only the host can mount there (the guest's mounts stay in its own namespace): the test
      // plays an admin's mistake.
      await execa('mount', ['--bind', hostDir, path.join(root, 'etc/ssh')])
      try {
        const mounted = await host.cli(['show-host-key', name])
        assert.equal(mounted.stderr, 'nixos-container: refusing to cross a mount point in the container: /etc/ssh\n')
        assert.equal(mounted.stdout, '')
      } finally {
        await execa('umount', [path.join(root, 'etc/ssh')])
      }
      await guest(`rm -f ${key}`)
      const none = await host.cli(['show-host-key', name])
      assert.equal(none.stderr, `nixos-container: container ‘${name}’ has no SSH host key\n`)
    })
  })

  describe('update', () => {
    const configuration = '/etc/nixos/configuration.nix'
    let installed = ''

    it('builds and installs a new configuration.nix', async () => {
      await host.ok(['update', name, '--config', 'environment.etc."version".text = "two";'])
      assert.equal((await guest('cat /etc/version')).stdout, 'two\n')
      installed = readFileSync(path.join(root, configuration), 'utf8')
      assert.match(installed, /"two"/)
      // Without --config it rebuilds the guest's file as it is (a copy of it, built on the host).
      await host.ok(['update', name])
      assert.equal(lstatSync(path.join(root, configuration)).isFile(), true)
    })

    for (const [what, target] of [['an absolute link', path.join(hostDir, 'configuration.nix')], ['a relative link with ..', up + path.join(hostDir, 'configuration.nix')]]) {
      it(`refuses ${what} at configuration.nix, with and without --config`, async () => {
        const before = generation()
        await guest(`cp ${configuration} /root/configuration.nix.saved && ln -sfn '${target}' ${configuration}`)
        for (const args of [['update', name], ['update', name, '--config', 'environment.etc."version".text = "three";']]) {
          const result = await host.cli(args)
          assert.equal(result.stderr, `${planted}${configuration} → ${target}\n`, args.join(' '))
          assert.equal(result.exitCode, 1)
          assert.equal(generation(), before, 'the profile is unchanged')
        }
        assert.equal(readlinkSync(path.join(root, configuration)), target, 'the guest\'s link is left as it is')
        await guest(`mv /root/configuration.nix.saved ${configuration}`)
      })
    }

    for (const [what, target] of [['an absolute link', hostDir], ['a relative link with ..', up + hostDir]]) {
      it(`refuses ${what} at /etc/nixos`, async () => {
        const before = generation()
        await guest(`mv /etc/nixos /root/nixos.saved && ln -s '${target}' /etc/nixos`)
        for (const args of [['update', name], ['update', name, '--config', 'environment.etc."version".text = "three";']]) {
          const result = await host.cli(args)
          assert.equal(result.stderr, `${planted}/etc/nixos → ${target}\n`, args.join(' '))
          assert.equal(result.exitCode, 1)
          assert.equal(generation(), before)
        }
        await guest('rm /etc/nixos && mv /root/nixos.saved /etc/nixos')
        assert.equal(readFileSync(path.join(root, configuration), 'utf8'), installed)
      })
    }

    it('leaves the old configuration.nix when the build fails or is interrupted', async () => {
      const before = generation()
      const failed = await host.cli(['update', name, '--config', 'assertions = [ { assertion = false; message = "no"; } ];'])
      assert.equal(failed.exitCode, 1)
      assert.equal(readFileSync(path.join(root, configuration), 'utf8'), installed)
      // A build that takes long (a derivation the evaluation needs, sleeping), interrupted with
      // Ctrl-C to the whole process group once it is under way.
      const nonce = `gp-${process.pid}-${Date.now()}`
      const slow = `environment.etc."slow".text = builtins.readFile (derivation { name = "slow"; system = builtins.currentSystem; builder = "/bin/busybox"; args = [ "sh" "-c" "sleep 60; : ${nonce}; echo x > $out" ]; });`
      // Its private copy of the new configuration.nix goes to a TMPDIR of the test's.
      const tmp = path.join(host.dir, 'tmp')
      mkdirSync(tmp, {recursive: true})
      const child = execa(process.execPath, [cliPath, 'update', name, '--config', slow],
        {env: {...host.env, TMPDIR: tmp}, reject: false, detached: true, stdin: 'ignore'})
      const builder = await waitForProcess(new RegExp(`^busybox sh -c sleep 60; : ${nonce};`))
      process.kill(-child.pid!, 'SIGINT')
      const interrupted = await child
      assert.notEqual(interrupted.exitCode, 0)
      assert.equal(readFileSync(path.join(root, configuration), 'utf8'), installed)
      assert.equal(generation(), before)
      try {
        process.kill(builder, 'SIGKILL')
      } catch {
        // Nix ended its builder, as it should.
      }
    })
  })

  describe('create', () => {
    it('never writes configuration.nix into a root it did not make: a left-over root is refused, changing nothing', async () => {
      // A declarative container removed from configuration.nix leaves its root behind, with
      // whatever its root user planted there: create would write configuration.nix into it.
      const leftover = host.root('gp-b')
      mkdirSync(path.join(leftover, 'etc/nixos'), {recursive: true})
      symlinkSync(secret, path.join(leftover, 'etc/nixos/configuration.nix'))
      try {
        const before = host.leftovers().sort()
        const refused = await host.cli(['create', 'gp-b', '--config', ''])
        assert.equal(refused.stderr, `nixos-container: ${leftover} already exists (left over from an earlier container?)\n`)
        assert.equal(refused.exitCode, 1)
        assert.deepEqual(host.leftovers().sort(), before, 'nothing made')
        assert.equal(readlinkSync(path.join(leftover, 'etc/nixos/configuration.nix')), secret)
      } finally {
        rmSync(leftover, {recursive: true})
      }
    })
  })

  describe('start (preparing the root)', () => {
    for (const [what, target] of [['an absolute link', hostDir], ['a relative link with ..', up + hostDir]]) {
      it(`refuses ${what} at a directory it would create in`, async function () {
        // The guest swaps its /var/lib for a link to a host directory, then the container restarts.
        await guest(`mv /var/lib /var/lib.saved && ln -s '${target}' /var/lib`)
        await host.ok(['stop', name])
        const result = await host.cli(['start', name])
        // The admin repairs the root (the container is down) and it starts again.
        rmSync(path.join(root, 'var/lib'))
        renameSync(path.join(root, 'var/lib.saved'), path.join(root, 'var/lib'))
        assert.deepEqual(errorLines(result.stderr), [`${planted}/var/lib → ${target}`])
        assert.equal(result.exitCode, 1)
        assert.equal((await host.ok(['status', name])).stdout, 'down\n')
        await host.ok(['start', name])
      })
    }

    it('never writes through a link at etc/machine-id (relative) or etc/resolv.conf (absolute)', async () => {
      const resolv = path.join(victims, 'resolv.conf')
      writeFileSync(resolv, 'nameserver 192.0.2.1\n')
      writeFileSync(host.conf(name), readFileSync(host.conf(name), 'utf8') + 'COPY_RESOLV_CONF=1\n')
      await guest(`rm -f /etc/machine-id && ln -s '${up}${victims}/machine-id' /etc/machine-id && ln -sfn '${resolv}' /etc/resolv.conf`)
      await host.ok(['stop', name])
      await host.ok(['start', name])
      assert.ok(!existsSync(path.join(victims, 'machine-id')), 'no host file was created through the link')
      assert.equal(readFileSync(resolv, 'utf8'), 'nameserver 192.0.2.1\n')
      // resolv.conf is copied into the root, replacing the guest's link (never following it).
      assert.ok(lstatSync(path.join(root, 'etc/resolv.conf')).isFile())
      assert.equal(readFileSync(path.join(root, 'etc/resolv.conf'), 'utf8'), readFileSync('/etc/resolv.conf', 'utf8'))
      rmSync(resolv)
    })
  })

  describe('the journal for logs', () => {
    // A root made by hand: logs reads files only, whether the container runs or not.
    const journalRoot = path.join(host.dir, 'journal-root')
    const hostJournal = path.join(victims, 'journal')
    const id = '0123456789abcdef0123456789abcdef'

    beforeEach(() => {
      rmSync(journalRoot, {recursive: true, force: true})
      mkdirSync(path.join(journalRoot, 'var/log/journal', id), {recursive: true})
      writeFileSync(path.join(journalRoot, 'var/log/journal', id, 'system.journal'), 'guest journal')
      mkdirSync(path.join(hostJournal, id), {recursive: true})
      writeFileSync(path.join(hostJournal, id, 'system.journal'), 'host journal')
    })
    afterEach(() => rmSync(hostJournal, {recursive: true, force: true}))

    it('hands journalctl the guest\'s own files, through descriptors it keeps open', async () => {
      const journal = openGuestJournal(journalRoot)
      try {
        assert.equal(journal.files.length, 1)
        assert.deepEqual(journal.journalctlArguments, [`--file=${journal.files[0]}`])
        // Another process (journalctl would be one) reads exactly that file through the path.
        assert.equal((await execa('cat', [journal.files[0]])).stdout, 'guest journal')
      } finally {
        journal.close()
      }
      assert.deepEqual(openGuestJournal(path.join(host.dir, 'no-such-root')).files, [])
    })

    it('logs, end to end: a journal directory the guest linked to a host journal is refused in one line, the console still shown', async () => {
      await guest(`mkdir -p /var/log && rm -rf /var/log/journal && ln -s '${hostJournal}' /var/log/journal`)
      try {
        const message = `refusing to follow a link planted in the container: /var/log/journal → ${hostJournal}`
        for (const args of [[], ['-f']]) {
          const refused = await host.cli(['logs', name, ...args])
          assert.equal(refused.exitCode, 1)
          assert.equal(refused.stderr, `nixos-container: ${message}\n`, args.join(' '))
          assert.equal(refused.stdout, '')
        }
        const json = await host.cli(['logs', name, '--json'])
        assert.equal(json.exitCode, 1)
        assert.equal(JSON.parse(json.stdout).error.message, message)
        assert.equal((await host.cli(['logs', name, '--console'])).exitCode, 0)
      } finally {
        await guest('rm -f /var/log/journal')
      }
    })

    const plants: [string, string, string][] = [
      ['var/log/journal', hostJournal, 'the journal directory'],
      ['var/log/journal', up + hostJournal, 'the journal directory (relative, with ..)'],
      ['var/log', victims, 'a directory on the way'],
      [`var/log/journal/${id}`, path.join(hostJournal, id), 'a machine directory'],
      [`var/log/journal/${id}/system.journal`, path.join(hostJournal, id, 'system.journal'), 'a journal file'],
    ]
    for (const [at, target, what] of plants) {
      it(`refuses a link at ${what}`, () => {
        rmSync(path.join(journalRoot, at), {recursive: true})
        symlinkSync(target, path.join(journalRoot, at))
        assert.throws(() => openGuestJournal(journalRoot), {message: `refusing to follow a link planted in the container: /${at} → ${target}`})
      })
    }
  })

  describe('destroy', () => {
    it('never clears the immutable flag of a host directory a guest link points at, and removes the container', async function () {
      // NixOS's /var/empty is immutable, so destroy clears the flag first: here the guest's /var
      // leads to a host directory whose empty/ is immutable.
      const immutable = path.join(victims, 'var')
      mkdirSync(path.join(immutable, 'empty'), {recursive: true})
      if ((await execa('chattr', ['+i', path.join(immutable, 'empty')], {reject: false})).exitCode !== 0) this.skip()
      try {
        await guest(`mv /var /var.saved && ln -s '${immutable}' /var`)
        assert.equal(readlinkSync(path.join(root, 'var')), immutable)
        await host.ok(['destroy', name])
        assert.ok(!existsSync(root), 'the container is gone')
        assert.match((await execa('lsattr', ['-d', path.join(immutable, 'empty')])).stdout, /^\S*i\S* /)
      } finally {
        await execa('chattr', ['-i', path.join(immutable, 'empty')], {reject: false})
        rmSync(immutable, {recursive: true, force: true})
      }
    })
  })
})

/** The error lines of a command's stderr (progress lines aside). */
const errorLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('nixos-container: '))

/** Waits (up to a minute) until a process whose command line matches PATTERN runs; its pid. */
async function waitForProcess(pattern: RegExp): Promise<number> {
  for (let i = 0; i < 600; i++) {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) return Number(pid)
      } catch {
        // Gone already.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no process matching ${pattern}`)
}
