// What a newcomer meets first (issue 19): each failure said once, as the last line, and every
// input that can be checked without building checked before anything is reserved, printed or written.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {singleQuoted} from '../../dist/lib/argv.js'
import {fixtures, projectRoot, TestHost} from '../helpers/host.ts'

/** The lines of stderr that carry MESSAGE (the error line, and any progress line that repeats it). */
const linesCarrying = (stderr: string, message: string): string[] => stderr.split('\n').filter((line) => line.includes(message))

describe('first minutes: one error line, cheap checks first', () => {
  const host = new TestHost('first')
  const scratch = mkdtempSync(path.join(tmpdir(), 'nc-first-inputs-'))
  after(async () => {
    rmSync(scratch, {recursive: true, force: true})
    await host.cleanup()
  })

  describe('a failed build says its error once, after the progress display', () => {
    const failures: Array<[string, string[], string]> = [
      ['a failed assertion', ['--config', 'assertions = [ { assertion = false; message = "refusing to build"; } ];'], 'failed to build container configuration: Failed assertions'],
      ['a Nix syntax error', ['--config', 'this is not nix'], 'failed to build container configuration: syntax error'],
      ['a flake without the attribute', ['--flake', `path:${fixtures}#nonexistent`], 'failed to build container from flake'],
    ]
    for (const [what, args, message] of failures) {
      it(what, async () => {
        const failed = await host.cli(['create', 'broken', ...args])
        assert.equal(failed.exitCode, 1)
        const lines = failed.stderr.trimEnd().split('\n')
        assert.match(lines.at(-1)!, new RegExp(`^nixos-container: ${message}`))
        assert.deepEqual(linesCarrying(failed.stderr, 'nixos-container:'), [lines.at(-1)])
        // Nor in any other form: the message is on the error line only (build output aside, which
        // says it in Nix's words).
        assert.deepEqual(linesCarrying(failed.stderr, message), [lines.at(-1)], failed.stderr)
        // The step is marked failed, without the message repeated on its line.
        assert.ok(lines.some((line) => /^✖ Building the system of container broken/.test(line)), failed.stderr)
        assert.deepEqual(lines.filter((line) => line.includes('FAILED')), [])
        assert.ok(!existsSync(host.conf('broken')))
        const json = await host.cli(['create', 'broken', ...args, '--json'])
        assert.equal(json.exitCode, 1)
        assert.match(JSON.parse(json.stdout).error.message, new RegExp(message))
        assert.equal(json.stderr, '', 'under --json the error is said once, in the document')
      })
    }

    it('on a terminal too: the live display marks the step failed and the message comes once, after it', async () => {
      // script(1) gives the CLI a terminal (of a fixed width), as a user's shell would.
      const [, args, message] = failures[0]
      const {command, env} = host.terminalCommand(['create', 'broken', ...args].map(singleQuoted).join(' '))
      const shown = await execa('script', ['-qec', `stty cols 150 rows 40; ${command}`, '/dev/null'], {env, reject: false})
      assert.equal(shown.exitCode, 1)
      // What the terminal shows, line by line: escapes gone, each repaint on a line of its own.
      const lines = String(shown.stdout).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/\r?\n|\r/).filter((l) => l.trim())
      assert.match(lines.at(-1)!, new RegExp(`^nixos-container: ${message}`))
      assert.deepEqual(linesCarrying(lines.join('\n'), message), [lines.at(-1)], lines.join('\n'))
      assert.ok(lines.some((l) => /^✖ Building the system of container broken/.test(l)), lines.join('\n'))
      assert.deepEqual(lines.filter((l) => l.includes('FAILED')), [])
      assert.ok(!existsSync(host.conf('broken')))
    })
  })

  describe('inputs that can be checked without building are checked before anything is reserved or printed', () => {
    let notASystem = ''
    before(async () => {
      // A real store path that is not a NixOS system (no init).
      const dir = path.join(scratch, 'not-a-system')
      mkdirSync(dir)
      writeFileSync(path.join(dir, 'README'), 'just a file\n')
      notASystem = (await execa('nix-store', ['--add', dir])).stdout.trim()
      mkdirSync(path.join(scratch, 'no-flake'))
      writeFileSync(path.join(scratch, 'unreadable.nix'), '{}\n')
    })

    const cases = (): Array<[string, string[], string]> => [
      ['a --system-path that does not exist', ['--system-path', '/nix/store/00000000000000000000000000000000-missing'],
        '--system-path: /nix/store/00000000000000000000000000000000-missing: no such file or directory'],
      ['a --system-path that is no NixOS system', ['--system-path', notASystem], `--system-path: ${notASystem} is not a NixOS system (it has no executable init)`],
      ['a --config-file that does not exist', ['--config-file', path.join(scratch, 'missing.nix')], `--config-file: ${path.join(scratch, 'missing.nix')}: no such file`],
      ['a --config-file that is a directory', ['--config-file', scratch], `--config-file: ${scratch} is a directory, not a file`],
      ['a local --flake that does not exist', ['--flake', `${scratch}/missing#c`], `--flake: ${scratch}/missing: no such directory`],
      ['a local --flake with no flake.nix', ['--flake', `path:${scratch}/no-flake#c`], `--flake: path:${scratch}/no-flake: no flake.nix in ${scratch}/no-flake`],
      ['a --nixos-path that does not exist', ['--nixos-path', `${scratch}/nixos`], `--nixos-path: ${scratch}/nixos: no such file or directory`],
    ]

    it('create: one line, exit 1, no address announced, nothing written (text and --json)', async () => {
      for (const [what, args, message] of cases()) {
        const failed = await host.cli(['create', 'early', ...args])
        assert.equal(failed.exitCode, 1, what)
        assert.equal(failed.stderr, `nixos-container: ${message}\n`, what)
        assert.equal(failed.stdout, '', what)
        const json = await host.cli(['create', 'early', ...args, '--json'])
        assert.equal(json.exitCode, 1, what)
        assert.equal(JSON.parse(json.stdout).error.message, message, what)
        assert.equal(json.stderr, '', what)
      }
      assert.deepEqual(host.leftovers(), [], 'nothing was reserved or written')
    })

    it('update: the same checks, before the container is locked or built', async () => {
      await host.ok(['create', 'kept', '--config', ''])
      const before = host.leftovers().sort()
      for (const [what, args, message] of cases().filter(([, args]) => args[0] !== '--config-file')) {
        const failed = await host.cli(['update', 'kept', ...args])
        assert.equal(failed.exitCode, 1, what)
        assert.equal(failed.stderr, `nixos-container: ${message}\n`, what)
      }
      assert.deepEqual(host.leftovers().sort(), before)
      await host.ok(['destroy', 'kept'])
    })
  })

  it('the set-up on a prepared machine is quiet: a line or two, no npm warnings', async function () {
    // It would run npm ci (replacing node_modules under the running suite) if the lock changed since.
    const lock = (file: string): number => statSync(path.join(projectRoot, file), {throwIfNoEntry: false})?.mtimeMs ?? Infinity
    if (lock('package-lock.json') > lock('node_modules/.package-lock.json')) this.skip()
    // As scripts/test.sh runs it, and as scripts/demo.sh does (less its --build, which would rebuild
    // dist/ under the running suite).
    for (const options of [[], ['--without-test-host']]) {
      const setup = await execa('bash', [path.join(projectRoot, 'scripts/prepare-host.sh'), ...options], {all: true, reject: false})
      assert.equal(setup.exitCode, 0, setup.all)
      const lines = setup.all!.split('\n').filter(Boolean)
      assert.ok(lines.length <= 2, setup.all)
      assert.ok(lines.every((line) => line.startsWith('setup: ')), setup.all)
      assert.doesNotMatch(setup.all!, /npm warn|EBADENGINE/)
    }
  })

  it('a set-up step that fails names its log and shows its last lines', async () => {
    // A dpkg that finds nothing installed and an apt-get that fails: nothing is really installed.
    const bin = path.join(scratch, 'fake-bin')
    mkdirSync(bin)
    writeFileSync(path.join(bin, 'dpkg'), '#!/bin/sh\nexit 1\n', {mode: 0o755})
    writeFileSync(path.join(bin, 'apt-get'), '#!/bin/sh\necho "E: the mirror is unreachable (simulated)"\nexit 100\n', {mode: 0o755})
    const setup = await execa('bash', [path.join(projectRoot, 'scripts/prepare-host.sh')],
      {all: true, reject: false, env: {PATH: `${bin}:${process.env.PATH}`, TMPDIR: scratch}})
    assert.equal(setup.exitCode, 1, setup.all)
    const log = path.join(scratch, 'nixos-container-setup.log')
    const lines = setup.all!.split('\n')
    assert.match(lines[0], /^setup: installing Debian packages: nix-bin /)
    assert.equal(lines[1], `${lines[0]} failed; the last lines of ${log}:`)
    assert.deepEqual(lines.slice(2), ['E: the mirror is unreachable (simulated)'])
  })
})
