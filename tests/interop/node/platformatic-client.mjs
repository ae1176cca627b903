// @platformatic/kafka 1.35.x driver for the Runnel interop tests.
//
//   node platformatic-client.mjs produce --bootstrap H:P --topic T [--acks -1|1]
//        [--compression none|gzip|snappy|lz4] [--idempotent] [--batch 100]
//     reads JSON lines {"k","v","h","p"} from stdin ("p", the partition, defaults to 0), sends them
//     and prints {"i": index, "partition": p, "offset": o} per record (o = the base offset the broker
//     reported for the partition's batch + the record's index among the chunk's records for it).
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
        messages: chunk.map(r => ({ topic, key: r.k, value: r.v, headers: r.h || {}, partition: r.p || 0 }))
      })
      const next = new Map((result.offsets || []).filter(o => o.topic === topic).map(o => [o.partition, BigInt(o.offset)]))
      chunk.forEach((r, j) => {
        const partition = r.p || 0
        const offset = next.get(partition)
        if (offset === undefined) throw new Error(`no offset for ${topic}/${partition} in ${JSON.stringify(result, (_k, v) => typeof v === 'bigint' ? v.toString() : v)}`)
        next.set(partition, offset + 1n)
        emit({ i: start + j, partition, offset: offset.toString() })
      })
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
