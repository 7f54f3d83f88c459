// Small pieces of the supervisors and of running commands in a container: the sd_notify
// datagram, the console tail shown when a boot fails, the exit status of a killed session, the
// generation a rollback goes to, and the console log command.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {consoleTail} from '../../plugins/supervisors/dist/boot.js'
import {parseNotifyMessage} from '../../plugins/supervisors/dist/notify-socket.js'
import {signalExitStatus} from '../../dist/operations/interactive.js'
import {consoleCommand} from '../../dist/operations/logs.js'
import {rollbackTarget} from '../../dist/lib/generations.js'

describe('the sd_notify message', () => {
  it('is read as KEY=VALUE lines; values may hold "="; other lines are ignored', () => {
    assert.deepEqual(parseNotifyMessage('READY=1\nSTATUS=Startup finished, a=b\n\nnoise'), new Map([['READY', '1'], ['STATUS', 'Startup finished, a=b']]))
  })
})

describe('the console tail of a failed boot', () => {
  it('gives the last lines without colours, carriage returns or nspawn\'s own banner, joined in one line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nc-unit-console-'))
    try {
      const log = path.join(dir, 'web.log')
      writeFileSync(log, 'Spawning container web on /x.\nPress ^] three times within 1s to kill container.\n\x1b[0;1;31mstage 1\x1b[0m\r\nstage 2\nkernel panic\n')
      assert.equal(consoleTail(log), 'stage 1 | stage 2 | kernel panic')
      assert.equal(consoleTail(log, 1), 'kernel panic')
      assert.equal(consoleTail(path.join(dir, 'absent.log')), '')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('exit status of a session ended by a signal', () => {
  it('is 128+N, as a shell reports it', () => {
    assert.equal(signalExitStatus('SIGKILL'), 137)
    assert.equal(signalExitStatus('SIGINT'), 130)
  })
})

describe('rollback', () => {
  const generations = [{number: 1, current: false}, {number: 2, current: false}, {number: 3, current: true}, {number: 4, current: false}] as never[]

  it('goes to the newest generation older than the current one, or the one asked for', () => {
    assert.equal(rollbackTarget(generations).number, 2)
    assert.equal(rollbackTarget(generations, 4).number, 4)
  })

  it('refuses a generation that does not exist or is current, and a current one that is the oldest', () => {
    assert.throws(() => rollbackTarget(generations, 9), {message: 'there is no generation 9 (there are: 1, 2, 3, 4)'})
    assert.throws(() => rollbackTarget(generations, 3), {message: 'generation 3 is already the current one'})
    assert.throws(() => rollbackTarget([{number: 1, current: true}] as never[]), {message: 'there is no generation to roll back to (the current one, 1, is the oldest)'})
  })
})

describe('reading a container\'s console', () => {
  it('prints the console log with tail unless the supervisor keeps it elsewhere (as the systemd one does, in the journal)', () => {
    const container = {name: 'web', paths: {logFile: '/run/nixos-containers/web.log'}} as never
    const request = {name: 'web', follow: true, lines: 20, json: false}
    assert.deepEqual(consoleCommand({supervisor: {}} as never, container, request), ['tail', '--lines=20', '--follow=name', '--retry', '/run/nixos-containers/web.log'])
    const journal = {supervisor: {consoleLogCommand: () => ['journalctl', '-u', 'container@web.service']}} as never
    assert.deepEqual(consoleCommand(journal, container, request), ['journalctl', '-u', 'container@web.service'])
  })
})
