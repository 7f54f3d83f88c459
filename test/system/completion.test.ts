// Shell completion (issue 29): `nixos-container completion SHELL` prints a script that asks
// `nixos-container __complete` what to offer. What it offers is checked through that one answer,
// then each shell is checked for real: bash runs its completion function as on <TAB>, fish
// answers `complete -C`, and zsh runs interactively on a pseudo-terminal where <TAB> is typed.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {cliPath, TestHost} from '../helpers/host.ts'
import {Terminal} from '../helpers/terminal.ts'

const conf = (address: number): string =>
  `PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.${address}.1\nLOCAL_ADDRESS=10.233.${address}.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n`

describe('shell completion', () => {
  const host = new TestHost('completion')
  const bin = path.join(host.dir, 'bin')
  const scripts = path.join(host.dir, 'completions')
  const env = (): Record<string, string> => ({...host.env, PATH: `${bin}:${process.env.PATH}`, HOME: host.dir})
  after(() => host.cleanup())

  before(async () => {
    mkdirSync(host.configDir, {recursive: true})
    writeFileSync(host.conf('web-1'), conf(1))
    writeFileSync(host.conf('web-2'), conf(2))
    writeFileSync(host.conf('db'), conf(3))
    writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({hosts: {web1: 'root@web1.example', builder: 'root@10.0.0.9'}}))
    // The scripts call `nixos-container` from PATH, as they would once installed.
    mkdirSync(bin)
    writeFileSync(path.join(bin, 'nixos-container'), `#!/bin/sh\nexec ${process.execPath} ${cliPath} "$@"\n`)
    chmodSync(path.join(bin, 'nixos-container'), 0o755)
    mkdirSync(scripts)
    for (const [shell, file] of [['bash', 'nixos-container.bash'], ['zsh', '_nixos-container'], ['fish', 'nixos-container.fish']]) {
      writeFileSync(path.join(scripts, file), (await host.ok(['completion', shell])).stdout)
    }
  })

  /** The values `__complete` offers after WORDS (the last one being completed), and its directive. */
  async function offers(...words: string[]): Promise<{values: string[]; directive: string}> {
    const lines = (await host.ok(['__complete', '--', ...words])).stdout.trimEnd().split('\n')
    return {values: lines.slice(0, -1).map((line) => line.split('\t')[0]).sort(), directive: lines.at(-1)!}
  }
  const values = async (...words: string[]): Promise<string[]> => (await offers(...words)).values

  describe('what is offered', () => {
    it('commands, with the topic\'s commands after it', async () => {
      assert.deepEqual(await values('st'), ['start', 'status', 'stop'])
      assert.deepEqual(await values('plugins', 'inst'), ['install'])
      assert.ok((await values('')).includes('completion'))
      assert.ok(!(await values('')).includes('__complete'), 'never the hidden one')
    })

    it('options, also after arguments and before the command, each once unless repeatable', async () => {
      assert.deepEqual(await values('start', '--ti'), ['--timeout'])
      assert.deepEqual(await values('stop', 'web-1', '--t'), ['--timeout'])
      assert.ok((await values('create', '--al')).includes('--allocator'))
      assert.deepEqual(await values('--js'), ['--json'])
      assert.ok(!(await values('status', 'db', '--json', '--')).includes('--json'))
      assert.ok((await values('create', 'x', '--bind', '/a', '--')).includes('--bind'))
    })

    it('option values: providers, named hosts, fixed choices, files', async () => {
      assert.deepEqual(await values('status', '--supervisor', ''), ['nspawn', 'systemd'])
      assert.deepEqual(await values('create', 'x', '--allocator', ''), ['ula', 'upstream'])
      assert.deepEqual(await values('create', 'x', '--builder', ''), ['channels', 'flakes'])
      assert.deepEqual(await values('--host', ''), ['builder', 'localhost', 'web1'])
      assert.deepEqual(await values('list', '--host=w'), ['--host=web1'])
      assert.deepEqual(await values('create', 'x', '--build-host', 'b'), ['builder'])
      assert.deepEqual(await values('create', 'x', '--private-users', ''), ['identity', 'pick'])
      assert.deepEqual(await values('logs', 'db', '-p', 'e'), ['emerg', 'err'])
      assert.ok((await values('create', 'x', '--capability', 'CAP_NET_')).includes('CAP_NET_ADMIN'))
      assert.deepEqual(await offers('create', 'x', '--config-file', ''), {values: [], directive: ':files'})
      // An option's value is not a container name, nor is the word after it an option's.
      assert.deepEqual(await values('update', '--flake', 'w'), [])
      assert.deepEqual(await values('update', '--builder', 'flakes', 'd'), ['db'])
    })

    it('container names where a command takes one, and not where a new name or a value goes', async () => {
      assert.deepEqual(await values('start', ''), ['db', 'web-1', 'web-2'])
      assert.deepEqual(await values('--json', 'root-login', 'we'), ['web-1', 'web-2'])
      for (const command of [['generations'], ['rollback', '--to', '2'], ['reset'], ['clone']]) {
        assert.deepEqual(await values(...command, 'w'), ['web-1', 'web-2'], command.join(' '))
      }
      for (const words of [['create', 'w'], ['start', 'web-1', 'w'], ['clone', 'web-1', 'w'], ['run', 'web-1', '--', 'w']]) {
        assert.deepEqual(await values(...words), [], words.join(' '))
      }
    })

    it('cp: NAME: for either operand (continued by a path), and host files', async () => {
      assert.deepEqual(await offers('cp', 'w'), {values: ['web-1:', 'web-2:'], directive: ':files'})
      assert.deepEqual(await offers('cp', './notes', 'd'), {values: ['db:'], directive: ':files'})
    })
  })

  describe('in the shells themselves', () => {
    it('bash: what its completion function puts in COMPREPLY on <TAB>', async () => {
      const complete = async (line: string): Promise<string[]> => {
        const script = `
          source ${path.join(scripts, 'nixos-container.bash')}
          COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}; read -r -a COMP_WORDS <<< "$COMP_LINE"; COMP_CWORD=\${#COMP_WORDS[@]}
          _nixos_container nixos-container
          printf '%s\\n' "\${COMPREPLY[@]}"`
        const {stdout} = await execa('bash', ['--norc', '--noprofile', '-c', script], {env: env(), cwd: host.dir})
        return stdout.split('\n').filter(Boolean).sort()
      }
      assert.deepEqual(await complete('nixos-container st'), ['start', 'status', 'stop'])
      assert.deepEqual(await complete('nixos-container stop '), ['db', 'web-1', 'web-2'])
      assert.deepEqual(await complete('nixos-container --supervisor '), ['nspawn', 'systemd'])
      // bash replaces what follows its word breaks (= and :) only.
      assert.deepEqual(await complete('nixos-container list --host=w'), ['web1'])
      assert.deepEqual(await complete('nixos-container cp we'), ['web-1:', 'web-2:'])
      writeFileSync(path.join(host.dir, 'web.nix'), '{ }\n')
      assert.deepEqual(await complete('nixos-container create x --config-file we'), ['web.nix'])
    })

    it('fish: what `complete -C` answers for a command line', async () => {
      const complete = async (line: string): Promise<string[]> => {
        const {stdout} = await execa('fish', ['--no-config', '-c', `source ${path.join(scripts, 'nixos-container.fish')}; complete -C '${line}'`],
          {env: env(), cwd: host.dir})
        return stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort()
      }
      assert.deepEqual(await complete('nixos-container st'), ['start', 'status', 'stop'])
      assert.deepEqual(await complete('nixos-container restart w'), ['web-1', 'web-2'])
      assert.deepEqual(await complete('nixos-container --host '), ['builder', 'localhost', 'web1'])
      writeFileSync(path.join(host.dir, 'db.nix'), '{ }\n')
      assert.deepEqual(await complete('nixos-container update db --config-file db.'), ['db.nix'])
    })

    it('zsh: what <TAB> does to the line, and the list it shows, in an interactive zsh on a terminal', async () => {
      // zsh draws with escape sequences (a bold space after a completed word): allowed between words.
      const line = (text: string): RegExp => new RegExp(text.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('(?:\x1b\\[[0-9;]*m)* '))
      const zsh = new Terminal({terminalCommand: () => ({command: 'zsh -f -i', env: {...env(), TERM: 'xterm', PS1: '%% '}})}, '')
      try {
        zsh.type(`fpath=(${scripts} $fpath); autoload -Uz compinit; compinit -u -D; echo READY\n`)
        await zsh.waitFor(/^READY/m)
        // One candidate: the word is completed, and a space follows.
        zsh.type('nixos-container stat\t')
        await zsh.waitFor(line('nixos-container status '))
        zsh.type('\x15') // Ctrl-U: the line is cleared.
        // Several: the list shows them, with their descriptions.
        zsh.type('nixos-container restart \t')
        await zsh.waitFor(/web-1[\s\S]*web-2/)
        zsh.type('\x15nixos-container --host w\t')
        await zsh.waitFor(line('nixos-container --host web1 '))
        zsh.type('\x15exit\n')
        await zsh.close()
      } catch (error) {
        await zsh.hangUp()
        throw error
      }
    })
  })
})
