// The renderers of the generated docs (src/docs): markdown blocks into the NixOS manual's chapter
// and the NixOS wiki's MediaWiki page. test/system/docs.test.ts checks the generated files themselves.
import assert from 'node:assert/strict'

import {parseBlocks} from '../../dist/docs/blocks.js'
import {renderManualChapter} from '../../dist/docs/manual.js'
import {renderWikiPage} from '../../dist/docs/mediawiki.js'

describe('the docs renderers', () => {
  it('the manual and wiki renderers: headings, code, lists, tables and links', () => {
    const markdown = [
      '## Networking', '', 'See **`logs` first** and *then* [Security](#security), or [the walkthrough](walkthrough.md).', '',
      '```sh', '# Start it', 'nixos-container start web', '```', '',
      '- one item', '  continued', '', '  ```text', '  a | b', '  ```', '',
      '- two', '', '| option | meaning |', '| --- | --- |', '| `--port [tcp:\\|udp:]N` | a \\| b |', '',
      '## Security', '', 'Text with `<nixpkgs/nixos>`.',
    ].join('\n')
    const chapter = {title: 'T', blocks: parseBlocks(markdown)}
    const manual = renderManualChapter(chapter)
    assert.match(manual, /^# Container Management \{#ch-containers\}$/m)
    assert.match(manual, /^## Networking \{#sec-container-networking\}$/m)
    assert.match(manual, /\[Security\]\(#sec-containers-security\), or the walkthrough\./)
    assert.match(manual, /^Start it:\n\n```ShellSession\n# nixos-container start web\n```$/m)
    assert.match(manual, /^- one item\n {2}continued\n\n {2}```text\n {2}a \| b\n {2}```\n- two$/m)
    assert.match(manual, /^\| `--port \[tcp:\\\|udp:\]N` \| a \\\| b \|$/m)
    const wiki = renderWikiPage(chapter)
    assert.match(wiki, /^== Networking ==$/m)
    assert.match(wiki, /See '''<code>logs<\/code> first''' and ''then'' \[\[#Security\|Security\]\], or the walkthrough\./)
    assert.match(wiki, /^<syntaxhighlight lang="bash">\n# Start it\nnixos-container start web\n<\/syntaxhighlight>$/m)
    assert.match(wiki, /^\* one item continued\n<syntaxhighlight lang="text">\na \| b\n<\/syntaxhighlight>\n\* two$/m)
    assert.match(wiki, /^\| <code><nowiki>--port \[tcp:&#124;udp:\]N<\/nowiki><\/code> \|\| a &#124; b$/m)
    assert.match(wiki, /Text with <code><nowiki><nixpkgs\/nixos><\/nowiki><\/code>\./)
  })
})
