// The bundled builders' Nix command lines and the systemd supervisor's unit properties, as the
// tools they call expect them (plugins/builders, plugins/supervisors/src/systemd.ts).
import assert from 'node:assert/strict'

import {channelsBuildArguments} from '../../plugins/builders/dist/channels.js'
import {flakeBuildArguments} from '../../plugins/builders/dist/flakes.js'
import {limitProperties} from '../../plugins/supervisors/dist/systemd.js'

describe('the channels builder', () => {
  it('is upstream\'s nix-env line: the private configuration copy as nixos-config, <nixpkgs/nixos> unless --nixos-path, Nix flags last', () => {
    assert.deepEqual(channelsBuildArguments('/p/web/system', '/tmp/x/configuration.nix', undefined, ['--option', 'cores', '2']),
      ['-p', '/p/web/system', '-I', 'nixos-config=/tmp/x/configuration.nix', '-f', '<nixpkgs/nixos>', '--set', '-A', 'system', '--option', 'cores', '2'])
    assert.equal(channelsBuildArguments('/p', '/c', '/src/nixpkgs/nixos', [])[5], '/src/nixpkgs/nixos')
  })
})

describe('the flakes builder', () => {
  it('builds the toplevel of nixosConfigurations."ATTR" (quoted, so any attribute name works), with flakes enabled, Nix flags before the installable', () => {
    const args = flakeBuildArguments('/src/hosts', 'web.example', '/p/web/system.tmp-1', ['--impure'])
    assert.deepEqual(args.slice(0, 2), ['--extra-experimental-features', 'nix-command flakes'])
    assert.deepEqual(args.slice(2), ['build', '-o', '/p/web/system.tmp-1', '--impure', '--', '/src/hosts#nixosConfigurations."web.example".config.system.build.toplevel'])
  })
})

describe('the systemd supervisor\'s limits', () => {
  it('are unit properties: MemoryMax in bytes, CPUQuota in percent of one CPU, TasksMax; an absent limit is lifted', () => {
    assert.deepEqual(limitProperties({memoryBytes: 536870912, cpus: 1.5, tasksMax: 64}), ['MemoryMax=536870912', 'CPUQuota=150%', 'TasksMax=64'])
    assert.deepEqual(limitProperties({}), ['MemoryMax=infinity', 'CPUQuota=', 'TasksMax=infinity'])
  })
})
