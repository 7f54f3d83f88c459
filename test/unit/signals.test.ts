// The CLI's signal owner (lib/signals.ts), in a Node process of its own: a cleanup registered when
// the signal arrives runs to the end even if the work it guards settles, and releases it, while
// the owner stops our children (as a start does when its systemd-nspawn gets the owner's SIGTERM).
import assert from 'node:assert/strict'
import {execa} from 'execa'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

describe('the signal owner', () => {
  it('runs the cleanups registered when the signal came, also those released while it stopped our children', async () => {
    const script = `
      import {spawn} from 'node:child_process'
      import {onInterrupt} from '${path.join(projectRoot, 'dist/lib/signals.js')}'
      // A child that takes a moment to end on SIGTERM, as systemd-nspawn halting its container does.
      const child = spawn('sh', ['-c', 'trap "sleep 0.3; exit 0" TERM; while :; do sleep 0.05; done'], {stdio: 'ignore'})
      const release = onInterrupt(() => new Promise((resolve) => setTimeout(() => { console.log('undone'); resolve() }, 100)))
      // The guarded work ends when its child does, and releases its cleanup, as a step's finally does.
      child.once('exit', () => { console.log('work ended'); release() })
      child.once('spawn', () => process.kill(process.pid, 'SIGTERM'))
      setTimeout(() => {}, 5000)`
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], {cwd: projectRoot, reject: false})
    assert.equal(result.exitCode, 143, result.stderr)
    assert.equal(result.stdout, 'work ended\nundone')
    assert.equal(result.stderr, 'nixos-container: interrupted by SIGTERM, undoing unfinished work')
  })
})
