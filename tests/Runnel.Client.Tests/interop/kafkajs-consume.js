'use strict'
// kafkajs 2.2.4 group consumer for the Runnel.Client interop tests (kafkajs has no group-less consumer).
//   node kafkajs-consume.js <node_modules dir> <bootstrap> <topic> <group> <count>
// Prints one JSON line per record: {"offset","key","value","headers","timestamp","partition"}; exits after <count>.
// Reads every codec: kafkajs-codecs.js (beside node_modules in tests/interop/node) registers snappy, lz4 and zstd.
const path = require('node:path')
const [modules, bootstrap, topic, groupId, countText] = process.argv.slice(2)
const { Kafka, logLevel } = require(path.join(modules, 'kafkajs'))
require(path.join(modules, '..', 'kafkajs-codecs.js'))
const count = Number(countText)

async function main () {
  const kafka = new Kafka({ clientId: 'runnel-client-tests', brokers: [bootstrap], logLevel: logLevel.WARN,
    logCreator: () => ({ label, log }) => process.stderr.write(`${label} ${JSON.stringify(log)}\n`) })
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30000, heartbeatInterval: 1000 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let seen = 0
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = {}
        for (const [k, v] of Object.entries(message.headers || {})) headers[k] = v === null || v === undefined ? null : v.toString()
        process.stdout.write(JSON.stringify({
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          value: message.value === null ? null : message.value.toString(),
          headers,
          timestamp: message.timestamp
        }) + '\n')
        if (++seen >= count) resolve()
      }
    }).catch(reject)
  })
  await consumer.disconnect()
}

const timer = setTimeout(() => { process.stderr.write('deadline exceeded\n'); process.exit(3) }, 120000)
timer.unref()
main().then(() => process.exit(0), err => { process.stderr.write(`${err && err.stack ? err.stack : err}\n`); process.exit(1) })
