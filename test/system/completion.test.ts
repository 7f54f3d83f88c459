// Shell completion: `nixos-container autocomplete` (oclif's plugin-autocomplete) writes bash and
// zsh functions; ours adds container names. The bash function is run in a real bash, as bash
// runs it on <TAB>, against the real CLI listing the test's containers. There is no zsh on this
// machine, so the zsh function is checked as text only.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {cliPath, TestHost} from '../helpers/host.ts'

const conf = (address: number): string =>
  `PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.${address}.1\nLOCAL_ADDRESS=10.233.${address}.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n`

describe('shell completion', () => {
  const host = new TestHost('completion')
  const cache = host.env.NIXOS_CONTAINER_CACHE_DIR
  const bin = path.join(host.dir, 'bin')
  after(() => host.cleanup())

  before(async () => {
    mkdirSync(host.configDir, {recursive: true})
    writeFileSync(host.conf('web-1'), conf(1))
    writeFileSync(host.conf('web-2'), conf(2))
    writeFileSync(host.conf('db'), conf(3))
    // The completion calls `nixos-container` from PATH, as it would once installed.
    mkdirSync(bin)
    writeFileSync(path.join(bin, 'nixos-container'), `#!/bin/sh\nexec ${process.execPath} ${cliPath} "$@"\n`)
    chmodSync(path.join(bin, 'nixos-container'), 0o755)
  })

  /** What bash offers on <TAB> after LINE (words split on spaces; the last one is being completed). */
  async function complete(line: string): Promise<string[]> {
    const words = line.split(' ')
    const script = `
      source ${path.join(cache, 'autocomplete/bash_setup')}
      COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}
      fn=$(complete -p nixos-container | sed -E 's/.*-F ([^ ]+) .*/\\1/')
      "$fn" nixos-container "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
      printf '%s\\n' "\${COMPREPLY[@]}"`
    const {stdout} = await execa('bash', ['--norc', '--noprofile', '-c', script], {env: {...host.env, PATH: `${bin}:${process.env.PATH}`}})
    return stdout.split('\n').filter(Boolean).sort()
  }

  it('`autocomplete bash` writes the completion and tells how to enable it', async () => {
    const {stdout} = await host.ok(['autocomplete', 'bash'])
    assert.match(stdout, /autocomplete script bash/)
    assert.ok(readFileSync(path.join(cache, 'autocomplete/bash_setup'), 'utf8').includes('nixos-container.bash'))
  })

  it('completes commands and their options', async () => {
    assert.deepEqual(await complete('nixos-container st'), ['start', 'status', 'stop'])
    assert.deepEqual(await complete('nixos-container start --ti'), ['--timeout'])
    assert.ok((await complete('nixos-container create --al')).includes('--allocator'))
  })

  it('completes container names where a command takes one', async () => {
    assert.deepEqual(await complete('nixos-container start '), ['db', 'web-1', 'web-2'])
    assert.deepEqual(await complete('nixos-container root-login we'), ['web-1', 'web-2'])
    assert.deepEqual(await complete('nixos-container update --builder flakes d'), ['db'])
    // The day-two commands too (issue 12); clone's second word is a new name.
    for (const command of ['generations', 'rollback --to 2', 'reset', 'clone']) {
      assert.deepEqual(await complete(`nixos-container ${command} w`), ['web-1', 'web-2'], command)
    }
    assert.ok(!(await complete('nixos-container clone web-1 w')).includes('web-2'))
  })

  it('offers no names where none belongs', async () => {
    // create takes a new name; after a name, or after an option that takes a value, or after --.
    for (const line of ['nixos-container create w', 'nixos-container start web-1 w', 'nixos-container update --flake w', 'nixos-container run web-1 -- w']) {
      const offered = await complete(line)
      assert.ok(!offered.includes('web-1') && !offered.includes('web-2'), `${line}: ${offered.join(' ')}`)
    }
  })

  it('keeps the names when the cache is rebuilt (as after plugins install), without adding them twice', async () => {
    await host.ok(['autocomplete', '--refresh-cache'])
    const bash = readFileSync(path.join(cache, 'autocomplete/functions/bash/nixos-container.bash'), 'utf8')
    assert.equal(bash.split('added by nixos-container').length, 2)
    assert.deepEqual(await complete('nixos-container stop w'), ['web-1', 'web-2'])
  })

  it('gives zsh the same names: the first argument of those commands completes from `nixos-container list`', () => {
    const zsh = readFileSync(path.join(cache, 'autocomplete/functions/zsh/_nixos-container'), 'utf8')
    for (const command of ['start', 'stop', 'destroy', 'run', 'show-ip']) {
      assert.match(zsh, new RegExp(`^${command}\\)\\n_arguments -S \\\\\\n(?:(?!;;)[\\s\\S])*?"1: :_nixos-container_container_names" "\\*: :_files" ;;`, 'm'), command)
    }
    assert.doesNotMatch(zsh, /^create\)\n_arguments -S \\\n(?:(?!;;)[\s\S])*?_container_names/m)
    assert.match(zsh, /_nixos-container_container_names\(\) \{\n {2}local -a containers\n {2}containers=\(\$\{\(f\)"\$\(nixos-container list 2>\/dev\/null\)"\}\)/)
    assert.match(zsh, /\n_nixos-container\n$/)
  })
})
