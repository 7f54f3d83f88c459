// Bundles the CLI (dist/cli.js, tsc's output) with @oclif/core into dist/cli.bundle.js: one file
// to read and compile instead of some 250, which halves every command's start-up (measured:
// importing @oclif/core alone takes ~90 ms from its 160 files and ~45 ms bundled). Left outside:
// what is loaded lazily or cannot be bundled (execa and listr2 are imported only by the commands
// that need them; node-unix-socket is a native addon; oclif's own plugins bring their own oclif;
// TypeScript loaders are never used, since plugins run as the JavaScript they ship).
// bench/startup.js bundles its bare oclif CLI (the framework's floor) with the same options.
import {build} from 'esbuild'
import {pathToFileURL} from 'node:url'

export const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['execa', 'listr2', 'node-unix-socket', '@oclif/plugin-*', '@nixos-container/*', 'typescript', 'ts-node', 'tsx'],
  // oclif is CommonJS: its require() calls of Node's modules need a real require in an ES module.
  banner: {js: "import {createRequire as __bundleRequire} from 'node:module'; const require = __bundleRequire(import.meta.url);"},
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await build({...bundleOptions, entryPoints: ['dist/cli.js'], outfile: 'dist/cli.bundle.js'})
}
