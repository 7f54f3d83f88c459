// What to offer on <TAB>, decided in one place for every shell (the scripts in scripts.ts only ask
// `nixos-container __complete WORD…` and show the answer, as cobra's and click's completions do).
// The words are the command line after the program's name up to the cursor, the last one the
// word being completed (empty at a fresh word). Options may stand before the command, as the
// command line takes them (hooks/command-not-found.ts), and an option's value is completed after
// it as `--host web1` or `--host=web1`.

/** What completion knows of an option: whether it takes a value, and what its values are. */
export interface OptionModel {
  name: string
  char?: string
  /** Takes a value (`--memory 1G`); --option and --override-input take two. */
  takesValue: boolean
  values: number
  multiple: boolean
  /** A fixed list of values (oclif's `options`). */
  options?: string[]
  summary?: string
}

export interface CommandModel {
  /** oclif's id: `plugins:install` for `plugins install`. */
  id: string
  summary?: string
  options: OptionModel[]
  /** The names of its positional arguments, in order. */
  args: string[]
  /** Its arguments after `--` are another command's (run). */
  passesRest: boolean
  /** One of the tool's own commands (not a plugin's: plugins install, help). */
  own: boolean
}

/** The shell's part: `files` also offers file names, `nospace` adds no space after the one candidate. */
export type Directive = 'none' | 'files' | 'nospace'

export interface Candidate {
  value: string
  description?: string
}

export interface Completion {
  candidates: Candidate[]
  directive: Directive
}

/** Where the values of the live kinds come from (the container names, the named hosts, …). */
export interface CompletionSources {
  containers(): string[]
  hosts(): string[]
  providers(kind: 'allocator' | 'builder' | 'supervisor'): string[]
  interfaces(): string[]
  bridges(): string[]
}

/** Kinds of values, by option name, that completion can offer. */
type ValueKind = 'files' | 'hosts' | 'interfaces' | 'bridges' | 'allocator' | 'builder' | 'supervisor' | 'capabilities' | 'none'

const valueKinds: Record<string, ValueKind> = {
  'config-file': 'files', 'system-path': 'files', 'nixos-path': 'files', flake: 'files', bind: 'files', 'bind-ro': 'files',
  host: 'hosts', 'build-host': 'hosts', bridge: 'bridges', 'port-bind': 'interfaces',
  allocator: 'allocator', builder: 'builder', supervisor: 'supervisor', capability: 'capabilities',
}

/** Fixed values of options whose flag does not list them for oclif. */
const fixedValues: Record<string, string[]> = {
  'private-users': ['pick', 'identity'],
  priority: ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'],
  'log-format': ['raw', 'internal-json', 'bar', 'bar-with-logs'],
}

/** Linux's capabilities, as systemd-nspawn's --capability takes them. */
const capabilities = ['CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ', 'CAP_AUDIT_WRITE', 'CAP_BLOCK_SUSPEND', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_KILL', 'CAP_LEASE',
  'CAP_LINUX_IMMUTABLE', 'CAP_MAC_ADMIN', 'CAP_MAC_OVERRIDE', 'CAP_MKNOD', 'CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST',
  'CAP_NET_RAW', 'CAP_PERFMON', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_CHROOT',
  'CAP_SYS_MODULE', 'CAP_SYS_NICE', 'CAP_SYS_PACCT', 'CAP_SYS_PTRACE', 'CAP_SYS_RAWIO', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_SYSLOG', 'CAP_WAKE_ALARM']

/** Commands whose first argument is an existing container (create's, and clone's second, are new names). */
const takesContainer = (command: CommandModel): boolean => command.args[0] === 'name' && command.id !== 'create'

const none: Completion = {candidates: [], directive: 'none'}

const startingWith = (prefix: string, values: Candidate[]): Candidate[] => values.filter((c) => c.value.startsWith(prefix))

function valuesOf(option: OptionModel, sources: CompletionSources): Completion {
  const fixed = option.options ?? fixedValues[option.name]
  if (fixed) return {candidates: fixed.map((value) => ({value})), directive: 'none'}
  const kind = valueKinds[option.name] ?? 'none'
  switch (kind) {
    case 'files': return {candidates: [], directive: 'files'}
    case 'hosts': return {candidates: ['localhost', ...sources.hosts()].map((value) => ({value})), directive: 'none'}
    case 'interfaces': return {candidates: sources.interfaces().map((value) => ({value})), directive: 'none'}
    case 'bridges': return {candidates: sources.bridges().map((value) => ({value})), directive: 'none'}
    case 'capabilities': return {candidates: capabilities.map((value) => ({value})), directive: 'none'}
    case 'allocator': case 'builder': case 'supervisor':
      return {candidates: sources.providers(kind).map((value) => ({value})), directive: 'none'}
    default: return none
  }
}

/** OPTION's model in COMMAND, by `--name` or `-c`; among all commands' options while there is no command yet. */
function findOption(word: string, options: OptionModel[]): OptionModel | undefined {
  const name = word.split('=')[0]
  return name.startsWith('--') ? options.find((o) => o.name === name.slice(2)) : options.find((o) => o.char !== undefined && o.char === name.slice(1))
}

/** The command whose id is the most of WORDS from index I on (`plugins install`). */
function longestCommand(commands: CommandModel[], words: string[], i: number): {command: CommandModel; length: number} | undefined {
  let found: {command: CommandModel; length: number} | undefined
  for (let length = 1; i + length <= words.length && !words[i + length - 1].startsWith('-'); length++) {
    const command = commands.find((c) => c.id === words.slice(i, i + length).join(':'))
    if (command) found = {command, length}
  }
  return found
}

/** Offers for WORDS (the last being completed) among COMMANDS (the visible ones). */
export function complete(commands: CommandModel[], words: string[], sources: CompletionSources): Completion {
  const current = words.at(-1) ?? ''
  const before = words.slice(0, -1)
  const everyOption = commands.flatMap((c) => c.options)
  let command: CommandModel | undefined
  const topic: string[] = []
  const positional: string[] = []
  let afterDashes = false
  for (let i = 0; i < before.length; i++) {
    const word = before[i]
    if (afterDashes) {
      positional.push(word)
      continue
    }
    if (word === '--') {
      afterDashes = true
      continue
    }
    if (word.startsWith('-') && word !== '-') {
      const option = findOption(word, command?.options ?? everyOption)
      if (option?.takesValue && !word.includes('=')) {
        const missing = before.length - 1 - i
        // The value (or the second value) is the word being completed.
        if (missing < option.values) return missing === 0 ? restricted(valuesOf(option, sources), current) : none
        i += option.values
      }
      continue
    }
    if (command === undefined) {
      const found = longestCommand(commands, before, i)
      if (found) {
        command = found.command
        i += found.length - 1
        continue
      }
      topic.push(word)
      continue
    }
    positional.push(word)
  }
  if (command === undefined) {
    // Before the command: the options every command has (--json, --host, …), or the commands.
    if (current.startsWith('-') && topic.length === 0) return optionsOf(commonOptions(commands), before, current, sources)
    return commandNames(commands, topic, current)
  }
  if (afterDashes) return command.passesRest ? none : positionalOf(command, positional.length, current, sources, commands)
  if (current.startsWith('-')) return optionsOf(command, before, current, sources)
  return positionalOf(command, positional.length, current, sources, commands)
}

/** CANDIDATES that go on from what has been typed of the word. */
function restricted(completion: Completion, current: string): Completion {
  return {...completion, candidates: startingWith(current, completion.candidates)}
}

function commandNames(commands: CommandModel[], topic: string[], current: string): Completion {
  const depth = topic.length
  const words = new Map<string, string | undefined>()
  for (const command of commands) {
    const parts = command.id.split(':')
    if (parts.length <= depth || parts.slice(0, depth).join(':') !== topic.join(':')) continue
    const word = parts[depth]
    // A topic's word describes its commands, not one of them.
    if (!words.has(word) || parts.length === depth + 1) words.set(word, parts.length === depth + 1 ? command.summary : words.get(word))
  }
  return restricted({candidates: [...words].map(([value, description]) => ({value, description})), directive: 'none'}, current)
}

function optionsOf(command: CommandModel, before: string[], current: string, sources: CompletionSources): Completion {
  // --name=VALUE: its values, whole (a shell shows the part after `=`).
  const equals = current.indexOf('=')
  if (current.startsWith('--') && equals > 0) {
    const option = findOption(current, command.options)
    if (!option?.takesValue) return none
    const values = valuesOf(option, sources)
    const prefix = current.slice(0, equals + 1)
    return {directive: values.directive === 'files' ? 'files' : 'none',
      candidates: startingWith(current, values.candidates.map((c) => ({...c, value: prefix + c.value})))}
  }
  const given = new Set(before.map((word) => findOption(word, command.options)?.name).filter(Boolean))
  const candidates = command.options.filter((o) => o.multiple || !given.has(o.name)).map((o) => ({value: `--${o.name}`, description: o.summary}))
  return restricted({candidates, directive: 'none'}, current)
}

/** The options every command takes, as a command of their own (the tool's global options). */
function commonOptions(commands: CommandModel[]): CommandModel {
  const [first, ...rest] = commands.filter((c) => c.own)
  const options = (first?.options ?? []).filter((o) => rest.every((c) => c.options.some((other) => other.name === o.name)))
  return {id: '', options, args: [], passesRest: false, own: true}
}

function positionalOf(command: CommandModel, index: number, current: string, sources: CompletionSources, commands: CommandModel[]): Completion {
  // A command that is also a topic (plugins; plugins install, …): its commands first.
  if (index === 0 && commands.some((c) => c.id.startsWith(`${command.id}:`))) return commandNames(commands, command.id.split(':'), current)
  if (command.id === 'cp') {
    // Each operand is NAME:PATH (in a container) or a host path.
    if (current.includes(':')) return none
    return {candidates: startingWith(current, sources.containers().map((name) => ({value: `${name}:`}))), directive: 'files'}
  }
  if (index === 0 && takesContainer(command)) return restricted({candidates: sources.containers().map((value) => ({value})), directive: 'none'}, current)
  return none
}

/**
 * The answer as `__complete` prints it: a candidate a line (TAB and its description where it
 * has one), then a line `:DIRECTIVE`.
 */
export function printed({candidates, directive}: Completion): string {
  // A candidate ending in ':' (cp's NAME:) is to be continued: no space after it.
  const final = directive === 'none' && candidates.length > 0 && candidates.every((c) => c.value.endsWith(':') || c.value.endsWith('=')) ? 'nospace' : directive
  const lines = candidates.map((c) => c.description ? `${c.value}\t${c.description.replace(/\s+/g, ' ')}` : c.value)
  return [...lines, `:${final}`].join('\n') + '\n'
}
