// docs/walkthrough.md as test/system/walkthrough.test.ts runs it: its steps, and the output as the page
// shows it. Also used by test/system/docs.test.ts, which checks what the page covers without running it.

/** The commands the walkthrough must show at work (the list); a test below checks. */
export const walkthroughCommands = ['create', 'start', 'status', 'show-ip', 'update', 'generations', 'rollback', 'set', 'logs', 'cp', 'stop', 'clone', 'reset', 'destroy', 'list']

export interface Step {
  kind: 'file' | 'run'
  /** For file steps, the file name; for run steps, 'host' or 'client'. */
  target: string
  code: string
  /** Offsets of the step's code block in the page (from its opening fence to after its closing one). */
  end: number
  /** The ```text block right after a run step: its text and its offsets, if there is one. */
  output?: {text: string; start: number; end: number}
}

const fence = /^```(\w*)\n([\s\S]*?)^```[ \t]*\n/gm

/** The page's steps, in order. */
export function parseSteps(markdown: string): Step[] {
  const blocks = [...markdown.matchAll(fence)].map((m) => ({lang: m[1], code: m[2], start: m.index, end: m.index + m[0].length}))
  const steps: Step[] = []
  blocks.forEach((block, i) => {
    const before = markdown.slice(i > 0 ? blocks[i - 1].end : 0, block.start).trimEnd()
    const marker = /<!-- walkthrough: (\w+)(?: (\S+))? -->$/.exec(before)
    if (marker?.[1] === 'file') {
      steps.push({kind: 'file', target: marker[2], code: block.code, end: block.end})
      return
    }
    if (block.lang !== 'sh') return
    const next = blocks[i + 1]
    const output = next && next.lang === 'text' && markdown.slice(block.end, next.start).trim() === ''
      ? {text: next.code, start: block.end, end: next.end}
      : undefined
    steps.push({kind: 'run', target: marker?.[1] === 'client' ? 'client' : 'host', code: block.code, end: block.end, output})
  })
  return steps
}

/** What differs from run to run: store hashes and dates. Applied to the page's text and to what ran. */
export function normalise(text: string): string {
  return text
    .replace(/\/nix\/store\/[0-9a-df-np-sv-z]{32}-/g, '/nix/store/HASH-')
    .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/g, 'DATE')
    .replace(/[ \t]+$/gm, '')
}

/** Output as a terminal keeps it: progress lines that only show while a step runs dropped. */
export function terminalOutput(raw: string): string {
  return raw.split('\n').filter((line) => !/^[❯›] /.test(line)).join('\n')
}

/** The page with each run step's output block replaced by OUTPUTS (one per run step, in order). */
export function withOutputs(markdown: string, steps: Step[], outputs: string[]): string {
  const runs = steps.filter((s) => s.kind === 'run')
  let result = ''
  let at = 0
  runs.forEach((step, i) => {
    result += markdown.slice(at, step.end)
    at = step.output ? step.output.end : step.end
    const text = outputs[i]
    if (text.trim() !== '') result += `\n\`\`\`text\n${text.replace(/\n*$/, '\n')}\`\`\`\n`
  })
  return result + markdown.slice(at)
}
