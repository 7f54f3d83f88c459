export default async function preCreate({name}) {
  if (!name.startsWith('ci-')) throw new Error(`lab containers must be named ci-…, not ‘${name}’`)
}
