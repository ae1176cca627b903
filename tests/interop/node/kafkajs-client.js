'use strict'
// kafkajs 2.2.4 driver for the Runnel interop tests.
//
//   node kafkajs-client.js produce --bootstrap H:P --topic T [--acks -1] [--idempotent]
//        [--compression none|gzip|snappy|lz4|zstd] [--batch 100]
//     reads JSON lines {"k","v","h","p"} from stdin ("p", the partition, defaults to 0), sends them
//     in batches and prints {"i": index, "partition": p, "offset": o} per record.
//   node kafkajs-client.js create --bootstrap H:P --topic T [--partitions N]
//   node kafkajs-client.js delete --bootstrap H:P --topic T
//   node kafkajs-client.js list --bootstrap H:P          prints {"topics": [...]}
//
// Codecs: see kafkajs-codecs.js (gzip built in, snappy, lz4 and zstd registered there).
const { Kafka, logLevel } = require('kafkajs')
const { parseArgs, required, readRecords, emit, run } = require('./common.js')
const codecs = require('./kafkajs-codecs.js')

// kafkajs logs through console (stdout) by default; keep stdout for results only.
const stderrLogger = () => ({ namespace, level, label, log }) => {
  process.stderr.write(`${label} [${namespace}] ${JSON.stringify(log)}\n`)
}

function client (options) {
  return new Kafka({
    clientId: 'runnel-interop-kafkajs',
    brokers: [required(options, 'bootstrap')],
    logLevel: logLevel.WARN,
    logCreator: stderrLogger,
    retry: { retries: 5 }
  })
}

async function produce (options) {
  const topic = required(options, 'topic')
  const acks = options.acks === undefined ? -1 : Number(options.acks)
  const idempotent = options.idempotent === true
  const compression = codecs[options.compression || 'none']
  if (compression === undefined) throw new Error(`unknown codec ${options.compression}`)
  const batchSize = Number(options.batch || 100)
  const records = await readRecords()
  const producer = client(options).producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : undefined,
    allowAutoTopicCreation: true
  })
  await producer.connect()
  try {
    for (let start = 0; start < records.length; start += batchSize) {
      const chunk = records.slice(start, start + batchSize)
      const result = await producer.send({
        topic,
        acks,
        compression,
        messages: chunk.map(r => ({ key: r.k, value: r.v, headers: r.h || {}, partition: r.p || 0 }))
      })
      // A batch holds a partition's records in input order: a record's offset is its partition's base plus
      // the number of the chunk's earlier records for that partition.
      const next = new Map()
      for (const meta of result) {
        if (meta.errorCode !== 0) throw new Error(`bad produce result ${JSON.stringify(result)}`)
        next.set(meta.partition, BigInt(meta.baseOffset))
      }
      chunk.forEach((r, j) => {
        const partition = r.p || 0
        const offset = next.get(partition)
        if (offset === undefined) throw new Error(`no result for partition ${partition} in ${JSON.stringify(result)}`)
        next.set(partition, offset + 1n)
        emit({ i: start + j, partition, offset: offset.toString() })
      })
    }
  } finally {
    await producer.disconnect()
  }
}

async function create (options) {
  const admin = client(options).admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({
      topics: [{ topic: required(options, 'topic'), numPartitions: Number(options.partitions || 1), replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 30000
    })
    emit({ created })
  } finally {
    await admin.disconnect()
  }
}

async function remove (options) {
  const admin = client(options).admin()
  await admin.connect()
  try {
    await admin.deleteTopics({ topics: [required(options, 'topic')], timeout: 30000 })
    emit({ deleted: options.topic })
  } finally {
    await admin.disconnect()
  }
}

async function list (options) {
  const admin = client(options).admin()
  await admin.connect()
  try {
    emit({ topics: await admin.listTopics() })
  } finally {
    await admin.disconnect()
  }
}

const { command, options } = parseArgs(process.argv.slice(2))
const commands = { produce, create, delete: remove, list }
if (!commands[command]) {
  process.stderr.write(`unknown command ${command}\n`)
  process.exit(2)
}
run(() => commands[command](options))
