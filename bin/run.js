#!/usr/bin/env node
// Entry point. The current majors of @oclif/core, execa and listr2 need Node 22 or later; when an
// older system Node starts us and the project's own Node (the `node` package, installed by
// `npm install`) is present, hand over to it instead of failing half-way through an import.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(bundled) || process.env.NIXOS_CONTAINER_REEXEC) {
    process.stderr.write(`nixos-container: needs Node.js 22 or later (this is ${process.version})\n`)
    process.exit(1)
  }
  const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: {...process.env, NIXOS_CONTAINER_REEXEC: '1'},
  })
  // Signals sent to this pid are the command's: pass them on and wait (a `run` must not be left
  // running in the container because its wrapper was killed).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(signal, () => child.kill(signal))
  const [code, signal] = await new Promise((resolve) => child.once('exit', (...result) => resolve(result)))
  if (signal) {
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  }
  process.exit(code ?? 1)
}

// Output to a closed pipe (`nixos-container list | head -1`) ends the command quietly, as coreutils
// do, on the quick path and oclif's alike; stderr closing early must not turn into a crash either.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})
process.stderr.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error
})

// Cache compiled bytecode of our modules and oclif's between runs: quick commands start several
// times faster (NODE_DISABLE_COMPILE_CACHE=1 turns it off).
const {enableCompileCache} = await import('node:module')
enableCompileCache?.()

const argv = process.argv.slice(2)
// container@.service's steps (plugins/supervisors/src/unit-helper.ts): not a user command, run by
// systemd through this stable entry point (see container-unit.ts), without oclif's start-up cost.
// `--version` is what --host asks the remote tool first: printed as oclif prints it, without loading oclif.
if (argv.length === 1 && argv[0] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
  process.exit(0)
}
const unitStep = argv[0] === '__container-unit'
if (unitStep) await (await import('@nixos-container/supervisors/dist/unit-helper.js')).runUnitStep(argv.slice(1))
// list, status and show-ip skip oclif's start-up cost when called plainly (see src/quick.ts).
const quick = !unitStep && ['list', 'status', 'show-ip'].includes(argv[0]) && (await (await import('../dist/quick.js')).runQuick(argv))
if (!unitStep && !quick) {
  const {execute, settings} = await import('@oclif/core')
  // Plugins, linked ones included, run as the JavaScript they ship: never transpiled on the fly.
  settings.enableAutoTranspile = false
  await execute({dir: import.meta.url})
}
