#!/usr/bin/env node
// Entry point. The current majors of @oclif/core, execa and listr2 need Node 22 or later; when an
// older system Node starts us and the project's own Node (the `node` package, installed by
// `npm install`) is present, hand over to it instead of failing half-way through an import.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(bundled) || process.env.NIXOS_CONTAINER_REEXEC) {
    process.stderr.write(`nixos-container: needs Node.js 22 or later (this is ${process.version})\n`)
    process.exit(1)
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: {...process.env, NIXOS_CONTAINER_REEXEC: '1'},
  })
  if (result.signal) process.kill(process.pid, result.signal)
  process.exit(result.status ?? 1)
}

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
