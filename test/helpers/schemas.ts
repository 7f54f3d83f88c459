// The published JSON Schemas of --json output (schemas/), loaded into ajv for the tests. ajv: the
// validator most JSON Schema users have (draft-07 as the schemas declare, strict mode, so a
// schema ajv would read loosely fails instead), with ajv-formats for their date-time fields.
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {Ajv, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'

import {projectRoot} from './host.ts'

// ajv-formats is CommonJS: its function is the default export's default.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

export const schemaDir = path.join(projectRoot, 'schemas')

/** The ids of the commands that take --json (from oclif's manifest of the build). */
export function commandsWithJson(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}
  return Object.entries(manifest.commands).filter(([, command]) => 'json' in command.flags).map(([id]) => id)
}

/** The schemas by name (schemas/list.json → list), compiled. */
export function loadSchemas(): Map<string, ValidateFunction> {
  const ajv = new Ajv({strict: true, allErrors: true})
  addFormats(ajv)
  return new Map(readdirSync(schemaDir).filter((f) => f.endsWith('.json'))
    .map((f) => [f.slice(0, -5), ajv.compile(JSON.parse(readFileSync(path.join(schemaDir, f), 'utf8')))]))
}

/** Throws, with ajv's own account of each problem and the document, unless DOCUMENT fits SCHEMA. */
export function assertFits(validate: ValidateFunction | undefined, document: unknown, what: string): void {
  if (!validate) throw new Error(`no schema for ${what}`)
  if (!validate(document)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
    throw new Error(`${what} does not fit its schema:\n  ${problems.join('\n  ')}\n${JSON.stringify(document, null, 2)}`)
  }
}
