// Shell completion comes from @oclif/plugin-autocomplete, which completes commands and options.
// After it has written its bash and zsh functions (`autocomplete`, and again after every plugin
// install), this adds container names for the commands that take one, and NAME: for cp's
// operands, asking `nixos-container list` at completion time so the names are always current.
import type {Command, Hook, Interfaces} from '@oclif/core'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

const marker = '# Container names for the commands that take one (added by nixos-container).'

/** Commands whose first argument is an existing container (create takes a new name). */
function nameCommands(config: Interfaces.Config): string[] {
  return config.commands.filter((c) => c.args?.name && c.id !== 'create').map((c) => c.id).sort()
}

/** Options that take a value, whose next word is that value and not a name. */
function valueOptions(config: Interfaces.Config): string[] {
  const names = config.commands.flatMap((c: Command.Loadable) => Object.values(c.flags ?? {}).filter((f) => f.type === 'option').map((f) => `--${f.name}`))
  return [...new Set(names)].sort()
}

function bashLayer(bin: string, commands: string[], options: string[]): string {
  const fn = `_${bin.replaceAll('-', '_')}_complete_names`
  return `
${marker}
${fn}()
{
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" i word named=0
  local commands=" ${commands.join(' ')} " options=" ${options.join(' ')} "
  # cp: each operand may be NAME:/PATH; offer NAME: (without a space after it), else files.
  if [[ $COMP_CWORD -ge 2 && "\${COMP_WORDS[1]}" == cp && "$cur" != -* && "$cur" != */* && "$options" != *" $prev "* ]]; then
    COMPREPLY=($(compgen -W "$(${bin} list 2>/dev/null | sed 's/$/:/')" -- "$cur"))
    if [[ \${#COMPREPLY[@]} -gt 0 ]]; then compopt -o nospace 2>/dev/null; return; fi
  fi
  if [[ $COMP_CWORD -ge 2 && "$cur" != -* && "$commands" == *" \${COMP_WORDS[1]} "* && "$options" != *" $prev "* ]]; then
    for ((i = 2; i < COMP_CWORD; i++)); do
      word="\${COMP_WORDS[i]}"
      [[ "$word" == -- ]] && named=1 && break
      [[ "$word" == -* || "$options" == *" \${COMP_WORDS[i-1]} "* ]] && continue
      named=1
    done
    if [[ $named -eq 0 ]]; then
      COMPREPLY=($(compgen -W "$(${bin} list 2>/dev/null)" -- "$cur"))
      return
    fi
  fi
  _${bin}_autocomplete
}
complete -F ${fn} ${bin}
`
}

function zshLayer(bin: string, text: string, commands: string[]): string {
  const names = `_${bin}_container_names`
  const operands = `_${bin}_copy_operands`
  const section = (id: string): RegExp => new RegExp(`(^${id.replace(/[-:]/g, '\\$&')}\\)\\n_arguments -S \\\\\\n[\\s\\S]*?)"\\*: :_files" ;;`, 'm')
  let out = text
  for (const id of commands) out = out.replace(section(id), `$1"1: :${names}" "*: :_files" ;;`)
  out = out.replace(section('cp'), `$1"*: :${operands}" ;;`)
  const definition = `${marker}
${names}() {
  local -a containers
  containers=(\${(f)"$(${bin} list 2>/dev/null)"})
  _describe -t containers 'container' containers
}
${operands}() {
  local -a containers
  containers=(\${(f)"$(${bin} list 2>/dev/null)"})
  _alternative "containers:container:compadd -S : -a containers" 'files:file:_files'
}
`
  // Defined before the last line, which calls the completion function.
  return out.replace(new RegExp(`\\n_${bin}\\n?$`), `\n${definition}\n_${bin}\n`)
}

export function addContainerNames(config: Interfaces.Config): void {
  const functions = path.join(config.cacheDir, 'autocomplete', 'functions')
  const bash = path.join(functions, 'bash', `${config.bin}.bash`)
  const zsh = path.join(functions, 'zsh', `_${config.bin}`)
  const commands = nameCommands(config)
  if (existsSync(bash) && !readFileSync(bash, 'utf8').includes(marker)) {
    writeFileSync(bash, readFileSync(bash, 'utf8') + bashLayer(config.bin, commands, valueOptions(config)))
  }
  if (existsSync(zsh) && !readFileSync(zsh, 'utf8').includes(marker)) {
    writeFileSync(zsh, zshLayer(config.bin, readFileSync(zsh, 'utf8'), commands))
  }
}

const completeContainerNames: Hook<'postrun'> = async function ({Command, config}) {
  if (Command.id === 'autocomplete' || Command.id === 'autocomplete:create') addContainerNames(config)
}
export default completeContainerNames
