// The JSON Schemas published for --json (schemas/): what `npm run schemas` makes from the result
// types (src/json-output.ts), valid for a strict validator, one for every command, and as strict
// as a script author needs (test/system/json-output.test.ts checks real output against them).
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {generateSchemas} from '../../scripts/schemas.js'
import {projectRoot} from '../helpers/host.ts'
import {assertFits, commandsWithJson, loadSchemas, schemaDir} from '../helpers/schemas.ts'

/** Interactive commands: their --json always gives the error document. */
const noJsonOutput = ['login', 'root-login']

describe('the JSON Schemas of --json output', function () {
  // Generating reads the TypeScript sources: a few seconds.
  this.timeout(60_000)
  const schemas = loadSchemas()

  it('are exactly what `npm run schemas` makes from the result types', () => {
    const generated = generateSchemas()
    const committed = readdirSync(schemaDir).map((f) => `schemas/${f}`).sort()
    assert.deepEqual(committed, Object.keys(generated).sort(), 'run npm run schemas')
    for (const [file, content] of Object.entries(generated)) {
      assert.ok(readFileSync(path.join(projectRoot, file), 'utf8') === content, `${file} is out of date: run npm run schemas`)
    }
  })

  it('exist for every command that has --json, and for the error document', () => {
    const withJson = commandsWithJson()
    assert.ok(withJson.length > 15)
    assert.deepEqual(withJson.filter((id) => !schemas.has(id) && !noJsonOutput.includes(id)), [])
    assert.ok(schemas.has('error'))
  })

  it('are published in the package and reachable as nixos-container/schemas/COMMAND.json', () => {
    const pjson = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {files: string[]; exports: Record<string, string>}
    assert.ok(pjson.files.includes('schemas'))
    assert.equal(pjson.exports['./schemas/*'], './schemas/*')
  })

  it('hold a script author to what is promised: required fields, no unknown ones, the right types', () => {
    assertFits(schemas.get('show-ip'), {name: 'web', ip: '10.233.1.2'}, 'show-ip')
    assert.equal(schemas.get('show-ip')?.({name: 'web'}), false, 'ip is required')
    assert.equal(schemas.get('show-ip')?.({name: 'web', ip: '10.233.1.2', extra: 1}), false, 'no field the type does not have')
    assert.equal(schemas.get('generations')?.([{number: 1, date: 'yesterday', systemPath: '/nix/store/x', current: true}]), false, 'dates are ISO 8601')
    assertFits(schemas.get('error'), {error: {message: 'container ‘web’ does not exist', exitCode: 1, code: 'not-found'}}, 'error')
    assert.equal(schemas.get('error')?.({error: {message: 'x'}}), false, 'exitCode is required')
    assertFits(schemas.get('logs'), {source: 'console', message: 'Welcome'}, 'a console line of logs')
    assertFits(schemas.get('logs'), {MESSAGE: 'Started', _PID: '1', MESSAGE_BINARY: [104, 105]}, 'a journal line of logs')
  })
})
