// Where this install's command lives: bin/run.js, beside dist/. Units and other programs that must
// run the tool later are given this (or, better, a stable name on PATH that leads to it).
import {fileURLToPath} from 'node:url'

/** The absolute path of this install's bin/run.js. */
export const cliEntryPoint = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** The first argument by which container@.service asks bin/run.js to run one of its steps. */
export const unitStepCommand = '__container-unit'
