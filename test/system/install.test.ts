// The CLI as users get it: the packed tarball installed globally with npm (into a scratch prefix),
// run by the host's own Node (Debian 12's 20 where present), holding nothing a user never runs.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {projectRoot, TestHost} from '../helpers/host.ts'

/** Every file below DIR, as paths relative to it. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => (entry.isDirectory()
    ? filesBelow(path.join(dir, entry.name), path.join(prefix, entry.name))
    : [path.join(prefix, entry.name)]))
}

describe('the installed CLI (npm pack, npm install -g of the tarball)', function () {
  this.timeout(300_000)
  const host = new TestHost('install')
  const scratch = mkdtempSync(path.join(tmpdir(), 'nc-install-'))
  const prefix = path.join(scratch, 'prefix')
  const installed = path.join(prefix, 'lib/node_modules/nixos-container')
  // The host's Node first on PATH, as a user's shell has it (the tests themselves run under the project's).
  const systemPath = `/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:${path.dirname(process.execPath)}`
  const installedCli = (args: string[]) => execa(path.join(prefix, 'bin/nixos-container'), args,
    {env: {...host.env, PATH: systemPath}, reject: false})

  before(async () => {
    // The build already ran (npm test builds first): pack what it made, without building again.
    await execa('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', scratch], {cwd: projectRoot})
    const [tarball] = readdirSync(scratch).filter((file) => file.endsWith('.tgz'))
    // From npm's cache, which `npm ci` filled: no registry needed when nothing changed.
    await execa('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
      path.join(scratch, tarball)], {env: {...process.env, PATH: systemPath}})
  })
  after(async () => {
    rmSync(scratch, {recursive: true, force: true})
    await host.cleanup()
  })

  it('runs under the host\'s own Node, without a Node of its own', async () => {
    const node = (await execa('node', ['--version'], {env: {PATH: systemPath}})).stdout
    const version = await installedCli(['--version'])
    assert.equal(version.exitCode, 0, `${version.stderr}${version.stdout}`)
    assert.match(version.stdout, new RegExp(`^nixos-container/\\d+\\.\\d+\\.\\d+ linux-x64 node-${node.replace(/\./g, '\\.')}$`))
    const list = await installedCli(['list', '--json'])
    assert.equal(list.exitCode, 0, list.stdout + list.stderr)
    assert.deepEqual(JSON.parse(list.stdout), [])
    assert.equal((await installedCli(['status', 'nothere'])).stderr, 'nixos-container: container ‘nothere’ does not exist')
  })

  it('holds no development parts: no bundled Node, test tools, TypeScript sources or fixtures', () => {
    for (const dev of ['node', 'mocha', 'typescript', 'oclif', 'cspell', 'markdownlint-cli2']) {
      assert.ok(!existsSync(path.join(installed, 'node_modules', dev)), `node_modules/${dev} is installed`)
    }
    const own = filesBelow(installed).filter((file) => !file.startsWith('node_modules/'))
    assert.deepEqual(own.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')), [])
    assert.deepEqual(own.filter((file) => /^(test|src|bench|scripts|docs)\//.test(file)), [])
    // Its own files (compiled code, manual, manifest) stay small; README's "Install size" has the figures.
    const ownBytes = own.reduce((sum, file) => sum + statSync(path.join(installed, file)).size, 0)
    assert.ok(ownBytes < 2 * 1024 * 1024, `the CLI's own files take ${ownBytes} bytes`)
  })
})
