// Command lines: taking some flags out before oclif (or the remote tool) sees the rest, and quoting
// arguments for a POSIX shell.

/**
 * Walks ARGV up to a `--` (which is kept, with all after it: a command's own arguments). TAKE is
 * shown each argument and those after it, and returns how many it consumed (0: the argument stays).
 */
export function takeFromArgv(argv: string[], take: (arg: string, next: string[]) => number): string[] {
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      rest.push(...argv.slice(i))
      break
    }
    const taken = take(argv[i], argv.slice(i + 1, i + 3))
    if (taken === 0) rest.push(argv[i])
    else i += taken - 1
  }
  return rest
}

/** ARG in single quotes for a POSIX shell, a ' inside as '\'' (upstream's quoting for `su -c`). */
export function singleQuoted(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`
}
