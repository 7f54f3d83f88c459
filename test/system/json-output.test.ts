// Every command's --json output, from real containers, against the schema published for it
// (schemas/, see test/unit/schemas.test.ts): what script authors are promised is what they get,
// for success and for the error document. Each command is run the way a script would, and the
// last test checks that none with --json was left out.
import assert from 'node:assert/strict'
import path from 'node:path'

import {type CliResult, fixtures, TestHost} from '../helpers/host.ts'
import {assertFits, commandsWithJson, loadSchemas} from '../helpers/schemas.ts'


describe('--json output fits the published schemas', () => {
  const host = new TestHost('json')
  const schemas = loadSchemas()
  const covered = new Set<string>()
  const name = 'jsa'
  const copy = 'jsb'
  const config = path.join(fixtures, 'container.nix')
  after(() => host.cleanup())

  /** Runs `COMMAND ARGS… --json`, which must succeed with one document that fits COMMAND's schema. */
  async function fits(command: string, args: string[]): Promise<unknown> {
    const result = await host.ok([command, ...args, '--json'])
    const document = JSON.parse(result.stdout) as unknown
    assertFits(schemas.get(command), document, `${command} --json`)
    covered.add(command)
    return document
  }

  /** Runs a failing `COMMAND ARGS… --json`: the error document on stdout, the same exit status in it. */
  function failsWithErrorDocument(command: string, result: CliResult): {message: string} {
    assert.notEqual(result.exitCode, 0)
    const document = JSON.parse(result.stdout) as {error: {message: string; exitCode: number}}
    assertFits(schemas.get('error'), document, `the error document of ${command}`)
    assert.equal(document.error.exitCode, result.exitCode)
    covered.add(command)
    return document.error
  }

  it('create, start, status, show-ip and list', async () => {
    const created = await fits('create', [name, '--config-file', config, '--host-address', '10.233.170.1', '--local-address', '10.233.170.2']) as {name: string}
    assert.equal(created.name, name)
    await fits('start', [name])
    const status = await fits('status', [name]) as {state: string; leader?: number}
    assert.equal(status.state, 'up')
    assert.ok(status.leader)
    assert.deepEqual(await fits('show-ip', [name]), {name, ip: '10.233.170.2'})
    assert.deepEqual((await fits('list', []) as {name: string}[]).map((c) => c.name), [name])
  })

  it('run, logs (one document a line), set, cp and show-host-key', async () => {
    // run passes the command's exit status on, with --json too: the document is there all the same.
    const result = await host.cli(['run', name, '--json', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
    assert.equal(result.exitCode, 3)
    const document = JSON.parse(result.stdout) as {stdout: string; stderr: string; exitCode: number}
    assertFits(schemas.get('run'), document, 'run --json')
    assert.deepEqual([document.stdout, document.stderr, document.exitCode], ['out\n', 'err\n', 3])
    covered.add('run')

    const lines = (await host.ok(['logs', name, '--json'])).stdout.split('\n').filter(Boolean)
    assert.ok(lines.length > 0, 'the container has logged its boot')
    for (const line of lines) assertFits(schemas.get('logs'), JSON.parse(line), 'a line of logs --json')
    covered.add('logs')

    const limits = await fits('set', [name, '--memory', '512M']) as {limits: {memoryBytes?: number}}
    assert.equal(limits.limits.memoryBytes, 512 * 1024 ** 2)
    await fits('cp', [`${name}:/etc/nixos/configuration.nix`, path.join(host.dir, 'configuration.nix')])
    await host.ok(['run', name, '--', 'sh', '-c', 'mkdir -p /etc/ssh && echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJs root@jsa" > /etc/ssh/ssh_host_ed25519_key.pub'])
    assert.deepEqual(await fits('show-host-key', [name]), {name, key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJs root@jsa'})
  })

  it('update, generations and rollback', async () => {
    await fits('update', [name, '--config', `imports = [ ${config} ]; environment.etc."js-marker".text = "two";`])
    assert.equal((await fits('generations', [name]) as unknown[]).length, 2)
    await fits('rollback', [name])
  })

  it('restart, stop, clone, reset, terminate and destroy', async () => {
    assert.equal((await fits('restart', [name]) as {state: string}).state, 'up')
    assert.equal((await fits('stop', [name]) as {state: string}).state, 'down')
    const cloned = await fits('clone', [name, copy]) as {name: string; source: string}
    assert.deepEqual([cloned.name, cloned.source], [copy, name])
    assert.equal((await fits('reset', [name, '--yes']) as {keptConfiguration: boolean}).keptConfiguration, true)
    assert.equal((await fits('terminate', [name]) as {state: string}).state, 'down')
    assert.deepEqual(await fits('destroy', [copy]), {name: copy, destroyed: true})
    assert.deepEqual(await fits('destroy', [name]), {name, destroyed: true})
  })

  it('completion', async () => {
    const {shell, script} = await fits('completion', ['zsh']) as {shell: string; script: string}
    assert.equal(shell, 'zsh')
    assert.equal(script, (await host.ok(['completion', 'zsh'])).stdout)
  })

  it('the error document: a missing container, and the interactive commands, which have no JSON output', async () => {
    assert.match(failsWithErrorDocument('status', await host.cli(['status', name, '--json'])).message, /does not exist/)
    for (const command of ['login', 'root-login']) {
      assert.equal(failsWithErrorDocument(command, await host.cli([command, name, '--json'])).message, `${command} is interactive and has no JSON output`)
    }
  })

  it('left no command with --json out', () => {
    const withJson = commandsWithJson()
    assert.deepEqual(withJson.filter((id) => !covered.has(id)), [])
  })
})
