// lib/container-entry.ts: what enters a container holds no more than the container's init, and
// takes nothing of the tool's with it. The processes entered here stand for a container's init:
// one with a smaller capability bounding set, and one in a user namespace of its own.
import assert from 'node:assert/strict'
import {spawn, type ChildProcess, execFileSync} from 'node:child_process'
import {readlinkSync} from 'node:fs'

import {boundingSetOf, containerEnvironment, enterContainer} from '../../dist/lib/container-entry.js'
import {children} from '../../dist/lib/proc.js'

const started: ChildProcess[] = []
after(() => started.forEach((child) => child.kill('SIGKILL')))

/** Starts ARGV (ending in a long sleep) and returns the pid of its sleep (itself, or the child `unshare --fork` made). */
async function sleeper(argv: string[]): Promise<number> {
  const child = spawn(argv[0], argv.slice(1), {stdio: 'ignore'})
  started.push(child)
  const isSleep = (pid: number): boolean => {
    try {
      return readlinkSync(`/proc/${pid}/exe`).endsWith('/sleep')
    } catch {
      return false
    }
  }
  for (let i = 0; i < 100; i++) {
    const pid = [child.pid!, ...children(child.pid!)].find(isSleep)
    if (pid) return pid
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${argv.join(' ')} never became sleep`)
}

/** A stand-in for a container's init: sleep in mount and PID namespaces of its own (root makes them; anyone, inside a user namespace). */
const initArgv = (userNamespace: boolean, prefix: string[] = []): string[] =>
  [...prefix, 'unshare', ...(userNamespace ? ['--user', '--map-root-user'] : []), '--mount', '--pid', '--fork', 'sleep', '60']

describe('entering a container', () => {
  it('reads the bounding set of the container\'s init from the kernel, capability by number', async () => {
    const init = await sleeper(['setpriv', '--bounding-set', '-all,+chown,+kill,+sys_admin', 'sleep', '60'])
    assert.equal(boundingSetOf(init), '-all,+cap_0,+cap_5,+cap_21')
  })

  it('refuses a process that shares our mount and PID namespaces: no container\'s init', () => {
    assert.throws(() => enterContainer(process.pid), {message: `process ${process.pid} is not a container's init: it shares the host's namespaces`})
  })

  it('applies that set with setpriv before nsenter enters the namespaces the init does not share with us', async function () {
    if (process.getuid?.() !== 0) this.skip() // Only root makes mount and PID namespaces outside a user namespace.
    const init = await sleeper(initArgv(false, ['setpriv', '--bounding-set', '-all,+chown,+sys_admin,+sys_chroot']))
    assert.deepEqual(enterContainer(init), [
      'setpriv', '--bounding-set', '-all,+cap_0,+cap_18,+cap_21', '--inh-caps', '-all', '--ambient-caps', '-all', '--',
      'nsenter', '--target', String(init), '--mount', '--pid', '--',
    ])
  })

  it('enters an init\'s own user namespace first and alone, then applies the set (entering a user namespace resets it), then the rest', async function () {
    let init: number
    try {
      init = await sleeper(initArgv(true))
    } catch {
      this.skip() // This kernel lets no user make a user namespace.
    }
    const pid = String(init!)
    const argv = enterContainer(init!)
    assert.deepEqual(argv.slice(0, 5), ['nsenter', '--target', pid, '--user', '--'])
    assert.match(argv[5], /^\/.*\/setpriv$/, 'setpriv by its host path: nothing is looked up after the user namespace is entered')
    assert.deepEqual(argv.slice(6, 13), ['--bounding-set', boundingSetOf(init!), '--inh-caps', '-all', '--ambient-caps', '-all', '--'])
    assert.match(argv[13], /^\/.*\/nsenter$/)
    assert.deepEqual(argv.slice(14), ['--target', pid, '--mount', '--pid', '--'])
  })

  it('hands the container PATH and TERM of our environment, nothing else', () => {
    const saved = {...process.env}
    try {
      process.env.TERM = 'xterm'
      process.env.AWS_SECRET_ACCESS_KEY = 'host secret'
      assert.deepEqual(Object.keys(containerEnvironment()).sort(), ['PATH', 'TERM'])
    } finally {
      process.env = saved
    }
  })

  it('closes descriptors the tool was given open (which a child would inherit), and keeps its own', () => {
    // A Node process whose parent left fd 200 open, as a careless parent does (Node itself marks
    // only its lowest descriptors close-on-exec).
    const script = `
      import {closeInherited} from '${new URL('../../dist/lib/container-entry.js', import.meta.url).pathname}'
      import {openSync, readdirSync} from 'node:fs'
      const own = openSync('/dev/null', 'r')
      closeInherited()
      const left = readdirSync('/proc/self/fd').map(Number)
      console.log(JSON.stringify({inherited: left.includes(200), own: left.includes(own)}))`
    const out = execFileSync('bash', ['-c', 'exec 200</dev/null; exec "$0" --input-type=module -e "$1"', process.execPath, script], {encoding: 'utf8'})
    assert.deepEqual(JSON.parse(out), {inherited: false, own: true})
  })
})
