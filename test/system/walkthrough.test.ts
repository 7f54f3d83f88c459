// docs/walkthrough.md cannot rot: every ```sh block of it runs here, in order, against the
// fixtures (the real CLI, real containers), and the ```text block after it must be what the
// block printed. WALKTHROUGH_UPDATE=1 rewrites those output blocks instead of comparing (all of
// them, from one run, when any differs).
//
// How the page maps to this test:
// - `<!-- walkthrough: file NAME -->` before a block: the block is written to NAME (not run).
// - `<!-- walkthrough: client -->` before a ```sh block: it runs in the client's network
//   namespace ("another machine on the host's network"), whose host side is 10.233.182.1.
// - The page names the real paths (/etc/nixos-containers, /etc/nixos-container/settings.json …);
//   the test host's own stand in for them, in the commands run and in the output shown.
// - The output is what a terminal keeps: stdout and stderr in order, without the progress lines
//   that only show while a step runs (❯ running, › detail).
// - Compared after normalising what differs between runs: store hashes and dates.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {cliPath, projectRoot, TestHost} from '../helpers/host.ts'
import {type ClientNamespace, makeClientNamespace} from '../helpers/netns.ts'
import {remoteAddress, SshHost} from '../helpers/ssh-host.ts'
import {normalise, parseSteps, terminalOutput, withOutputs} from '../helpers/walkthrough.ts'

const page = path.join(projectRoot, 'docs/walkthrough.md')
const update = Boolean(process.env.WALKTHROUGH_UPDATE)
const forwarding = '/proc/sys/net/ipv4/ip_forward'

describe('docs/walkthrough.md (every command block runs against the fixtures)', function () {
  this.timeout(600_000)
  const host = new TestHost('walkthrough')
  const work = path.join(host.dir, 'work')
  const bin = path.join(host.dir, 'bin')
  // The settings file where the page writes it: etc/nixos-container next to etc/nixos-containers.
  host.env.NIXOS_CONTAINER_SETTINGS = path.join(host.dir, 'etc/nixos-container/settings.json')
  /** The page's paths and the test host's, which stand in for them. */
  const paths: [string, string][] = [
    ['/etc/nixos-containers', host.configDir],
    ['/etc/nixos-container', path.dirname(host.env.NIXOS_CONTAINER_SETTINGS)],
    ['/var/lib/nixos-containers', host.stateDir],
    ['/nix/var/nix/profiles/per-container', host.profilesDir],
    ['/nix/var/nix/gcroots/per-container', host.gcrootsDir],
    ['/run/nixos-containers', host.runtimeDir],
  ]
  /** Replaces every FROM of PAIRS by its TO in one pass, so a replacement is never replaced again. */
  const mapPaths = (text: string, pairs: [string, string][]): string => {
    const escaped = pairs.map(([from]) => from).sort((a, b) => b.length - a.length).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    return text.replace(new RegExp(escaped.join('|'), 'g'), (found) => pairs.find(([from]) => from === found)![1])
  }
  // The page's second host is a real one (test/helpers/ssh-host.ts), reached with the test's key.
  let ssh: SshHost | undefined
  const secondHost = (): [string, string] => [`--host root@web2.example`, `--host root@${remoteAddress} --ssh-option '${ssh!.sshArgs().join(' ')}'`]
  const toTest = (text: string): string => mapPaths(text, [...paths, secondHost()])
  const fromTest = (text: string): string => mapPaths(text, [...paths.map(([real, test]): [string, string] => [test, real]), [`root@${remoteAddress}`, 'root@web2.example']])
  let forwardingBefore = '0'
  let client: ClientNamespace | undefined

  before(async () => {
    forwardingBefore = readFileSync(forwarding, 'utf8').trim()
    mkdirSync(work, {recursive: true})
    mkdirSync(bin, {recursive: true})
    // `nixos-container` on PATH is the CLI under test, with the test host's paths.
    writeFileSync(path.join(bin, 'nixos-container'), `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`)
    chmodSync(path.join(bin, 'nixos-container'), 0o755)
    client = await makeClientNamespace('wkclient', {host: 'wkc-host', client: 'wkc-client'}, {host: '10.233.182.1', client: '10.233.182.2'})
    ssh = await SshHost.boot()
  })

  after(async () => {
    writeFileSync(forwarding, forwardingBefore)
    await client?.remove()
    await ssh?.dispose()
    await host.cleanup()
  })

  it('every command block runs and prints what the page shows', async () => {
    const markdown = readFileSync(page, 'utf8')
    const steps = parseSteps(markdown)
    const outputs: string[] = []
    const mismatches: string[] = []
    for (const step of steps) {
      if (step.kind === 'file') {
        writeFileSync(path.join(work, step.target), step.code)
        continue
      }
      const script = `exec 2>&1\nset -e\n${toTest(step.code)}`
      const argv = step.target === 'client' ? ['ip', 'netns', 'exec', client!.name, 'bash', '-c', script] : ['bash', '-c', script]
      const result = await execa(argv[0], argv.slice(1), {
        cwd: work,
        env: {...host.env, PATH: `${bin}:${process.env.PATH}`},
        reject: false,
        stdin: 'ignore',
        timeout: 180_000,
      })
      const output = terminalOutput(fromTest(String(result.stdout)))
      assert.equal(result.exitCode, 0, `this block failed (exit ${result.exitCode}):\n${step.code}\n${output}`)
      outputs.push(output)
      const shown = step.output?.text ?? ''
      if (normalise(shown).trimEnd() !== normalise(output).trimEnd()) {
        mismatches.push(`block:\n${step.code}page shows:\n${shown}ran:\n${output}`)
      }
    }
    // Rewritten only when something differs, and then all of it, so that the store paths and
    // dates on the page come from one run and agree between the steps.
    if (update) {
      if (mismatches.length > 0) writeFileSync(page, withOutputs(markdown, steps, outputs))
      return
    }
    assert.deepEqual(mismatches, [], 'docs/walkthrough.md shows other output than its commands print: run WALKTHROUGH_UPDATE=1 with this test to rewrite it')
  })
})
