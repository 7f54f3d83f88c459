// The completion scripts for bash, zsh and fish. Each only hands the words typed so far to
// `BIN __complete -- WORD…` and shows what it answers (complete.ts decides), so the three shells
// offer the same and need no update when commands, options or plugins change. The answer is a
// candidate a line (a TAB, then its description), then `:files`, `:nospace` or `:none`.

export const shells = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof shells)[number]

function bash(bin: string): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}`
  return `# bash completion for ${bin} (made by \`${bin} completion bash\`)
${fn}()
{
  local line="\${COMP_LINE:0:COMP_POINT}" cur out directive c breaks
  local -a words candidates
  # Split at blanks only, not at bash's other word breaks (: and =), so that NAME:PATH and
  # --host=web1 reach ${bin} whole.
  read -r -a words <<< "$line"
  [[ "$line" == *[[:blank:]] ]] && words+=("")
  cur="\${words[\${#words[@]}-1]}"
  out=$(${bin} __complete -- "\${words[@]:1}" 2>/dev/null) || return
  directive="\${out##*$'\\n'}"
  while IFS= read -r c; do
    [[ "$c" == :* || -z "$c" ]] && continue
    candidates+=("\${c%%$'\\t'*}")
  done <<< "$out"
  # bash replaces only what follows the word's last : or =.
  breaks="\${cur%"\${cur##*[:=]}"}"
  COMPREPLY=()
  for c in "\${candidates[@]}"; do
    COMPREPLY+=("\${c#"$breaks"}")
    [[ "$c" == *: ]] && compopt -o nospace 2>/dev/null
  done
  case "$directive" in
    :files)
      compopt -o filenames 2>/dev/null
      while IFS= read -r c; do COMPREPLY+=("$c"); done < <(compgen -f -- "\${cur#"$breaks"}")
      ;;
    :nospace) compopt -o nospace 2>/dev/null ;;
  esac
}
complete -F ${fn} ${bin}
`
}

function zsh(bin: string): string {
  const fn = `_${bin}`
  return `#compdef ${bin}
# zsh completion for ${bin} (made by \`${bin} completion zsh\`)
${fn}() {
  local -a lines described continued
  local line value directive
  lines=("\${(@f)$(${bin} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  directive=\${lines[-1]}
  for line in "\${(@)lines[1,-2]}"; do
    [[ -z $line ]] && continue
    value=\${line%%$'\\t'*}
    # NAME: (cp) is continued by a path: no space after it.
    if [[ $value == *: ]]; then continued+=("$value"); continue; fi
    if [[ $line == *$'\\t'* ]]; then described+=("\${value//:/\\\\:}:\${line#*$'\\t'}"); else described+=("\${value//:/\\\\:}"); fi
  done
  (( \${#continued} )) && compadd -S '' -- "\${continued[@]}"
  if (( \${#described} )); then
    if [[ $directive == :nospace ]]; then _describe -t values value described -S ''; else _describe -t values value described; fi
  fi
  [[ $directive == :files ]] && _files
  return 0
}
if [[ "\${funcstack[1]}" == "${fn}" ]]; then ${fn} "$@"; else compdef ${fn} ${bin}; fi
`
}

function fish(bin: string): string {
  const fn = `__${bin.replace(/[^A-Za-z0-9]/g, '_')}_complete`
  return `# fish completion for ${bin} (made by \`${bin} completion fish\`)
function ${fn}
    set -l words (commandline -opc) (commandline -ct)
    set -l lines (${bin} __complete -- $words[2..-1] 2>/dev/null)
    test (count $lines) -gt 0; or return
    set -l directive $lines[-1]
    set -e lines[-1]
    for line in $lines
        echo $line
    end
    if test "$directive" = ":files"
        __fish_complete_path (commandline -ct)
    end
end
complete -c ${bin} -f -a '(${fn})'
`
}

export function completionScript(shell: Shell, bin: string): string {
  return {bash, zsh, fish}[shell](bin)
}
