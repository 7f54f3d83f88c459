// The system layer's first step (test/system/.mocharc.json requires it): those tests need root,
// Nix, systemd-nspawn and a tmpfs on /run/systemd/nspawn (see .ci/run). Say which one is missing
// up front instead of failing deep inside a test. The unit layer needs none of them.
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const missing: string[] = []
if (process.getuid?.() !== 0) missing.push('root')
for (const tool of ['nix-env', 'nix', 'systemd-nspawn', 'nsenter', 'ip', 'flock', '/bin/busybox']) {
  try {
    if (tool.startsWith('/')) {
      if (!existsSync(tool)) throw new Error()
    } else execFileSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'})
  } catch {
    missing.push(tool)
  }
}
try {
  execFileSync('mountpoint', ['-q', '/run/systemd/nspawn'])
} catch {
  missing.push('a tmpfs on /run/systemd/nspawn')
}
if (!existsSync('dist/commands')) missing.push('a build (npm run build)')
if (missing.length > 0) {
  process.stderr.write(`test preflight: missing ${missing.join(', ')}; run .ci/run or install them first\n`)
  process.exit(1)
}
