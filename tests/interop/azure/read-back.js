// Reads back, with the official JavaScript Azure Blob SDK, what Runnel (through the .NET SDK) wrote: lists the blobs under a
// prefix and downloads each one into a folder. One JSON line per blob on stdout:
//   {"name", "size", "etag", "file"}   (file: the downloaded copy, relative to the output folder)
// Usage: AZURE_STORAGE_CONNECTION_STRING=... node read-back.js <container> <prefix> <output-folder>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { BlobServiceClient } = require('@azure/storage-blob');

async function main() {
  const [container, prefix, outputFolder] = process.argv.slice(2);
  const connectionString = process.env.AZURE_STORAGE_CONNECTION_STRING;
  if (!container || prefix === undefined || !outputFolder || !connectionString) {
    throw new Error('usage: AZURE_STORAGE_CONNECTION_STRING=... node read-back.js <container> <prefix> <output-folder>');
  }

  const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  let index = 0;
  for await (const blob of client.listBlobsFlat({ prefix })) {
    // blob names hold '/', so each download gets a flat file name of its own
    const file = `blob-${index++}.bin`;
    const content = await client.getBlobClient(blob.name).downloadToBuffer();
    fs.writeFileSync(path.join(outputFolder, file), content);
    console.log(JSON.stringify({ name: blob.name, size: blob.properties.contentLength, etag: blob.properties.etag, file }));
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
