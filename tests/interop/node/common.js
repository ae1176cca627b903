'use strict'
// Small helpers shared by the Node.js interop drivers (CommonJS so both the
// CommonJS kafkajs driver and the ESM platformatic driver can load it).
const readline = require('node:readline')

// Parses "--name value" pairs and bare "--flag"s after the sub-command.
function parseArgs (argv) {
  const [command, ...rest] = argv
  const options = {}
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`)
    const name = arg.slice(2)
    if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) {
      options[name] = rest[++i]
    } else {
      options[name] = true
    }
  }
  return { command, options }
}

function required (options, name) {
  if (options[name] === undefined || options[name] === true) throw new Error(`--${name} is required`)
  return options[name]
}

// Reads JSON lines {"k": key, "v": value, "h": {name: value}} from stdin.
async function readRecords () {
  const records = []
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of rl) {
    if (line.trim().length > 0) records.push(JSON.parse(line))
  }
  return records
}

function emit (obj) {
  process.stdout.write(JSON.stringify(obj, (_k, v) => typeof v === 'bigint' ? v.toString() : v) + '\n')
}

// Runs main() and exits non-zero with the error on stderr when it throws,
// with a hard deadline so a hung client never outlives the test's own timeout.
function run (main, deadlineMs = 120000) {
  const timer = setTimeout(() => {
    process.stderr.write(`driver deadline of ${deadlineMs} ms exceeded\n`)
    process.exit(3)
  }, deadlineMs)
  timer.unref()
  // process.exit() drops stdout writes still queued for a pipe, so exit only once they are flushed.
  const exitAfterFlush = code => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
  main().then(() => exitAfterFlush(0), err => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`)
    exitAfterFlush(1)
  })
}

module.exports = { parseArgs, required, readRecords, emit, run }
