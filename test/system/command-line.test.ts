// The command line as admins type it (issue 29): options before the command as after it (as
// upstream's Getopt, `machinectl -H` and `podman --remote` take them), -h for --help, and unknown
// commands or stray words answered in one line that names what was typed, with suggestions.
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'

import {TestHost} from '../helpers/host.ts'

describe('the command line as admins type it', () => {
  const host = new TestHost('cmdline')
  before(() => {
    mkdirSync(host.configDir, {recursive: true})
    // A container that exists only as its conf: enough for the read-only commands.
    writeFileSync(host.conf('cl-web'), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.124.1\nLOCAL_ADDRESS=10.233.124.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
  })
  after(() => host.cleanup())

  const same = async (before: string[], after: string[]): Promise<void> => {
    const [a, b] = [await host.cli(before), await host.cli(after)]
    assert.deepEqual(a, b, `${before.join(' ')} answers as ${after.join(' ')}`)
  }

  it('options before the command mean what they mean after it, values and all', async () => {
    await same(['--json', 'list'], ['list', '--json'])
    await same(['--json', 'status', 'cl-web'], ['status', 'cl-web', '--json'])
    await same(['--supervisor', 'nspawn', 'status', 'cl-web'], ['status', 'cl-web', '--supervisor', 'nspawn'])
    await same(['--supervisor=nspawn', '--json', 'show-ip', 'cl-web'], ['show-ip', 'cl-web', '--supervisor=nspawn', '--json'])
    await same(['--host', 'localhost', 'list'], ['list', '--host', 'localhost'])
    // An option's value that is a command's name is still its value.
    await same(['--supervisor', 'list', 'list'], ['list', '--supervisor', 'list'])
    assert.equal((await host.cli(['--json', 'list'])).stdout.trim().startsWith('['), true)
    // A command's own arguments after `--` stay its own.
    await same(['--json', 'run', 'ghost', '--', 'true'], ['run', 'ghost', '--json', '--', 'true'])
  })

  it('-h is --help, for the tool and for each command', async () => {
    await same(['-h'], ['--help'])
    await same(['list', '-h'], ['list', '--help'])
    await same(['-h', 'status'], ['status', '--help'])
    assert.match((await host.ok(['status', '-h'])).stdout, /^Print whether a container is up or down\./)
  })

  it('an unknown command: one line naming the word typed, with the commands meant', async () => {
    for (const [args, word, hint] of [
      [['stat', 'cl-web'], 'stat', 'did you mean ‘start’ or ‘status’? '],
      [['lst'], 'lst', 'did you mean ‘list’? '],
      [['--json', 'frobnicate'], 'frobnicate', ''],
      [['--host', 'web1', 'lsit'], 'lsit', 'did you mean ‘list’? '],
    ] as const) {
      const result = await host.cli([...args])
      const message = `unknown command ‘${word}’ (${hint}nixos-container --help lists the commands)`
      assert.equal(result.exitCode, 1, args.join(' '))
      if ((args as readonly string[]).includes('--json')) {
        assert.deepEqual(JSON.parse(result.stdout), {error: {message, code: 'invalid-argument', exitCode: 1}})
      } else {
        assert.equal(result.stderr, `nixos-container: ${message}\n`)
      }
    }
  })

  it('a stray word after a command is that command\'s to refuse, not an unknown command', async () => {
    const result = await host.cli(['list', 'cl-web'])
    assert.equal(result.exitCode, 1)
    assert.equal(result.stderr, 'nixos-container: Unexpected argument: cl-web\n')
  })

  describe('run as machinectl shell and incus exec take it: --user, --setenv, --chdir', () => {
    const name = 'cl-run'
    before(async () => {
      await host.ok(['create', name, '--host-address', '10.233.124.5', '--local-address', '10.233.124.6', '--config', ''])
      await host.ok(['start', name])
      await host.ok(['run', name, '--', 'sh', '-c', 'echo "alice:x:1000:1000::/home/alice:/run/current-system/sw/bin/sh" >> /etc/passwd && mkdir -p /home/alice /srv/app'])
    })
    after(() => host.cli(['destroy', name]))

    it('runs the command in that user\'s login shell, with the variables set, in that directory', async () => {
      const script = ['sh', '-c', 'echo "$(id -u) $PWD [$GREETING] [$EMPTY] $#"', 'sh', 'one arg']
      const result = await host.ok(['run', name, '--user', 'alice', '--chdir', '/srv/app', '--setenv', "GREETING=it's a 'test' $HOME", '-E', 'EMPTY=', '--', ...script])
      assert.equal(result.stdout, "1000 /srv/app [it's a 'test' $HOME] [] 1\n")
      // Without them, root's login shell in its home, as upstream's run.
      assert.equal((await host.ok(['run', name, '--', 'sh', '-c', 'echo "$(id -u) $PWD"'])).stdout, '0 /root\n')
      // The same from before the command, and by the names incus uses.
      assert.equal((await host.ok(['--user', 'alice', 'run', name, '--cwd', '/srv/app', '--env', 'A=b', '--', 'sh', '-c', 'echo $A $PWD'])).stdout, 'b /srv/app\n')
    })

    it('a directory that is not there fails the command, not the tool, with the shell\'s word on it', async () => {
      const result = await host.cli(['run', name, '--chdir', '/nowhere', '--', 'true'])
      assert.notEqual(result.exitCode, 0)
      assert.match(result.stderr, /nowhere/)
    })

    it('refuses what su and the shell would read as something else, before anything runs', async () => {
      const refusals: Array<[string[], string]> = [
        [['--user', '-c'], '--user: ‘-c’ is not a user name'],
        [['--setenv', 'NO VALUE'], '--setenv: ‘NO VALUE’ is not NAME=VALUE'],
        [['--setenv', '1A=b'], '--setenv: ‘1A=b’ is not NAME=VALUE'],
        [['--chdir', 'relative'], '--chdir: ‘relative’ is not an absolute path in the container'],
      ]
      for (const [args, message] of refusals) {
        const result = await host.cli(['run', name, ...args, '--', 'touch', '/ran'])
        assert.deepEqual([result.exitCode, result.stderr], [1, `nixos-container: ${message}\n`], args.join(' '))
      }
      assert.equal((await host.cli(['run', name, '--', 'test', '-e', '/ran'])).exitCode, 1, 'nothing ran')
    })
  })
})
