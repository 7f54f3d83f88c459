// An unknown command follows the error contract of every other error: one line
// "nixos-container: …" (or a JSON error document with --json) and exit status 1, instead of
// oclif's styled "Error: command X not found" and exit 2.
import type {Hook} from '@oclif/core'

import {type ErrorReport, printError} from '../lib/errors.js'

const hook: Hook.CommandNotFound = async function ({argv, id}) {
  const json = argv?.includes('--json') ?? false
  const report: ErrorReport = {message: `unknown command ‘${id}’ (${this.config.bin} --help lists the commands)`, code: 'invalid-argument', exitCode: 1}
  process.exitCode = report.exitCode
  printError(report, json)
}

export default hook
