// The docs are generated from the command classes and must not drift from them: the committed
// man page and README are exactly what `npm run docs` makes now, the man page renders without a
// warning, every --help has a summary, description and examples, and every nixos-container
// command line in the docs names a real command with real flags. The manual chapter and wiki page
// document every command; links between the docs resolve; the prose passes markdownlint and cspell.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import {githubSlug} from '../../dist/docs/blocks.js'
import {loadChapter, referencedCommands} from '../../dist/docs/chapter.js'
import {loadCommands} from '../../dist/docs/commands.js'
import {generateDocs} from '../../dist/docs/generate.js'
import {projectRoot, TestHost} from '../helpers/host.ts'
import {parseSteps, walkthroughCommands} from '../helpers/walkthrough.ts'

const commands = loadCommands(path.join(projectRoot, 'oclif.manifest.json'))
const manPage = path.join(projectRoot, 'man/nixos-container.8')
/** Ours and those of the oclif plugin we ship (plugins …), which the docs use too. */
const everyCommand = [
  ...commands,
  ...['@oclif/plugin-plugins'].flatMap((p) => loadCommands(path.join(projectRoot, 'node_modules', p, 'oclif.manifest.json'))),
]

/** Shell command lines in ```sh blocks of a markdown file. */
function shellLines(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1])
  return blocks.flatMap((block) => block.split('\n')).filter((line) => line.trim() && !line.trim().startsWith('#'))
}

const operators = new Set(['|', '||', '&&', ';', '>>', '>'])
const twoValueFlags = new Set(['option', 'override-input'])

/** Why a `nixos-container …` invocation (tokens after the program name) would be refused, if it would. */
function problem(tokens: string[], argsFromXargs = false): string | undefined {
  // Topics are separated by spaces: "plugins link DIR" is the command plugins:link.
  const words = [3, 2, 1].find((n) => everyCommand.some((c) => c.id === tokens.slice(0, n).join(':'))) ?? 1
  const id = tokens.slice(0, words).join(':')
  const rest = tokens.slice(words)
  const command = everyCommand.find((c) => c.id === id)
  if (!command) return `no command ‘${id}’`
  let positional = 0
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]
    if (token === '--') break
    if (!token.startsWith('--')) {
      positional++
      continue
    }
    const name = token.slice(2).split('=')[0]
    // --no-install: the negation of a boolean flag.
    const flag = command.flags.find((f) => f.name === name || (!f.value && `no-${f.name}` === name))
    if (!flag) return `${id} has no --${name}`
    if (flag.value && !token.includes('=')) i += twoValueFlags.has(name) ? 2 : 1
  }
  const required = command.args.filter((a) => a.required).length
  if (positional < required && !argsFromXargs) return `${id} needs ${command.args.map((a) => a.name).join(' ')}`
  return undefined
}

interface Invocation {
  tokens: string[]
  /** Run by xargs, which appends the arguments. */
  viaXargs: boolean
}

/** Every invocation of the tool on a line (where it stands as the command), including inside $( … ). */
function invocations(line: string): Invocation[] {
  const found: Invocation[] = []
  for (const inner of line.matchAll(/\$\(([^()]*)\)/g)) found.push(...invocations(inner[1]))
  const tokens = line.replace(/\$\([^()]*\)/g, 'X').match(/'[^']*'|"(?:[^"\\]|\\.)*"|[^\s]+/g) ?? []
  let segmentStart = 0
  tokens.forEach((token, i) => {
    if (operators.has(token)) segmentStart = i + 1
    if (token !== 'nixos-container') return
    const viaXargs = tokens.slice(segmentStart, i).includes('xargs')
    if (i !== segmentStart && !viaXargs) return
    const end = tokens.findIndex((t, j) => j > i && operators.has(t))
    found.push({tokens: tokens.slice(i + 1, end === -1 ? undefined : end), viaXargs})
  })
  return found
}

describe('documentation', () => {
  it('the man page, README, manual chapter and wiki page are exactly what `npm run docs` makes', () => {
    const {files} = generateDocs(projectRoot, {})
    for (const [file, content] of Object.entries(files)) {
      assert.ok(readFileSync(path.join(projectRoot, file), 'utf8') === content, `${file} is out of date: run npm run docs`)
    }
  })

  it('SOURCE_DATE_EPOCH sets the man page date', () => {
    const {files} = generateDocs(projectRoot, {SOURCE_DATE_EPOCH: '1700000000'})
    assert.match(files['man/nixos-container.8'], /^\.TH NIXOS\\-CONTAINER 8 "2023-11-14"/m)
  })

  it('the man page renders with man -l, without a warning, with every section and command', async () => {
    const {stdout, stderr} = await execa('man', ['-P', 'cat', '-l', manPage], {env: {MANWIDTH: '80', LANG: 'C.UTF-8'}})
    assert.equal(stderr, '')
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'ENVIRONMENT', 'FILES', 'EXIT STATUS', 'EXAMPLES', 'SEE ALSO']) {
      assert.match(stdout, new RegExp(`^${section}$`, 'm'), section)
    }
    for (const command of commands) assert.match(stdout, new RegExp(`^ {3}${command.id}( |$)`, 'm'), command.id)
    assert.match(stdout, /systemd-nspawn\(1\), machinectl\(1\), nix-env\(1\)/)
  })

  it('every command has a summary, a description and examples in --help', async () => {
    const host = new TestHost('docs')
    try {
      for (const command of commands) {
        assert.ok(command.summary && command.description && command.examples.length > 0, command.id)
        const {stdout} = await host.ok([command.id, '--help'])
        assert.ok(stdout.includes(command.summary), `${command.id} --help shows its summary`)
        assert.match(stdout, /^DESCRIPTION$/m)
        assert.match(stdout, /^EXAMPLES$/m)
        assert.ok(stdout.includes(command.examples[0].command), `${command.id} --help shows its examples`)
      }
    } finally {
      await host.cleanup()
    }
  })

  it('every nixos-container command line in the docs and examples names a real command with its flags', () => {
    const sources: [string, string[]][] = [
      ['README.md', shellLines(readFileSync(path.join(projectRoot, 'README.md'), 'utf8'))],
      ...readdirSync(path.join(projectRoot, 'docs')).filter((f) => f.endsWith('.md'))
        .map((f): [string, string[]] => [`docs/${f}`, shellLines(readFileSync(path.join(projectRoot, 'docs', f), 'utf8'))]),
      ['--help examples', commands.flatMap((c) => c.examples.map((e) => e.command))],
    ]
    let checked = 0
    for (const [source, lines] of sources) {
      for (const line of lines) {
        for (const {tokens, viaXargs} of invocations(line)) {
          checked++
          const why = problem(tokens, viaXargs)
          assert.equal(why, undefined, `${source}: ${line}\n  ${why}`)
        }
      }
    }
    assert.ok(checked > 50, `only ${checked} command lines found`)
  })

  it('the manual chapter shows every command at work', () => {
    const chapter = readFileSync(path.join(projectRoot, 'docs/containers.md'), 'utf8')
    const used = new Set(shellLines(chapter).flatMap(invocations).map(({tokens}) => tokens[0]))
    assert.deepEqual(commands.map((c) => c.id).filter((id) => !used.has(id)), [])
  })

  it('the manual chapter and the wiki page document every command', () => {
    const {files} = generateDocs(projectRoot, {})
    const ids = commands.map((c) => c.id)
    assert.deepEqual(referencedCommands(loadChapter(projectRoot, commands)), ids)
    for (const id of ids) {
      assert.match(files['docs/manual/containers.chapter.md'], new RegExp(`^### \`nixos-container ${id}\\b.*\\{#sec-nixos-container-${id}\\}$`, 'm'), `manual: ${id}`)
      assert.match(files['docs/wiki/NixOS_Containers.mediawiki'], new RegExp(`^=== <code>(?:<nowiki>)?nixos-container ${id}\\b.*===$`, 'm'), `wiki: ${id}`)
    }
  })

  it('the manual chapter: every heading has an anchor of its own, and every link to one resolves', () => {
    const chapter = readFileSync(path.join(projectRoot, 'docs/manual/containers.chapter.md'), 'utf8')
    const headings = withoutCode(chapter).split('\n').filter((line) => /^#{1,6} /.test(line))
    const ids = headings.map((h) => /\{#([\w-]+)\}$/.exec(h)?.[1])
    assert.deepEqual(headings.filter((_, i) => !ids[i]), [], 'headings without an anchor')
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'anchors used twice')
    assert.ok(ids.includes('ch-containers') && ids.includes('sec-imperative-containers') && ids.includes('sec-declarative-containers') && ids.includes('sec-container-networking'))
    const broken = [...withoutCode(chapter).matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]).filter((id) => !ids.includes(id))
    assert.deepEqual(broken, [])
  })

  it('the wiki page: every link within the page names one of its sections', () => {
    const wiki = readFileSync(path.join(projectRoot, 'docs/wiki/NixOS_Containers.mediawiki'), 'utf8')
    const sections = new Set([...wiki.matchAll(/^=+ (.*?) =+$/gm)].map((m) => m[1].replace(/<\/?(code|nowiki)>/g, '')))
    const links = [...wiki.matchAll(/\[\[#([^|\]]+)/g)].map((m) => m[1])
    assert.ok(links.length > 0)
    assert.deepEqual(links.filter((l) => !sections.has(l)), [])
  })

  it('the walkthrough shows the commands it is about at work', () => {
    const steps = parseSteps(readFileSync(path.join(projectRoot, 'docs/walkthrough.md'), 'utf8')).filter((s) => s.kind === 'run')
    const used = new Set(steps.flatMap((s) => [...s.code.matchAll(/(?:^|\$\()\s*nixos-container ([a-z-]+)/gm)].map((m) => m[1])))
    assert.deepEqual(walkthroughCommands.filter((c) => !commands.some((d) => d.id === c)), [], 'the list names real commands')
    assert.deepEqual(walkthroughCommands.filter((c) => !used.has(c)), [])
  })

  it('links between the docs resolve, to the file and to the heading', () => {
    const broken: string[] = []
    for (const file of markdownFiles()) {
      const text = withoutCode(readFileSync(path.join(projectRoot, file), 'utf8'))
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?|mailto):/.test(target)) continue
        const [ref, fragment] = target.split('#')
        const linked = ref ? path.join(projectRoot, path.dirname(file), ref) : path.join(projectRoot, file)
        if (!existsSync(linked)) broken.push(`${file}: ${target} (no such file)`)
        else if (fragment !== undefined && linked.endsWith('.md') && !anchorsOf(readFileSync(linked, 'utf8')).has(fragment)) broken.push(`${file}: ${target} (no such heading)`)
      }
    }
    assert.deepEqual(broken, [])
  })

  it('the prose passes the style check (markdownlint) and the spell check (cspell, with cspell.json\'s word list)', async function () {
    this.timeout(120_000)
    const lint = await execa('npm', ['run', '--silent', 'lint:docs'], {cwd: projectRoot, reject: false, all: true})
    assert.equal(lint.exitCode, 0, lint.all)
  })
})

/** Markdown with its fenced and inline code blanked out: links and headings there are not links or headings. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^( *)```[\s\S]*?^\1```/gm, '').replace(/`[^`\n]*`/g, '``')
}

/** The anchors a Markdown file offers: GitHub's for its headings, and explicit {#id}s. */
function anchorsOf(markdown: string): Set<string> {
  const result = new Set<string>()
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6} (.*)$/gm)) {
    const explicit = /\{#([\w-]+)\}$/.exec(heading)
    result.add(explicit ? explicit[1] : githubSlug(heading))
  }
  return result
}

/** The project's Markdown files (not node_modules), relative to the project. */
function markdownFiles(dir = ''): string[] {
  return readdirSync(path.join(projectRoot, dir)).flatMap((entry) => {
    const relative = path.join(dir, entry)
    if (['node_modules', '.git', 'dist'].includes(entry)) return []
    if (statSync(path.join(projectRoot, relative)).isDirectory()) return markdownFiles(relative)
    return entry.endsWith('.md') ? [relative] : []
  })
}
