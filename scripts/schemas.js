// The JSON Schemas of the commands' --json output (schemas/COMMAND.json, published in the package),
// generated from the types in src/json-output.ts with ts-json-schema-generator: the type
// COMMANDOutput (PascalCase) gives schemas/COMMAND.json, ErrorOutput schemas/error.json. Generated,
// not written by hand, so a field added to a result type cannot be missing from its schema;
// test/unit/schemas.test.ts fails when the committed files differ. `npm run schemas` rewrites them.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {createGenerator} from 'ts-json-schema-generator'

export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const source = path.join(projectDir, 'src/json-output.ts')

const kebab = (pascal) => pascal.replace(/[A-Z]/g, (c, i) => (i === 0 ? '' : '-') + c.toLowerCase())

/** {'schemas/create.json': text, …} for every *Output type of src/json-output.ts. */
export function generateSchemas() {
  const names = [...readFileSync(source, 'utf8').matchAll(/^export (?:type|interface) (\w+)Output\b/gm)].map((m) => m[1])
  const generator = createGenerator({path: source, tsconfig: path.join(projectDir, 'tsconfig.json'), skipTypeCheck: true, additionalProperties: false,
    // Every type inlined: each file stands alone, and names that two modules share (StatusOutput) cannot clash.
    expose: 'none', topRef: false})
  const files = {}
  for (const name of names) {
    const id = kebab(name)
    const {$schema, definitions, ...schema} = generator.createSchema(`${name}Output`)
    const what = id === 'error' ? 'the error document of every command' : `the output of \`nixos-container ${id} --json\``
    files[`schemas/${id}.json`] = JSON.stringify({$schema, title: what, ...schema}, null, 2) + '\n'
  }
  return files
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, content] of Object.entries(generateSchemas())) {
    mkdirSync(path.dirname(path.join(projectDir, file)), {recursive: true})
    writeFileSync(path.join(projectDir, file), content)
    console.log(`wrote ${file}`)
  }
}
