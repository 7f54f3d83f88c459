// Startup benchmark: `nixos-container show-ip X` against a bare `node -e 0` of the same Node,
// interleaved so machine noise hits both alike. Reports medians and the ratio; fails above the
// budget (2x). Uses a throw-away settings directory with one container conf.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const budget = Number(process.env.BENCH_BUDGET ?? 2)
const runs = Number(process.env.BENCH_RUNS ?? 21)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const dir = mkdtempSync(path.join(tmpdir(), 'nc-bench-'))
mkdirSync(path.join(dir, 'etc'))
writeFileSync(path.join(dir, 'etc/bench.conf'), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.1.1\nLOCAL_ADDRESS=10.233.1.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
const env = {...process.env, NIXOS_CONTAINER_CONFIG_DIR: path.join(dir, 'etc'), NIXOS_CONTAINER_STATE_DIR: path.join(dir, 'state')}

const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'nixos-container show-ip': [process.execPath, [cli, 'show-ip', 'bench']],
}

function time([command, args]) {
  const start = process.hrtime.bigint()
  const result = spawnSync(command, args, {env, stdio: ['ignore', 'pipe', 'inherit']})
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (const c of Object.values(cases)) time(c) // warm the page cache
for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(cases)) samples[name].push(time(c))
rmSync(dir, {recursive: true, force: true})

const base = median(samples['node -e 0'])
const cliMedian = median(samples['nixos-container show-ip'])
for (const [name, xs] of Object.entries(samples)) console.log(`${name.padEnd(26)} median ${median(xs).toFixed(1)} ms (${runs} runs, ${process.version})`)
const ratio = cliMedian / base
console.log(`ratio ${ratio.toFixed(2)}x (budget ${budget}x)`)
if (ratio > budget) {
  console.error(`startup is over budget: ${ratio.toFixed(2)}x > ${budget}x`)
  process.exitCode = 1
}
