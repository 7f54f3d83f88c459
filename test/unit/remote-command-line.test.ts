// --host's command line: how arguments are quoted for the remote shell, how hosts are read, which
// flags stay here. (test/system/remote-hosts.test.ts runs it all against a real sshd.)
import assert from 'node:assert/strict'
import {execa} from 'execa'

import {parseHost, remoteCommand, shellQuote, takeRemoteFlags} from '../../dist/lib/remote.js'
import {withoutBuildFlags} from '../../dist/operations/remote.js'

describe('--host: the command line for ssh', () => {
  it('quotes each argument so a POSIX shell gives it back exactly', async () => {
    const args = ['plain', 'a b', 'c\'d', '"q"', '$HOME', '`id`', '*', '', 'tab\there', 'new\nline', '\\', '-n', ';', '~']
    const result = await execa('sh', ['-c', `printf '%s\\0' ${args.map(shellQuote).join(' ')}`])
    assert.deepEqual(result.stdout.split('\0').slice(0, -1), args)
  })

  it('reads [USER@]HOST[:PORT], local and localhost being this machine', () => {
    assert.deepEqual(parseHost('root@web1:2222'), {spec: 'root@web1:2222', destination: 'root@web1', port: 2222, local: false})
    assert.deepEqual(parseHost('[fe80::1]:22'), {spec: '[fe80::1]:22', destination: 'fe80::1', port: 22, local: false})
    assert.equal(parseHost('local').local, true)
    assert.equal(parseHost('localhost').local, true)
    assert.equal(parseHost('root@localhost').local, false)
    for (const bad of ['', 'root@', 'a b', 'host:0', 'host:99999', 'x;rm']) assert.throws(() => parseHost(bad), /is not \[USER@\]HOST\[:PORT\]/)
    assert.throws(() => parseHost('root@', {}, '--build-host'), /--build-host: ‘root@’ is not \[USER@\]HOST/)
  })

  it('takes --host and --ssh-option out of the command line, up to --; NIXOS_CONTAINER_HOST otherwise', () => {
    const {argv, target} = takeRemoteFlags(['web', '--host=a', '--ssh-option', '-p 22 -4', '--', '--host', 'b'], {})
    assert.deepEqual(argv, ['web', '--', '--host', 'b'])
    assert.deepEqual(target?.hosts.map((h) => h.spec), ['a'])
    assert.deepEqual(target?.sshOptions, ['-p', '22', '-4'])
    assert.deepEqual(takeRemoteFlags(['list'], {NIXOS_CONTAINER_HOST: 'a,b'}).target?.hosts.map((h) => h.spec), ['a', 'b'])
    assert.throws(() => takeRemoteFlags(['list', '--ssh-option', '-4'], {}), /--ssh-option needs --host or --build-host/)
    // --build-host without --host: the ssh options are for the build host.
    assert.deepEqual(takeRemoteFlags(['create', 'web', '--build-host=b', '--ssh-option', '-p 2222'], {}), {argv: ['create', 'web', '--build-host=b'], sshOptions: ['-p', '2222']})
  })

  it('reads the settings file\'s named hosts: --host NAME is that host, shown by its name; list without --host lists this machine and all of them', () => {
    const named = {web1: 'root@10.0.0.1:2222'}
    const {target} = takeRemoteFlags(['status', 'x', '--host', 'web1'], {}, {named})
    assert.deepEqual(target?.hosts, [{spec: 'web1', destination: 'root@10.0.0.1', port: 2222, local: false}])
    assert.deepEqual(takeRemoteFlags(['list'], {}, {named, fallback: ['local', 'web1']}).target?.hosts.map((h) => [h.spec, h.destination]),
      [['local', 'local'], ['web1', 'root@10.0.0.1']])
    // --host and NIXOS_CONTAINER_HOST come first; --ssh-option goes to the settings' hosts too.
    assert.deepEqual(takeRemoteFlags(['list', '--host', 'b'], {}, {named, fallback: ['local', 'web1']}).target?.hosts.map((h) => h.spec), ['b'])
    assert.deepEqual(takeRemoteFlags(['list', '--ssh-option', '-4'], {}, {named, fallback: ['local', 'web1']}).target?.sshOptions, ['-4'])
  })

  it('gives a command without stdin data the connection as fd 3, to hang up when it ends; one with data reports its pid', async () => {
    const script = remoteCommand(['status', 'web'])
    assert.match(script, /exec 3<&0 <\/dev\/null; NIXOS_CONTAINER_HANGUP_FD=3 exec nixos-container status web/)
    assert.doesNotMatch(remoteCommand(['run', 'web'], {stdin: true}), /HANGUP/)
    // The remote shell reports its pid (the tool's, after exec) and start time, by which an interrupt finds it.
    assert.match(remoteCommand(['run', 'web'], {stdin: true}), /ok %s %s\\n'\\'' "\$M" "\$\$" "\$\(sed .* \/proc\/\$\$\/stat/)
  })

  it('keeps the build\'s flags here and passes the rest there', () => {
    assert.deepEqual(withoutBuildFlags(['web', '--config', 'x', '--flake=f', '--impure', '--port', '80', '--builder', 'flakes', '--bind', '/a']),
      ['web', '--port', '80', '--bind', '/a'])
  })
})
