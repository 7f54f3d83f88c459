// npm run docs: writes man/nixos-container.8 and README's generated sections (after npm run build).
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {generateDocs} from '../dist/docs/generate.js'

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
for (const [file, content] of Object.entries(generateDocs(projectDir).files)) {
  mkdirSync(path.dirname(path.join(projectDir, file)), {recursive: true})
  writeFileSync(path.join(projectDir, file), content)
  console.log(`wrote ${file}`)
}
