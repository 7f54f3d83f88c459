// The suite's last word (a mocha root hook, required in test/system/.mocharc.json): the test helpers leave
// nothing behind. Every TestHost the loaded files made is cleaned up (also those whose suites a
// --grep skipped), then checked: no process of its containers (by /proc and by their cgroups),
// no ve-/vb- link of their names, no mount under its directory, and the directory itself gone.
import {execa} from 'execa'
import {existsSync} from 'node:fs'

import {mountsBelow} from '../../dist/lib/remove.js'
import {testHosts} from './host.ts'

async function linkExists(name: string): Promise<boolean> {
  return name.length <= 15 && (await execa('ip', ['link', 'show', name], {reject: false})).exitCode === 0
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000)
    const found: string[] = []
    for (const host of testHosts) {
      if (!host.cleanedUp) await host.cleanup()
      for (const mount of mountsBelow(host.dir)) found.push(`mount ${mount}`)
      if (existsSync(host.dir)) found.push(`directory ${host.dir}`)
      for (const name of host.names) {
        const processes = [...new Set([...host.processesOf(name), ...host.cgroupProcessesOf(name)])]
        if (processes.length > 0) found.push(`processes of container ${name}: ${processes.join(' ')}`)
        for (const link of [`ve-${name}`, `vb-${name}`]) if (await linkExists(link)) found.push(`link ${link}`)
      }
    }
    if (found.length > 0) throw new Error(`the tests left behind: ${found.join('; ')}`)
  },
}
