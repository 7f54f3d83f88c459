// Boot benchmark: start-to-ready of the systemd guest fixture through the CLI (`nixos-container
// start`, under the direct supervisor) against a bare systemd-nspawn --notify-ready=yes boot of
// the same guest on the same root, timed until its READY=1, interleaved so machine noise hits
// both alike; the median ratio must stay within budget (default 1.2x). Between samples the CLI
// container is stopped and the bare one killed; neither time counts. Then, with the container up,
// `nixos-container run NAME -- true` against upstream's path for the same (a Perl start-up that
// execs nsenter into the container and its su, as nixos-container.pl's runInContainer does),
// budget 1.3x. Needs root, Nix, Perl and systemd-nspawn (scripts/prepare-host.sh).
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {DgramSocket} from 'node-unix-socket'

import {spawnInCgroup, removeCgroups} from '../plugins/supervisors/dist/cgroup.js'
import {nspawnArguments} from '../plugins/supervisors/dist/nspawn-args.js'
import {prepareRoot} from '../plugins/supervisors/dist/root.js'
import {loadContainer, resolveHostPaths} from '../dist/api.js'

const budget = Number(process.env.BENCH_BOOT_BUDGET ?? 1.2)
const runBudget = Number(process.env.BENCH_RUN_BUDGET ?? 1.3)
const runs = Number(process.env.BENCH_BOOT_RUNS ?? 7)
const projectRoot = fileURLToPath(new URL('..', import.meta.url))
const cli = path.join(projectRoot, 'bin/run.js')
const dir = mkdtempSync(path.join(tmpdir(), 'nc-bench-boot-'))
const name = 'benchboot'
const env = {
  ...process.env,
  NIXOS_CONTAINER_CONFIG_DIR: path.join(dir, 'etc'),
  NIXOS_CONTAINER_STATE_DIR: path.join(dir, 'state'),
  NIXOS_CONTAINER_PROFILES_DIR: path.join(dir, 'profiles'),
  NIXOS_CONTAINER_GCROOTS_DIR: path.join(dir, 'gcroots'),
  NIXOS_CONTAINER_RUNTIME_DIR: path.join(dir, 'run'),
  NIXOS_CONTAINER_LOCK: path.join(dir, 'lock'),
  NIXOS_CONTAINER_DATA_DIR: path.join(dir, 'data'),
  NIXOS_CONTAINER_SETTINGS: path.join(dir, 'settings.json'),
  NIXOS_CONTAINER_SUPERVISOR: 'nspawn',
  NIX_PATH: `nixpkgs=${path.join(projectRoot, 'test/fixtures/nixpkgs')}`,
  NIX_CONFIG: 'substituters =',
}

function cliRun(args) {
  const result = spawnSync(process.execPath, [cli, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']})
  if (result.status !== 0) throw new Error(`nixos-container ${args.join(' ')} failed: ${result.stderr}`)
}

function timeCliStart() {
  const start = process.hrtime.bigint()
  cliRun(['start', name])
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  cliRun(['stop', name])
  return ms
}

/** systemd-nspawn alone, with the container's own command line less our gate, until READY=1. */
async function timeBareBoot(container) {
  const socketPath = path.join(dir, 'bare.notify')
  rmSync(socketPath, {force: true})
  const socket = new DgramSocket()
  socket.bind(socketPath)
  prepareRoot(container.paths, container.conf)
  const args = nspawnArguments({name: container.name, paths: container.paths, conf: container.conf, systemd: 'none'})
  const start = process.hrtime.bigint()
  const ready = new Promise((resolve) => socket.on('data', (data) => {
    if (/^READY=1$/m.test(data.toString())) resolve(Number(process.hrtime.bigint() - start) / 1e6)
  }))
  const child = spawnInCgroup(container.name, {}, () => spawn('systemd-nspawn', args, {
    stdio: 'ignore', env: {...process.env, NOTIFY_SOCKET: socketPath},
  }))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const ms = await Promise.race([ready, exited.then(() => {
    throw new Error('bare systemd-nspawn exited before READY=1')
  })])
  child.kill('SIGTERM')
  await exited
  socket.close()
  removeCgroups(container.name)
  return ms
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function timed(command, args) {
  const start = process.hrtime.bigint()
  const result = spawnSync(command, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** run NAME -- true, interleaved with Perl exec'ing the same nsenter and su (upstream's path). */
function compareRun() {
  cliRun(['start', name])
  try {
    const status = spawnSync(process.execPath, [cli, 'status', name, '--json'], {env, encoding: 'utf8'})
    const {leader} = JSON.parse(status.stdout)
    const upstreamPath = ['-e', 'exec @ARGV or die', '--', 'nsenter', '-t', String(leader), '-m', '-u', '-i', '-n', '-p', '--',
      '/run/current-system/sw/bin/su', 'root', '-l', '-c', "exec 'true'"]
    const samples = {cli: [], perl: []}
    timed('perl', upstreamPath) // warm
    for (let i = 0; i < runs * 3; i++) {
      samples.perl.push(timed('perl', upstreamPath))
      samples.cli.push(timed(process.execPath, [cli, 'run', name, '--', 'true']))
    }
    const ratio = median(samples.cli) / median(samples.perl)
    console.log(`run NAME -- true, perl + nsenter + su       median ${median(samples.perl).toFixed(1)} ms (${runs * 3} runs)`)
    console.log(`run NAME -- true, nixos-container run       median ${median(samples.cli).toFixed(1)} ms (${runs * 3} runs)`)
    console.log(`run ratio ${ratio.toFixed(2)}x (budget ${runBudget}x)`)
    if (ratio > runBudget) {
      console.error(`run is over budget: ${ratio.toFixed(2)}x > ${runBudget}x`)
      process.exitCode = 1
    }
  } finally {
    cliRun(['stop', name])
  }
}
try {
  cliRun(['create', name, '--host-address', '10.233.250.1', '--local-address', '10.233.250.2', '--config-file',
    path.join(projectRoot, 'test/fixtures/systemd-guest.nix')])
  const container = loadContainer(resolveHostPaths(env), name)
  timeCliStart() // warm the page cache
  await timeBareBoot(container)
  const samples = {cli: [], bare: []}
  for (let i = 0; i < runs; i++) {
    samples.bare.push(await timeBareBoot(container))
    samples.cli.push(timeCliStart())
  }
  const ratio = median(samples.cli) / median(samples.bare)
  console.log(`systemd guest, bare nspawn to READY=1   median ${median(samples.bare).toFixed(1)} ms (${runs} runs)`)
  console.log(`systemd guest, nixos-container start    median ${median(samples.cli).toFixed(1)} ms (${runs} runs)`)
  console.log(`start-to-ready ratio ${ratio.toFixed(2)}x (budget ${budget}x)`)
  if (ratio > budget) {
    console.error(`start is over budget: ${ratio.toFixed(2)}x > ${budget}x`)
    process.exitCode = 1
  }
  compareRun()
} finally {
  spawnSync(process.execPath, [cli, 'destroy', name], {env, stdio: 'ignore'})
  rmSync(dir, {recursive: true, force: true})
}
