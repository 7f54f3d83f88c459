// create and update against real Nix builds of the fixture NixOS (test/fixtures).
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {fixtures, TestHost} from '../helpers/host.ts'

describe('create', () => {
  const host = new TestHost('create')
  after(() => host.cleanup())

  it('records the container in upstream\'s format, writes configuration.nix and builds it', async () => {
    const result = await host.ok(['create', 'alpha', '--config', 'environment.etc."greeting".text = "hi";'])
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /^host IP is 10\.233\.1\.1, container IP is 10\.233\.1\.2$/m)
    assert.equal(readFileSync(host.conf('alpha'), 'utf8'),
      'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.1.1\nLOCAL_ADDRESS=10.233.1.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
    assert.equal(readFileSync(path.join(host.root('alpha'), 'etc/nixos/configuration.nix'), 'utf8'),
      '{ config, lib, pkgs, ... }@args:\n\n{ boot.isContainer = true;\n  boot.${if (args.options.boot or { }) ? isNspawnContainer then "isNspawnContainer" else null} = true;\n  networking.hostName = lib.mkDefault "alpha";\n  networking.useDHCP = false;\n  environment.etc."greeting".text = "hi";\n}\n')
    const system = realpathSync(path.join(host.profileDir('alpha'), 'system'))
    assert.match(system, /^\/nix\/store\/[a-z0-9]{32}-nixos-system-alpha$/)
    assert.ok(existsSync(path.join(system, 'init')))
  })

  it('sets boot.isNspawnContainer where the NixOS has it (25.11), and builds on older channels without it', async () => {
    const system = (name: string): string => realpathSync(path.join(host.profileDir(name), 'system'))
    assert.equal(readFileSync(path.join(system('alpha'), 'is-nspawn-container'), 'utf8'), '1')
    // The fixture plays a NixOS from before the option, where defining it fails the build.
    await host.ok(['create', 'older', '--config', '', '--host-address', '10.233.40.1', '--local-address', '10.233.40.2'], {env: {FIXTURE_NIXOS_RELEASE: 'older'}})
    assert.equal(readFileSync(path.join(system('older'), 'is-nspawn-container'), 'utf8'), '0')
    const defined = await host.cli(['update', 'older', '--config', 'boot.isNspawnContainer = true;'], {env: {FIXTURE_NIXOS_RELEASE: 'older'}})
    assert.equal(defined.exitCode, 1, 'the stand-in refuses the option as an older NixOS does')
    assert.match(defined.stderr, /boot\.isNspawnContainer' does not exist/)
    await host.ok(['destroy', 'older'])
  })

  it('takes the next free address pair and honours the flags it records', async () => {
    await host.ok(['create', 'beta', '--config', '', '--auto-start', '--port', 'tcp:8080:80', '--bridge', 'br-test'])
    assert.equal(readFileSync(host.conf('beta'), 'utf8'),
      'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.2.1\nLOCAL_ADDRESS=10.233.2.2\nHOST_BRIDGE=br-test\nHOST_PORT=tcp:8080:80\nAUTO_START=1\n')
  })

  it('refuses an existing name, and an address another container uses', async () => {
    const again = await host.cli(['create', 'alpha', '--config', ''])
    assert.equal(again.exitCode, 1)
    assert.equal(again.stderr, 'nixos-container: container ‘alpha’ already exists\n')
    const clash = await host.cli(['create', 'gamma', '--host-address', '10.50.0.1', '--local-address', '10.233.1.2'])
    assert.equal(clash.exitCode, 1)
    assert.match(clash.stderr, /10\.233\.1\.2 is already in use/)
    assert.ok(!existsSync(host.conf('gamma')))
  })

  it('--ensure-unique-name prints the name it chose on stdout', async () => {
    const first = await host.ok(['create', 'alpha', '--ensure-unique-name', '--config', ''])
    assert.equal(first.stdout, 'alpha-0\n')
    const second = await host.ok(['create', '--ensure-unique-name', 'alpha', '--config', ''])
    assert.equal(second.stdout, 'alpha-1\n')
    // An 11-character base still yields names that fit ve-NAME.
    await host.ok(['create', 'elevenchars', '--config', ''])
    const long = await host.ok(['create', 'elevenchars', '--ensure-unique-name', '--config', ''])
    assert.equal(long.stdout, 'elevencha-0\n')
  })

  it('accepts options anywhere on the line, as upstream\'s getopt does', async () => {
    const result = await host.ok(['create', '--config', '', 'delta', '--host-address', '10.77.0.1/24', '--local-address', '10.77.0.2/24'])
    assert.match(result.stderr, /host IP is 10\.77\.0\.1\/24, container IP is 10\.77\.0\.2\/24/)
    assert.equal((await host.ok(['show-ip', 'delta'])).stdout, '10.77.0.2\n')
  })

  it('imports --config-file by its absolute path', async () => {
    const result = await host.ok(['create', 'filed', '--config-file', path.relative(process.cwd(), path.join(fixtures, 'container.nix'))])
    assert.equal(result.exitCode, 0)
    const configuration = readFileSync(path.join(host.root('filed'), 'etc/nixos/configuration.nix'), 'utf8')
    assert.match(configuration, new RegExp(`imports = \\[ ${path.join(fixtures, 'container.nix')} \\];`))
  })

  it('passes the Nix flags through to the build', async () => {
    // --log-format reaches nix-env: its log, streamed under the build step, is Nix's JSON.
    const json = await host.ok(['create', 'nixflags', '--config', 'environment.etc.x.text = "log-format";', '--log-format', 'internal-json', '--option', 'cores', '1'])
    assert.match(json.stderr, /@nix \{"action":"start"/)
    // --option NAME VALUE reaches it too: pure evaluation cannot look up <nixpkgs/nixos>.
    const pure = await host.cli(['create', 'nixpure', '--config', '', '--option', 'pure-eval', 'true'])
    assert.equal(pure.exitCode, 1)
    assert.match(pure.stderr, /cannot look up '<nixpkgs\/nixos>' in pure evaluation mode/)
    assert.ok(!existsSync(host.conf('nixpure')))
  })

  it('--system-path sets the profile to an already built system', async () => {
    const system = realpathSync(path.join(host.profileDir('alpha'), 'system'))
    await host.ok(['create', 'prebuilt', '--system-path', system])
    assert.equal(realpathSync(path.join(host.profileDir('prebuilt'), 'system')), system)
    assert.ok(!existsSync(path.join(host.root('prebuilt'), 'etc/nixos/configuration.nix')))
  })

  it('--flake REF#ATTR builds that attribute and records both parts', async () => {
    const flake = path.join(host.dir, 'flake')
    cpSync(fixtures, flake, {recursive: true})
    await host.ok(['create', 'flaky', '--flake', `path:${flake}#web`])
    const conf = readFileSync(host.conf('flaky'), 'utf8')
    assert.match(conf, new RegExp(`\\nAUTO_START=0\\nFLAKE=path:${flake}\\nFLAKE_ATTR=web\\n$`))
    const system = realpathSync(path.join(host.profileDir('flaky'), 'system'))
    assert.equal(readFileSync(path.join(system, 'activate'), 'utf8').includes('web\nNIXOS_FIXTURE_EOF'), true)
    // update rebuilds the recorded attribute (upstream would fall back to "container").
    writeFileSync(path.join(flake, 'container.nix'), readFileSync(path.join(flake, 'container.nix'), 'utf8').replace('hello from the container', 'hello again'))
    await host.ok(['update', 'flaky'])
    const updated = realpathSync(path.join(host.profileDir('flaky'), 'system'))
    assert.notEqual(updated, system)
    assert.ok(readFileSync(path.join(updated, 'activate'), 'utf8').includes('web\nNIXOS_FIXTURE_EOF'))
    assert.equal(readlinkSync(path.join(host.profileDir('flaky'), 'system')), 'system-2-link')
    // update --dry-run builds another attribute, names its system, and records nothing: the
    // recorded flake and the profile stay.
    const dry = await host.ok(['update', 'flaky', '--dry-run', '--flake', `path:${flake}#container`])
    assert.match(dry.stdout, new RegExp(`^system: ${updated} → /nix/store/\\S+-nixos-system-fixture$`, 'm'))
    assert.equal(readFileSync(host.conf('flaky'), 'utf8'), conf)
    assert.equal(readlinkSync(path.join(host.profileDir('flaky'), 'system')), 'system-2-link')
  })

  it('--refresh reaches nix build for a flake container, and is refused for one built from configuration.nix', async () => {
    // A nix on PATH that notes its arguments, then is the real one.
    const wrapper = path.join(host.dir, 'nix-wrapper')
    mkdirSync(wrapper, {recursive: true})
    const realNix = (await execa('sh', ['-c', 'command -v nix'])).stdout.trim()
    writeFileSync(path.join(wrapper, 'nix'), `#!/bin/sh\necho "$*" >> ${wrapper}/calls\nexec ${realNix} "$@"\n`, {mode: 0o755})
    await host.ok(['update', 'flaky', '--refresh'], {env: {PATH: `${wrapper}:${process.env.PATH}`}})
    assert.match(readFileSync(path.join(wrapper, 'calls'), 'utf8'), /^.* build .*--refresh .*#nixosConfigurations\."web"/m)
    const refused = await host.cli(['update', 'alpha', '--refresh'])
    assert.equal(refused.exitCode, 1)
    assert.equal(refused.stderr, 'nixos-container: --refresh applies to containers built from a flake only\n')
    const create = await host.cli(['create', 'refresh', '--config', '', '--refresh'])
    assert.equal(create.stderr, 'nixos-container: --refresh applies to containers built from a flake only\n')
    assert.ok(!existsSync(host.conf('refresh')))
  })

  it('a failed build leaves nothing behind: no conf, root, profile or GC roots', async () => {
    const before = host.leftovers().sort()
    const failing = await host.cli(['create', 'broken', '--config', 'assertions = [ { assertion = false; message = "refusing to build"; } ];'])
    assert.equal(failing.exitCode, 1)
    assert.match(failing.stderr, /nixos-container: failed to build container configuration: Failed assertions: - refusing to build\n$/)
    const syntax = await host.cli(['create', 'broken', '--config', 'this is not nix'])
    assert.equal(syntax.exitCode, 1)
    const flake = await host.cli(['create', 'broken', '--flake', `path:${fixtures}#nonexistent`])
    assert.match(flake.stderr, /failed to build container from flake/)
    const store = await host.cli(['create', 'broken', '--system-path', '/nix/store/00000000000000000000000000000000-missing'])
    assert.equal(store.exitCode, 1)
    assert.deepEqual(host.leftovers().sort(), before)
  })

  it('parallel creates under the lock get distinct names and addresses', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => host.ok(['create', 'par', '--ensure-unique-name', '--config', ''])))
    const names = results.map((r) => r.stdout.trim())
    assert.equal(new Set(names).size, 4)
    const locals = names.map((n) => /^LOCAL_ADDRESS=(.*)$/m.exec(readFileSync(host.conf(n), 'utf8'))![1])
    assert.equal(new Set(locals).size, 4)
  })

  it('sees the addresses of containers made by upstream or the NixOS module', async () => {
    const other = new TestHost('upstream-confs')
    try {
      mkdirSync(other.configDir, {recursive: true})
      // Byte for byte what upstream's create writes, and what the module writes for a declarative one.
      writeFileSync(other.conf('old'), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.1.1\nLOCAL_ADDRESS=10.233.1.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
      writeFileSync(other.conf('decl'), 'SYSTEM_PATH=/nix/store/x\nPRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.2.1/24\nLOCAL_ADDRESS=10.233.3.2/24\nINTERFACES=""\n')
      const created = await other.ok(['create', 'new', '--config', ''])
      assert.match(created.stderr, /host IP is 10\.233\.4\.1, container IP is 10\.233\.4\.2/)
      assert.equal((await other.ok(['list'])).stdout, 'decl\nnew\nold\n')
      assert.equal((await other.ok(['show-ip', 'decl'])).stdout, '10.233.3.2\n')
    } finally {
      await other.cleanup()
    }
  })
})
