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
})
