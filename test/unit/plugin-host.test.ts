// How core finds its plugins and chooses providers (src/plugin-host): the settings file, the
// plugins oclif would load found without oclif, and the choice flag > environment > settings >
// default; and the core API as plugins outside the package import it. Discovery reads
// package.json files only.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {exposeCoreApi} from '../../dist/plugin-host/core-api.js'
import {PluginHost} from '../../dist/plugin-host/plugin-host.js'
import {type PluginInfo, discoverPlugins, providersOf} from '../../dist/plugin-host/registry.js'
import {loadSettings} from '../../dist/plugin-host/settings.js'
// The CLI as it runs (its bundle, what the package exports), which plugins must share.
import {UserError} from 'nixos-container'

const noHooks = {async run() {
  return {successes: [], failures: []}
}}
const plugin = (name: string, type: string, declares: PluginInfo['declares']): PluginInfo => ({name, root: `/plugins/${name}`, type, declares, hooks: {}})
const core = [
  plugin('@nixos-container/allocators', 'core', {allocator: ['upstream', 'ula']}),
  plugin('@nixos-container/builders', 'core', {builder: ['channels', 'flakes']}),
  plugin('@nixos-container/supervisors', 'core', {supervisor: ['systemd', 'nspawn']}),
]

describe('the settings file', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nc-unit-settings-'))
  })
  after(() => rmSync(dir, {recursive: true, force: true}))
  const settingsOf = (text: string): ReturnType<typeof loadSettings> => {
    const file = path.join(dir, 'settings.json')
    writeFileSync(file, text)
    return loadSettings(file)
  }

  it('is optional: a missing file means no settings', () => {
    assert.deepEqual(loadSettings(path.join(dir, 'absent.json')), {providers: {}})
  })

  it('names providers and gives each its own settings', () => {
    assert.deepEqual(settingsOf('{"allocator": "ula", "supervisor": "nspawn", "providers": {"ula": {"prefix": "fd42:0:1::/48"}}}'),
      {allocator: 'ula', supervisor: 'nspawn', providers: {ula: {prefix: 'fd42:0:1::/48'}}})
  })

  it('names hosts for --host', () => {
    assert.deepEqual(settingsOf('{"hosts": {"web1": "root@web1.example"}}'), {providers: {}, hosts: {web1: 'root@web1.example'}})
  })

  it('refuses what it cannot trust, naming the file: bad JSON, a non-object, a provider that is not a name, providers that are not objects', () => {
    const file = path.join(dir, 'settings.json')
    assert.throws(() => settingsOf('{"allocator": '), {message: new RegExp(`^${file}: not valid JSON \\(`)})
    assert.throws(() => settingsOf('[]'), {message: `${file}: must hold a JSON object`})
    assert.throws(() => settingsOf('{"builder": 3}'), {message: `${file}: "builder" must be a provider name`})
    assert.throws(() => settingsOf('{"providers": {"ula": "fd42::/48"}}'), {message: `${file}: "providers" must map provider names to objects`})
    assert.throws(() => settingsOf('{"hosts": ["web1"]}'), {message: `${file}: "hosts" must map host names to "[USER@]HOST[:PORT]"`})
    assert.throws(() => settingsOf('{"hosts": {"local": "root@web1"}}'), {message: `${file}: "hosts": ‘local’ is not a host name (letters, digits, . _ -; not local or localhost)`})
  })
})

describe('PluginHost.select', () => {
  const host = (options: {choice?: object; env?: NodeJS.ProcessEnv; settings?: object; plugins?: PluginInfo[]} = {}): PluginHost =>
    new PluginHost(options.plugins ?? core, noHooks, {providers: {}, ...options.settings}, options.choice ?? {}, options.env ?? {})

  it('takes the flag, then the environment, then the settings file, then the default', () => {
    assert.equal(host().select('allocator').name, 'upstream')
    assert.equal(host({settings: {allocator: 'ula'}}).select('allocator').name, 'ula')
    assert.equal(host({settings: {allocator: 'ula'}, env: {NIXOS_CONTAINER_ALLOCATOR: 'upstream'}}).select('allocator').name, 'upstream')
    assert.equal(host({choice: {allocator: 'ula'}, env: {NIXOS_CONTAINER_ALLOCATOR: 'upstream'}}).select('allocator').name, 'ula')
  })

  it('builds flakes with the flakes builder and configuration.nix with channels by default, and names the plugin', () => {
    const flakes = host().select('builder', {kind: 'flake', flake: '/src', attr: 'web'} as never)
    assert.deepEqual([flakes.name, flakes.plugin.name], ['flakes', '@nixos-container/builders'])
    assert.equal(host().select('builder', {kind: 'configuration'} as never).name, 'channels')
  })

  it('refuses an unknown provider, listing those there are', () => {
    assert.throws(() => host({choice: {allocator: 'lab'}}).select('allocator'), {message: 'unknown allocator ‘lab’ (available: upstream, ula)'})
    assert.throws(() => host({plugins: []}).select('supervisor'), {message: /^unknown supervisor ‘\w+’ \(available: none\)$/})
  })

  it('refuses a name two plugins offer, naming both', () => {
    const twice = [...core, plugin('lab-a', 'user', {allocator: ['lab']}), plugin('lab-b', 'link', {allocator: ['lab']})]
    assert.throws(() => host({plugins: twice, choice: {allocator: 'lab'}}).select('allocator'),
      {message: 'allocator ‘lab’ is offered by several plugins (lab-a, lab-b); uninstall or unlink all but one'})
    assert.deepEqual(providersOf(twice, 'allocator').map((p) => p.name), ['upstream', 'ula', 'lab', 'lab'])
  })
})

describe('discoverPlugins', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nc-unit-plugins-'))
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  const writePackage = (root: string, pjson: object): void => {
    mkdirSync(root, {recursive: true})
    writeFileSync(path.join(root, 'package.json'), JSON.stringify(pjson))
  }

  it('finds the bundled plugins, then installed ones, then linked ones, with what they declare, as oclif would load them (a missing one left out)', () => {
    const data = path.join(dir, 'data')
    const linked = path.join(dir, 'src/lab')
    writePackage(linked, {name: 'lab', 'nixos-container': {allocator: ['lab']}, oclif: {hooks: {'pre-create': './hooks/pre-create.js'}}})
    writePackage(path.join(data, 'node_modules/zeta'), {name: 'zeta', 'nixos-container': {builder: ['remote', 'Not A Name', 7]}})
    writePackage(data, {oclif: {plugins: [{name: 'lab', type: 'link', root: linked}, {name: 'zeta', type: 'user'}, {name: 'gone', type: 'user'}]}})
    const found = discoverPlugins({NIXOS_CONTAINER_DATA_DIR: data})
    assert.deepEqual(found.map((p) => [p.name, p.type]), [
      ['@nixos-container/allocators', 'core'], ['@nixos-container/builders', 'core'], ['@nixos-container/supervisors', 'core'],
      ['@oclif/plugin-help', 'core'], ['@oclif/plugin-plugins', 'core'],
      ['zeta', 'user'], ['lab', 'link'],
    ])
    // Malformed provider names are dropped, not fatal: one broken plugin cannot stop every command.
    assert.deepEqual(found.find((p) => p.name === 'zeta')?.declares, {builder: ['remote']})
    assert.deepEqual(found.find((p) => p.name === 'lab')?.hooks, {'pre-create': './hooks/pre-create.js'})
  })

  it('gives a linked plugin its real path, so its hooks are loaded from where they are', () => {
    const data = path.join(dir, 'data-2')
    const real = path.join(dir, 'real')
    writePackage(real, {name: 'real'})
    symlinkSync(real, path.join(dir, 'alias'))
    writePackage(data, {oclif: {plugins: [{name: 'real', type: 'link', root: path.join(dir, 'alias')}]}})
    assert.equal(discoverPlugins({NIXOS_CONTAINER_DATA_DIR: data}).at(-1)?.root, real)
  })
})

describe('the core API for plugins outside the package', () => {
  it('resolves \'nixos-container\' to the running CLI\'s own modules, its exports included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nc-unit-core-api-'))
    try {
      // A hook module where an installed plugin sits: no nixos-container package anywhere above it.
      const hook = path.join(dir, 'node_modules/some-plugin/hooks/pre-create.js')
      mkdirSync(path.dirname(hook), {recursive: true})
      writeFileSync(hook, "export {UserError} from 'nixos-container'\nexport {default as schema} from 'nixos-container/schemas/show-ip.json' with {type: 'json'}\n")
      exposeCoreApi()
      const loaded = await import(pathToFileURL(hook).href) as {UserError: unknown; schema: {title: string}}
      assert.equal(loaded.UserError, UserError, 'the same class, so errors a plugin throws are the CLI\'s own')
      assert.equal(loaded.schema.title, 'the output of `nixos-container show-ip --json`')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('hooks whose failure changes nothing', () => {
  it('are warnings: on stderr, and kept for the --json document', async () => {
    const failing = {async run() {
      return {successes: [], failures: [{plugin: 'monitor', error: new Error('could not register')}]}
    }}
    const host = new PluginHost(core, failing, {providers: {}})
    const written: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write
    try {
      await host.notify('post-start', {name: 'web', conf: {}, leader: 1})
    } finally {
      process.stderr.write = write
    }
    assert.deepEqual(host.warnings, ['post-start hook of plugin monitor failed: could not register'])
    assert.deepEqual(written, ['nixos-container: warning: post-start hook of plugin monitor failed: could not register\n'])
  })
})
