'use strict'
// Registers kafkajs 2.2.4's optional codecs, for every kafkajs driver (kafkajs-client.js here, and
// tests/Runnel.Client.Tests/interop/kafkajs-consume.js): gzip is built in; snappy comes from kafkajs-snappy
// (pure JS; writes raw snappy, reads raw and xerial-framed) and lz4 from kafkajs-lz4 (the lz4 package's
// frame codec). zstd: @kafkajs/zstd needs cppzst, whose native build fails on Node 20, and Node 20's zlib has
// no zstd, so a kafkajs codec is made here from zstd-codec (zstd compiled to WebAssembly, no native build).
// Its streaming API writes frames without a content size, as the Java client does, and reads any frame.
const { CompressionTypes, CompressionCodecs } = require('kafkajs')
const { ZstdCodec } = require('zstd-codec')

CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy')
const LZ4Codec = require('kafkajs-lz4')
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec

const zstdReady = new Promise(resolve => ZstdCodec.run(zstd => resolve(new zstd.Streaming())))
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  async compress (encoder) {
    const streaming = await zstdReady
    return Buffer.from(streaming.compress(encoder.buffer, 3))
  },
  async decompress (buffer) {
    const streaming = await zstdReady
    const out = streaming.decompress(buffer)
    if (!out) throw new Error('zstd-codec could not decompress the records')
    return Buffer.from(out)
  }
})

module.exports = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD
}
