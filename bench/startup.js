// Startup benchmarks, each case interleaved with its baseline so machine noise hits both alike;
// medians and ratios are reported and the run fails above a budget:
// 1. `nixos-container show-ip X`, `status X`, `list`, `--version`, `--help`, and `list` and
//    `list --json` over 1000 containers, against a bare `node -e 0` of the same Node (budget 2x
//    each): every command starts through oclif, from the bundled build. Upstream's Perl tool, the
//    issue's peer, is not on a Debian host and reads only /etc/nixos-containers; Node's own start
//    is the floor every command here shares;
// 2. `status X` (which loads the supervisor's plugin) with 30 plugins linked against none:
//    installed plugins must not slow startup down, since no plugin code is loaded unless its hook
//    fires (budget 1.25x: oclif reads each plugin's package.json, under 1 ms apiece; one loaded
//    hook costs 100 ms).
// 3. peak memory (maximum resident set, from GNU time) of `list` over 1000 containers against
//    `node -e 0`'s (budget 1.3x).
// For reference (no budget), the framework's own floor: a bare oclif CLI of one command that
// prints a line, bundled and started as ours is; its time and memory against `node -e 0` show how
// much of each ratio any oclif CLI pays before it does anything.
// Uses throw-away settings directories, with one container conf and with 1000.
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {bundleOptions} from '../scripts/bundle.js'

const budget = Number(process.env.BENCH_BUDGET ?? 2)
const pluginBudget = Number(process.env.BENCH_PLUGIN_BUDGET ?? 1.25)
const memoryBudget = Number(process.env.BENCH_MEMORY_BUDGET ?? 1.3)
const pluginCount = 30
const runs = Number(process.env.BENCH_RUNS ?? 21)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const dir = mkdtempSync(path.join(tmpdir(), 'nc-bench-'))
mkdirSync(path.join(dir, 'etc'))
writeFileSync(path.join(dir, 'etc/bench.conf'), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.1.1\nLOCAL_ADDRESS=10.233.1.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
const env = {
  ...process.env,
  NIXOS_CONTAINER_CONFIG_DIR: path.join(dir, 'etc'),
  NIXOS_CONTAINER_STATE_DIR: path.join(dir, 'state'),
  NIXOS_CONTAINER_RUNTIME_DIR: path.join(dir, 'run'),
  NIXOS_CONTAINER_SETTINGS: path.join(dir, 'settings.json'),
  NIXOS_CONTAINER_DATA_DIR: path.join(dir, 'no-plugins'),
}

// 30 plugins, each with hooks for every lifecycle point and an allocator, recorded as
// `plugins link` records them (written directly: linking 30 times would only slow the bench).
const pluginsDir = path.join(dir, 'plugins')
const linked = []
for (let i = 0; i < pluginCount; i++) {
  const root = path.join(pluginsDir, `bench-plugin-${i}`)
  mkdirSync(path.join(root, 'hooks'), {recursive: true})
  const hooks = Object.fromEntries(['network-allocate', 'pre-create', 'post-create', 'pre-start', 'post-start', 'pre-stop', 'post-stop']
    .map((event) => [event, './hooks/hook.js']))
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({name: `bench-plugin-${i}`, version: '1.0.0', type: 'module', 'nixos-container': {allocator: [`bench-${i}`]}, oclif: {hooks}}))
  // Loading this would show: it burns 100 ms.
  writeFileSync(path.join(root, 'hooks/hook.js'), 'const end = Date.now() + 100; while (Date.now() < end); export default async () => undefined\n')
  linked.push({name: `bench-plugin-${i}`, root, type: 'link'})
}
mkdirSync(path.join(dir, 'with-plugins'))
writeFileSync(path.join(dir, 'with-plugins/package.json'), JSON.stringify({name: 'nixos-container', private: true, oclif: {schema: 1, plugins: linked}}))
const withPlugins = {...env, NIXOS_CONTAINER_DATA_DIR: path.join(dir, 'with-plugins')}

// The bare oclif CLI: one command, oclif's explicit strategy, bundled and started as bin/run.js starts ours.
const floor = path.join(dir, 'oclif-floor')
mkdirSync(path.join(floor, 'bin'), {recursive: true})
writeFileSync(path.join(floor, 'package.json'), JSON.stringify({name: 'oclif-floor', version: '1.0.0', type: 'module',
  oclif: {bin: 'oclif-floor', commands: {strategy: 'explicit', target: './cli.bundle.js', identifier: 'COMMANDS'}}}))
writeFileSync(path.join(floor, 'cli.js'), `import {Command} from '@oclif/core/command'
export {execute} from '@oclif/core/execute'
export {settings} from '@oclif/core/settings'
class Hello extends Command { async run() { process.stdout.write('hello\\n') } }
export const COMMANDS = {hello: Hello}
`)
writeFileSync(path.join(floor, 'bin/run.js'), `const {enableCompileCache} = await import('node:module')
enableCompileCache?.()
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
const {execute, settings} = await import('../cli.bundle.js')
settings.enableAutoTranspile = false
await execute({dir: import.meta.url})
`)
await build({...bundleOptions, entryPoints: [path.join(floor, 'cli.js')], outfile: path.join(floor, 'cli.bundle.js'),
  nodePaths: [fileURLToPath(new URL('../node_modules', import.meta.url))]})

// A thousand containers, as a large host has them: upstream's conf lines, nothing running.
const many = {...env, NIXOS_CONTAINER_CONFIG_DIR: path.join(dir, 'many')}
mkdirSync(many.NIXOS_CONTAINER_CONFIG_DIR)
for (let i = 0; i < 1000; i++) {
  const [third, fourth] = [Math.floor(i / 60), (i % 60) * 4]
  writeFileSync(path.join(many.NIXOS_CONTAINER_CONFIG_DIR, `c${i}.conf`),
    `PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.${third}.${fourth + 1}\nLOCAL_ADDRESS=10.233.${third}.${fourth + 2}\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n`)
}

const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'show-ip': [process.execPath, [cli, 'show-ip', 'bench']],
  list: [process.execPath, [cli, 'list']],
  'status, no plugins': [process.execPath, [cli, 'status', 'bench']],
  [`status, ${pluginCount} plugins`]: [process.execPath, [cli, 'status', 'bench'], withPlugins],
  '--version': [process.execPath, [cli, '--version']],
  '--help': [process.execPath, [cli, '--help']],
  'list, 1000': [process.execPath, [cli, 'list'], many],
  'list --json, 1000': [process.execPath, [cli, 'list', '--json'], many],
  'bare oclif CLI, one command': [process.execPath, [path.join(floor, 'bin/run.js'), 'hello']],
}
const againstNode = ['show-ip', 'list', 'status, no plugins', '--version', '--help', 'list, 1000', 'list --json, 1000']

function time([command, args, caseEnv = env]) {
  const start = process.hrtime.bigint()
  const result = spawnSync(command, args, {env: caseEnv, stdio: ['ignore', 'pipe', 'inherit']})
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (const c of Object.values(cases)) time(c) // warm the page cache
for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(cases)) samples[name].push(time(c))

/** Peak resident memory in KiB, as GNU time reports it (the kernel's ru_maxrss of the process). */
function peakKiB([command, args, caseEnv = env]) {
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {env: caseEnv, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']})
  if (result.status !== 0) throw new Error(`/usr/bin/time ${command} ${args.join(' ')} failed: ${result.stderr}`)
  return Number(result.stderr.trim().split('\n').at(-1))
}
const memory = {node: [], list: [], floor: []}
if (existsSync('/usr/bin/time')) {
  for (let i = 0; i < 5; i++) {
    memory.node.push(peakKiB(cases['node -e 0']))
    memory.list.push(peakKiB(cases['list, 1000']))
    memory.floor.push(peakKiB(cases['bare oclif CLI, one command']))
  }
}
rmSync(dir, {recursive: true, force: true})

const base = median(samples['node -e 0'])
for (const [name, xs] of Object.entries(samples)) console.log(`${name.padEnd(30)} median ${median(xs).toFixed(1)} ms (${runs} runs, ${process.version})`)
for (const name of againstNode) {
  const ratio = median(samples[name]) / base
  console.log(`${name}: ${ratio.toFixed(2)}x node -e 0 (budget ${budget}x)`)
  if (ratio > budget) {
    console.error(`${name} is over budget: ${ratio.toFixed(2)}x > ${budget}x`)
    process.exitCode = 1
  }
}
console.log(`bare oclif CLI (reference, no budget): ${(median(samples['bare oclif CLI, one command']) / base).toFixed(2)}x node -e 0`)
const slowdown = median(samples[`status, ${pluginCount} plugins`]) / median(samples['status, no plugins'])
console.log(`status with ${pluginCount} plugins: ${slowdown.toFixed(2)}x (budget ${pluginBudget}x)`)
if (slowdown > pluginBudget) {
  console.error(`status slows down with installed plugins: ${slowdown.toFixed(2)}x > ${pluginBudget}x`)
  process.exitCode = 1
}
if (memory.node.length === 0) {
  console.log('peak memory: not measured (no GNU time at /usr/bin/time)')
} else {
  const growth = median(memory.list) / median(memory.node)
  console.log(`peak memory, list over 1000: ${(median(memory.list) / 1024).toFixed(1)} MiB, node -e 0: ${(median(memory.node) / 1024).toFixed(1)} MiB: ${growth.toFixed(2)}x (budget ${memoryBudget}x)`)
  console.log(`peak memory, bare oclif CLI (reference, no budget): ${(median(memory.floor) / 1024).toFixed(1)} MiB: ${(median(memory.floor) / median(memory.node)).toFixed(2)}x`)
  if (growth > memoryBudget) {
    console.error(`list over 1000 containers uses too much memory: ${growth.toFixed(2)}x > ${memoryBudget}x`)
    process.exitCode = 1
  }
}
