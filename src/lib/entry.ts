// Where this install lives. Our modules run from dist/, either as tsc wrote them (dist/lib/…, as the
// tests and container@.service's helper load them) or bundled into dist/cli.bundle.js (the CLI, see
// scripts/bundle.js), so paths are found from the nearest dist/ above the running module, never
// by a fixed number of '..'. Units and other programs that must run the tool later are given
// cliEntryPoint (or, better, a stable name on PATH that leads to it).
import path from 'node:path'
import {fileURLToPath} from 'node:url'

function findPackageRoot(from: string): string {
  for (let dir = path.dirname(from); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (path.basename(dir) === 'dist') return path.dirname(dir)
  }
  throw new Error(`nixos-container: ${from} is not inside a dist directory`)
}

/** This install's package root: the directory holding package.json, bin/ and dist/. */
export const packageRoot = findPackageRoot(fileURLToPath(import.meta.url))

/** The absolute path of this install's bin/run.js. */
export const cliEntryPoint = path.join(packageRoot, 'bin/run.js')

/** The first argument by which container@.service asks bin/run.js to run one of its steps. */
export const unitStepCommand = '__container-unit'
