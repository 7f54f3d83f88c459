// The unit layer's one requirement (.mocharc.json requires this): the build its tests import
// (dist/, plugins/*/dist/). Say so up front instead of failing on the first import.
import {existsSync} from 'node:fs'

if (!['dist/api.js', 'plugins/supervisors/dist/nspawn-args.js', 'oclif.manifest.json'].every((file) => existsSync(file))) {
  process.stderr.write('test: no build here; run npm run build first\n')
  process.exit(1)
}
