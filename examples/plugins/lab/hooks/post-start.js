import {appendFile} from 'node:fs/promises'

export default async function postStart({name, conf, leader}) {
  const log = process.env.LAB_LOG ?? '/var/log/lab-containers.log'
  await appendFile(log, `${new Date().toISOString()} ${name} up, pid ${leader}, ${conf.LOCAL_ADDRESS}\n`)
}
