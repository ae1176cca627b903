// @platformatic/kafka 1.35 consumer-group member for the Runnel group tests.
//
//   node platformatic-group.mjs --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]
//
// Consumes from the committed offsets (earliest when none), prints {"p","o","k","v"} per record and
// {"event":"assigned","partitions"} after each join; offsets are autocommitted after every fetch.
// Runs until killed.
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, '..', 'node', 'package.json'))
const { Consumer, stringDeserializers } = require('@platformatic/kafka')
const { parseArgs, required, emit } = require('../node/common.js')

const { options } = parseArgs(['consume', ...process.argv.slice(2)])
const topic = required(options, 'topic')
const sessionTimeout = Number(options['session-timeout-ms'] || 6000)

async function main () {
  const consumer = new Consumer({
    groupId: required(options, 'group'),
    clientId: required(options, 'client-id'),
    bootstrapBrokers: [required(options, 'bootstrap')],
    deserializers: stringDeserializers,
    sessionTimeout,
    rebalanceTimeout: 20000,
    heartbeatInterval: 1000,
    maxWaitTime: 500
  })
  consumer.on('consumer:group:join', () => {
    const assigned = (consumer.assignments || []).filter(a => a.topic === topic).flatMap(a => a.partitions)
    emit({ event: 'assigned', partitions: [...assigned].sort((a, b) => a - b) })
  })
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: true })
  stream.on('error', err => process.stderr.write(`stream error: ${err && err.stack ? err.stack : err}\n`))
  for await (const message of stream) {
    emit({ p: message.partition, o: Number(message.offset), k: message.key ?? null, v: message.value })
  }
}

main().catch(err => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
