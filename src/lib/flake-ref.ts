// --flake REF#ATTR, as upstream splits it.

/** Splits "REF#ATTR" the way upstream does; the attribute defaults to "container". */
export function parseFlakeRef(value: string): {flake: string; attr: string} {
  const match = /^(.*)#([^#"]+)$/.exec(value)
  return match ? {flake: match[1], attr: match[2]} : {flake: value, attr: 'container'}
}
