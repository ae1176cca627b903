using System.Buffers.Binary;
using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.RecordTestData;

namespace Runnel.Protocol.Tests.RecordTests;

/// <summary>Bounded random fuzzing with fixed seeds: the validator never throws and never accepts a damaged batch.</summary>
public class FuzzTests
{
    private static readonly byte[][] s_originals =
    [
        SampleBatch(1),
        SampleBatch(4),
        SampleBatch(6, CompressionCodec.Gzip),
        new RecordBatchBuilder().Add(1, null, null).Add(2, [], []).ToArray(),
    ];

    [Fact]
    public void MutatedBlobsAreRejectedUnlessEveryBatchIsAnOriginal()
    {
        var random = new Random(0x5EED);
        int accepted = 0;
        for (int iteration = 0; iteration < 6000; iteration++)
        {
            byte[] blob = Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => s_originals[random.Next(s_originals.Length)]).ToArray());
            byte[] mutated = Mutate(random, blob);

            RecordBatchValidation result = RecordBatchValidator.Validate(mutated);
            if (!result.IsValid)
            {
                Assert.NotEqual(RecordValidationStatus.Ok, result.Status);
                Assert.InRange(result.FailedBatchOffset, 0, mutated.Length);
                continue;
            }

            accepted++;
            foreach (RecordBatchEntry entry in new RecordBatchEnumerator(mutated))
            {
                byte[] bytes = entry.Bytes.ToArray();
                Assert.True(
                    s_originals.Any(o => o.Length == bytes.Length && o.AsSpan(RecordBatchHeader.MagicOffset).SequenceEqual(bytes.AsSpan(RecordBatchHeader.MagicOffset))),
                    $"iteration {iteration}: accepted a batch that is not one of the originals");
                if (entry.Header.Compression == CompressionCodec.None)
                {
                    Assert.Equal(entry.Header.RecordCount, ReadAll(entry.Bytes));
                }
            }
        }

        Assert.True(accepted > 0, "no mutation left the blob valid; the fuzz is not exercising the accept path");
    }

    [Fact]
    public void ForgedRecordRegionsNeverCrashTheValidatorAndAcceptedOnesAlwaysRead()
    {
        // The CRC is recomputed after mutating, so the record framing checks behind it are what gets fuzzed.
        var random = new Random(0xF00D);
        byte[][] regions = s_originals.Where(o => RecordBatchHeader.Read(o).Compression == CompressionCodec.None)
            .Select(o => o[RecordBatchHeader.Size..]).ToArray();
        int accepted = 0;
        int rejected = 0;
        for (int iteration = 0; iteration < 20000; iteration++)
        {
            byte[] region;
            int count;
            if (iteration % 5 == 0)
            {
                region = new byte[random.Next(0, 64)];
                random.NextBytes(region);
                count = random.Next(1, 10);
            }
            else
            {
                int pick = random.Next(regions.Length);
                region = Mutate(random, regions[pick]);
                count = RecordBatchHeader.Read(s_originals.Where(o => RecordBatchHeader.Read(o).Compression == CompressionCodec.None).ElementAt(pick)).RecordCount;
                if (random.Next(8) == 0)
                {
                    count += random.Next(-2, 3);
                }
            }

            byte[] batch = ForgeBatch(region, count);
            RecordBatchValidation result = RecordBatchValidator.Validate(batch);
            if (result.IsValid)
            {
                accepted++;
                Assert.Equal(count, ReadAll(batch));
            }
            else
            {
                rejected++;
                Assert.NotEqual(RecordValidationStatus.UnsupportedMagic, result.Status);
                try
                {
                    ReadAll(batch);
                }
                catch (InvalidDataException)
                {
                    // The reader's documented failure.
                }
            }
        }

        Assert.True(accepted > 100 && rejected > 100, $"accepted {accepted}, rejected {rejected}");
    }

    [Fact]
    public void RandomBytesAreNeverAccepted()
    {
        var random = new Random(0xBAD);
        for (int iteration = 0; iteration < 20000; iteration++)
        {
            var blob = new byte[random.Next(0, 300)];
            random.NextBytes(blob);
            if (blob.Length >= RecordBatchHeader.Size && random.Next(2) == 0)
            {
                // Plausible framing so the CRC and later checks are reached.
                BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(RecordBatchHeader.BatchLengthOffset), blob.Length - RecordBatchHeader.LogOverhead);
                blob[RecordBatchHeader.MagicOffset] = 2;
            }

            RecordBatchValidation result = RecordBatchValidator.Validate(blob);
            Assert.False(result.IsValid);

            var enumerator = new RecordBatchEnumerator(blob);
            while (enumerator.MoveNext())
            {
                Assert.True(enumerator.Current.Bytes.Length >= RecordBatchHeader.Size);
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0: // flip bits
                    bytes[random.Next(bytes.Count)] ^= (byte)random.Next(1, 256);
                    break;
                case 1 when bytes.Count > 0: // set to an interesting value
                    bytes[random.Next(bytes.Count)] = new byte[] { 0x00, 0x01, 0x7F, 0x80, 0xFF, 0x02 }[random.Next(6)];
                    break;
                case 2 when bytes.Count > 0: // truncate
                    bytes = bytes.GetRange(0, random.Next(bytes.Count));
                    break;
                case 3: // insert
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                case 4 when bytes.Count > 1: // delete a range
                    int start = random.Next(bytes.Count);
                    bytes.RemoveRange(start, random.Next(1, Math.Min(8, bytes.Count - start) + 1));
                    break;
                default: // overwrite a big-endian int32 with an edge value
                    if (bytes.Count >= 4)
                    {
                        int at = random.Next(bytes.Count - 3);
                        int value = new[] { 0, -1, 1, int.MaxValue, int.MinValue, 48, 49 }[random.Next(7)];
                        for (int k = 0; k < 4; k++)
                        {
                            bytes[at + k] = (byte)(value >> (24 - (8 * k)));
                        }
                    }

                    break;
            }
        }

        return bytes.ToArray();
    }
}
