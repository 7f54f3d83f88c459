// Writes the static completion scripts an install ships (npm: dist/completions/; the Nix package
// installs them under share/): the same text `nixos-container completion SHELL` prints.
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {completionScript} from '../dist/completion/scripts.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = 'nixos-container'
const out = path.join(root, 'dist/completions')
mkdirSync(out, {recursive: true})
writeFileSync(path.join(out, `${bin}.bash`), completionScript('bash', bin))
writeFileSync(path.join(out, `_${bin}`), completionScript('zsh', bin))
writeFileSync(path.join(out, `${bin}.fish`), completionScript('fish', bin))
