// @platformatic/kafka 1.35.x driver for the Runnel interop tests.
//
//   node platformatic-client.mjs produce --bootstrap H:P --topic T [--acks -1|1]
//        [--compression none|gzip|snappy|lz4] [--idempotent] [--batch 100]
//     reads JSON lines {"k","v","h"} from stdin, sends them to partition 0 and prints
//     {"i": index, "partition": 0, "offset": o} per record (o = the batch's base offset
//     reported by the broker + the record's index in the batch).
//
// Consuming: the 1.35 Consumer always joins a consumer group (groupId is mandatory) and
// consumer groups are not part of this milestone, so the tests read what this driver
// produced back with kcat. zstd: @platformatic/kafka 1.35 uses node:zlib's zstd, which
// Node 20 does not have (compressionsAlgorithms.zstd.available === false), so it is not
// tested here.
import { Producer, stringSerializers } from '@platformatic/kafka'
import common from './common.js'

const { parseArgs, required, readRecords, emit, run } = common

async function produce (options) {
  const topic = required(options, 'topic')
  const idempotent = options.idempotent === true
  const acks = options.acks === undefined ? -1 : Number(options.acks)
  const compression = options.compression || 'none'
  const batchSize = Number(options.batch || 100)
  const records = await readRecords()
  const producer = new Producer({
    clientId: 'runnel-interop-platformatic',
    bootstrapBrokers: [required(options, 'bootstrap')],
    serializers: stringSerializers,
    autocreateTopics: true,
    idempotent,
    retries: 5,
    timeout: 10000
  })
  try {
    for (let start = 0; start < records.length; start += batchSize) {
      const chunk = records.slice(start, start + batchSize)
      const result = await producer.send({
        acks,
        compression,
        messages: chunk.map(r => ({ topic, key: r.k, value: r.v, headers: r.h || {}, partition: 0 }))
      })
      const meta = (result.offsets || []).find(o => o.topic === topic && o.partition === 0)
      if (!meta) throw new Error(`no offset for ${topic}/0 in ${JSON.stringify(result, (_k, v) => typeof v === 'bigint' ? v.toString() : v)}`)
      const base = BigInt(meta.offset)
      chunk.forEach((_r, j) => emit({ i: start + j, partition: 0, offset: (base + BigInt(j)).toString() }))
    }
  } finally {
    await producer.close()
  }
}

const { command, options } = parseArgs(process.argv.slice(2))
const commands = { produce }
if (!commands[command]) {
  process.stderr.write(`unknown command ${command}\n`)
  process.exit(2)
}
run(() => commands[command](options))
