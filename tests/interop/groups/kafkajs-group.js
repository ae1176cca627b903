'use strict'
// kafkajs 2.2.4 consumer-group member for the Runnel group tests.
//
//   node kafkajs-group.js --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]
//
// Subscribes from the beginning, prints {"p","o","k","v"} per record and {"event":"assigned","partitions"}
// after each join; kafkajs commits after every batch (its default). Runs until killed.
const path = require('node:path')
const nodeModules = path.join(__dirname, '..', 'node', 'node_modules')
const { Kafka, logLevel } = require(path.join(nodeModules, 'kafkajs'))
const { parseArgs, required, emit } = require('../node/common.js')

async function main () {
  const { options } = parseArgs(['consume', ...process.argv.slice(2)])
  const topic = required(options, 'topic')
  const sessionTimeout = Number(options['session-timeout-ms'] || 6000)
  const kafka = new Kafka({
    clientId: required(options, 'client-id'),
    brokers: [required(options, 'bootstrap')],
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, label, log }) => process.stderr.write(`${label} [${namespace}] ${JSON.stringify(log)}\n`)
  })
  const consumer = kafka.consumer({ groupId: required(options, 'group'), sessionTimeout, rebalanceTimeout: 20000, heartbeatInterval: 1000 })
  consumer.on(consumer.events.GROUP_JOIN, e => {
    const assigned = e.payload.memberAssignment[topic] || []
    emit({ event: 'assigned', partitions: [...assigned].sort((a, b) => a - b) })
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      emit({ p: partition, o: Number(message.offset), k: message.key === null ? null : message.key.toString('utf8'), v: message.value.toString('utf8') })
    }
  })
}

main().catch(err => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
