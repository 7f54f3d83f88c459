// plugins/supervisors/src/cgroup.ts: which of a container init's cgroups a session may join. The
// guest names the groups below its own, and a name may hold `..` or a line break that passes for
// another line of /proc/PID/cgroup: only groups inside the container's own count.
import assert from 'node:assert/strict'

import {isGroupBelow} from '../../plugins/supervisors/dist/cgroup.js'

describe('a session\'s cgroups under the systemd supervisor', () => {
  const own = 'container@web.service'

  it('are the init\'s groups below the container\'s unit', () => {
    assert.ok(isGroupBelow('/machine.slice/container@web.service/payload', own))
    assert.ok(isGroupBelow('/machine.slice/container@web.service/payload/made-by-the-guest', own))
  })

  it('never a group that climbs out of it, another container\'s, the root, or a name with control characters', () => {
    assert.ok(!isGroupBelow('/machine.slice/container@web.service/../container@db.service/payload', own))
    assert.ok(!isGroupBelow('/machine.slice/container@db.service/payload', own))
    assert.ok(!isGroupBelow('/', own))
    assert.ok(!isGroupBelow('/machine.slice/container@web.service/./x', own))
    assert.ok(!isGroupBelow('/machine.slice/container@web.service/x\u001b[2J', own))
  })
})
