// NAME.conf: the shell-style environment file that container@NAME.service reads with
// EnvironmentFile=. Keys we do not know are kept, in order, so files written by the NixOS module
// or by upstream survive a rewrite untouched.

import {upstreamPool} from './addresses.js'

export type ConfEntries = Map<string, string>

const line = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/

function unquote(raw: string): string {
  const value = raw.trim()
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, '$1').replace(/\\\n/g, '')
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1)
  return value
}

/** The settings, and the lines that are neither settings nor comments (kept to be reported). */
export interface ParsedConf {
  entries: ConfEntries
  unreadable: string[]
}

/** Tolerant of what editors do to a file: CRLF line ends, a byte-order mark, trailing blanks. */
export function parseConfLines(text: string): ParsedConf {
  const entries: ConfEntries = new Map()
  const unreadable: string[] = []
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (/^\s*(#|;|$)/.test(raw)) continue
    const match = line.exec(raw)
    if (match) entries.set(match[1], unquote(match[2]))
    else unreadable.push(raw.trim())
  }
  return {entries, unreadable}
}

export function parseConf(text: string): ConfEntries {
  return parseConfLines(text).entries
}

function quote(value: string): string {
  // Upstream writes bare values; quote only what systemd would otherwise split or misread.
  if (/^[^\s"'\\$`#;]*$/.test(value)) return value
  return `"${value.replace(/(["\\$`])/g, '\\$1')}"`
}

export function formatConf(entries: ConfEntries): string {
  let out = ''
  for (const [key, value] of entries) out += `${key}=${quote(value)}\n`
  return out
}

/** Settings `create` records, in upstream's order and format. */
export interface CreateSettings {
  /** Absent with the host's network (PRIVATE_NETWORK=0, no addresses, as upstream's --use-host-network). */
  hostAddress?: string
  localAddress?: string
  hostAddress6?: string
  localAddress6?: string
  bridge?: string
  ports?: string
  autoStart: boolean
  flake?: string
  flakeAttr?: string
  /** The pool the allocator took the addresses from (ours; NixOS's unit ignores it). */
  pool?: string
}

export function createConf(settings: CreateSettings): ConfEntries {
  const entries: ConfEntries = new Map()
  if (settings.hostAddress === undefined || settings.localAddress === undefined) {
    entries.set('PRIVATE_NETWORK', '0')
  } else {
    entries.set('PRIVATE_NETWORK', '1')
    entries.set('HOST_ADDRESS', settings.hostAddress)
    entries.set('LOCAL_ADDRESS', settings.localAddress)
  }
  if (settings.hostAddress6) entries.set('HOST_ADDRESS6', settings.hostAddress6)
  if (settings.localAddress6) entries.set('LOCAL_ADDRESS6', settings.localAddress6)
  entries.set('HOST_BRIDGE', settings.bridge ?? '')
  entries.set('HOST_PORT', settings.ports ?? '')
  entries.set('AUTO_START', settings.autoStart ? '1' : '0')
  if (settings.flake !== undefined) {
    entries.set('FLAKE', settings.flake)
    // Upstream forgets the attribute; we record it so `update` rebuilds the same one.
    if (settings.flakeAttr !== undefined) entries.set('FLAKE_ATTR', settings.flakeAttr)
  }
  // Upstream's own range is not recorded: its conf files stay byte for byte upstream's.
  if (settings.pool && settings.pool !== upstreamPool) entries.set('ADDRESS_POOL', settings.pool)
  return entries
}

/** Splits a space-separated list value such as INTERFACES or EXTRA_NSPAWN_FLAGS. */
export function listValue(entries: ConfEntries, key: string): string[] {
  return (entries.get(key) ?? '').split(/\s+/).filter(Boolean)
}
