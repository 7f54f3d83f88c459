#!/usr/bin/env node
// Entry point. It runs under the host's own Node from 20.5 on (execa 9's floor; Debian 12 has 20):
// an installed CLI never depends on a development Node. An older Node gets one line saying so.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 5)) {
  process.stderr.write(`nixos-container: needs Node.js 20.5 or later (this is ${process.version})\n`)
  process.exit(1)
}

// Output to a closed pipe (`nixos-container list | head -1`) ends the command quietly, as coreutils
// do; stderr closing early must not turn into a crash either.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})
process.stderr.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error
})

// Run by --host over ssh with no data on stdin (src/lib/remote.ts execTool): this fd is the
// connection, held open by the other side and never written. Its end means the connection was
// dropped or the command interrupted there: a hang-up, so unfinished work is undone (lib/signals.ts).
const hangUpFd = process.env.NIXOS_CONTAINER_HANGUP_FD
if (hangUpFd) {
  delete process.env.NIXOS_CONTAINER_HANGUP_FD
  const {Socket} = await import('node:net')
  const connection = new Socket({fd: Number(hangUpFd), readable: true, writable: false})
  connection.on('data', () => {}).on('error', () => {}).once('end', () => process.kill(process.pid, 'SIGHUP'))
  connection.unref()
}

// Cache compiled bytecode between runs: every command starts faster (NODE_DISABLE_COMPILE_CACHE=1 turns it off).
const {enableCompileCache} = await import('node:module')
enableCompileCache?.()

const argv = process.argv.slice(2)
// `--version` is what --host asks the remote tool first: printed as oclif prints it, without loading oclif.
if (argv.length === 1 && argv[0] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
  process.exit(0)
}
if (argv[0] === '__container-unit') {
  // container@.service's steps (plugins/supervisors/src/unit-helper.ts): not a user command, run by
  // systemd through this stable entry point (see container-unit.ts), without oclif's start-up cost.
  await (await import('@nixos-container/supervisors/dist/unit-helper.js')).runUnitStep(argv.slice(1))
} else {
  // Every command goes through oclif, from the bundled build (scripts/bundle.js). oclif checks
  // its own engines range as it loads (semver, ~8 ms of every start); the check above covers it.
  process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
  const {execute, settings} = await import('../dist/cli.bundle.js')
  delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  // Plugins, linked ones included, run as the JavaScript they ship: never transpiled on the fly.
  settings.enableAutoTranspile = false
  await execute({dir: import.meta.url})
}
