// docs/walkthrough.md cannot rot: every ```sh block of it runs here, in order, against the
// fixtures (the real CLI, real containers), and the ```text block after it must be what the
// block printed. WALKTHROUGH_UPDATE=1 rewrites those output blocks instead of comparing.
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

import {loadCommands} from '../dist/docs/commands.js'
import {projectRoot, TestHost, cliPath} from './helpers/host.ts'

const page = path.join(projectRoot, 'docs/walkthrough.md')
const update = Boolean(process.env.WALKTHROUGH_UPDATE)
const client = 'wkclient'
const forwarding = '/proc/sys/net/ipv4/ip_forward'

/** The commands the walkthrough must show at work (the list); a test below checks. */
export const walkthroughCommands = ['create', 'start', 'status', 'show-ip', 'update', 'generations', 'rollback', 'logs', 'cp', 'stop', 'clone', 'destroy', 'list']

export interface Step {
  kind: 'file' | 'run'
  /** For file steps, the file name; for run steps, 'host' or 'client'. */
  target: string
  code: string
  /** Offsets of the step's code block in the page (from its opening fence to after its closing one). */
  end: number
  /** The ```text block right after a run step: its text and its offsets, if there is one. */
  output?: {text: string; start: number; end: number}
}

const fence = /^```(\w*)\n([\s\S]*?)^```[ \t]*\n/gm

/** The page's steps, in order. */
export function parseSteps(markdown: string): Step[] {
  const blocks = [...markdown.matchAll(fence)].map((m) => ({lang: m[1], code: m[2], start: m.index, end: m.index + m[0].length}))
  const steps: Step[] = []
  blocks.forEach((block, i) => {
    const before = markdown.slice(i > 0 ? blocks[i - 1].end : 0, block.start).trimEnd()
    const marker = /<!-- walkthrough: (\w+)(?: (\S+))? -->$/.exec(before)
    if (marker?.[1] === 'file') {
      steps.push({kind: 'file', target: marker[2], code: block.code, end: block.end})
      return
    }
    if (block.lang !== 'sh') return
    const next = blocks[i + 1]
    const output = next && next.lang === 'text' && markdown.slice(block.end, next.start).trim() === ''
      ? {text: next.code, start: block.end, end: next.end}
      : undefined
    steps.push({kind: 'run', target: marker?.[1] === 'client' ? 'client' : 'host', code: block.code, end: block.end, output})
  })
  return steps
}

/** What differs from run to run: store hashes and dates. Applied to the page's text and to what ran. */
export function normalise(text: string): string {
  return text
    .replace(/\/nix\/store\/[0-9a-df-np-sv-z]{32}-/g, '/nix/store/HASH-')
    .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/g, 'DATE')
    .replace(/[ \t]+$/gm, '')
}

/** Output as a terminal keeps it: progress lines that only show while a step runs dropped. */
export function terminalOutput(raw: string): string {
  return raw.split('\n').filter((line) => !/^[❯›] /.test(line)).join('\n')
}

/** The page with each run step's output block replaced by OUTPUTS (one per run step, in order). */
export function withOutputs(markdown: string, steps: Step[], outputs: string[]): string {
  const runs = steps.filter((s) => s.kind === 'run')
  let result = ''
  let at = 0
  runs.forEach((step, i) => {
    result += markdown.slice(at, step.end)
    at = step.output ? step.output.end : step.end
    const text = outputs[i]
    if (text.trim() !== '') result += `\n\`\`\`text\n${text.replace(/\n*$/, '\n')}\`\`\`\n`
  })
  return result + markdown.slice(at)
}

describe('docs/walkthrough.md (every command block runs against the fixtures) @system', function () {
  this.timeout(600_000)
  const host = new TestHost('walkthrough')
  const work = path.join(host.dir, 'work')
  const bin = path.join(host.dir, 'bin')
  /** The page's paths and the test host's, which stand in for them. */
  // The settings file where the page writes it: etc/nixos-container next to etc/nixos-containers.
  host.env.NIXOS_CONTAINER_SETTINGS = path.join(host.dir, 'etc/nixos-container/settings.json')
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
  const toTest = (text: string): string => mapPaths(text, paths)
  const fromTest = (text: string): string => mapPaths(text, paths.map(([real, test]) => [test, real]))
  let forwardingBefore = '0'

  before(async () => {
    forwardingBefore = readFileSync(forwarding, 'utf8').trim()
    mkdirSync(work, {recursive: true})
    mkdirSync(bin, {recursive: true})
    // `nixos-container` on PATH is the CLI under test, with the test host's paths.
    writeFileSync(path.join(bin, 'nixos-container'), `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`)
    chmodSync(path.join(bin, 'nixos-container'), 0o755)
    // "Another machine on the host's network": a namespace linked to the host by a veth pair.
    await execa('ip', ['netns', 'add', client])
    await execa('ip', ['link', 'add', 'wkc-host', 'type', 'veth', 'peer', 'name', 'wkc-client', 'netns', client])
    await execa('ip', ['addr', 'add', '10.233.182.1/24', 'dev', 'wkc-host'])
    await execa('ip', ['link', 'set', 'wkc-host', 'up'])
    for (const argv of [['addr', 'add', '10.233.182.2/24', 'dev', 'wkc-client'], ['link', 'set', 'wkc-client', 'up'], ['link', 'set', 'lo', 'up']]) {
      await execa('ip', ['netns', 'exec', client, 'ip', ...argv])
    }
  })

  after(async () => {
    writeFileSync(forwarding, forwardingBefore)
    await execa('ip', ['link', 'delete', 'wkc-host'], {reject: false})
    await execa('ip', ['netns', 'delete', client], {reject: false})
    await host.cleanup()
  })

  it('the page shows the commands the walkthrough is about', () => {
    const used = new Set(parseSteps(readFileSync(page, 'utf8')).filter((s) => s.kind === 'run')
      .flatMap((s) => [...s.code.matchAll(/(?:^|\$\()\s*nixos-container ([a-z-]+)/gm)].map((m) => m[1])))
    const known = new Set(loadCommands(path.join(projectRoot, 'oclif.manifest.json')).map((c) => c.id))
    assert.deepEqual(walkthroughCommands.filter((c) => !known.has(c)), [], 'the list names real commands')
    assert.deepEqual(walkthroughCommands.filter((c) => !used.has(c)), [])
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
      const argv = step.target === 'client' ? ['ip', 'netns', 'exec', client, 'bash', '-c', script] : ['bash', '-c', script]
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
    if (update) {
      writeFileSync(page, withOutputs(markdown, steps, outputs))
      return
    }
    assert.deepEqual(mismatches, [], 'docs/walkthrough.md shows other output than its commands print: run WALKTHROUGH_UPDATE=1 with this test to rewrite it')
  })
})
