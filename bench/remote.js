// `list --json --host HOST` against its floor, `ssh HOST true` with the same options: what the tool
// adds to a bare ssh round trip (the tool started here, the version check and the list there). The remote is the tests' second machine (test/helpers/ssh-host.ts: booted in a container
// with its own sshd, over a veth), so this needs root, like the system tests. Interleaved runs,
// medians, the ratio printed; over budget (1.5x, BENCH_REMOTE_BUDGET) the run fails.
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {remoteAddress, SshHost} from '../test/helpers/ssh-host.ts'

const budget = Number(process.env.BENCH_REMOTE_BUDGET ?? 1.5)
const runs = Number(process.env.BENCH_RUNS ?? 21)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))

const ssh = await SshHost.boot()
try {
  ssh.host.writeFile('/etc/nixos-containers/bench.conf', 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.248.1\nLOCAL_ADDRESS=10.233.248.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
  const cases = {
    'ssh HOST true': ['ssh', [...ssh.sshArgs(), `root@${remoteAddress}`, 'true']],
    'list --json --host HOST': [process.execPath, [cli, 'list', '--json', ...ssh.flags()]],
  }
  const time = ([command, args]) => {
    const start = process.hrtime.bigint()
    const result = spawnSync(command, args, {stdio: ['ignore', 'pipe', 'inherit']})
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`)
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  for (const c of Object.values(cases)) time(c) // warm caches on both sides
  for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(cases)) samples[name].push(time(c))
  for (const [name, xs] of Object.entries(samples)) console.log(`${name.padEnd(30)} median ${median(xs).toFixed(1)} ms (${runs} runs)`)
  const ratio = median(samples['list --json --host HOST']) / median(samples['ssh HOST true'])
  console.log(`list --host over ssh true: ${ratio.toFixed(2)}x (budget ${budget}x)`)
  if (ratio > budget) {
    console.error(`list --host is over budget: ${ratio.toFixed(2)}x > ${budget}x`)
    process.exitCode = 1
  }
} finally {
  await ssh.dispose()
}
