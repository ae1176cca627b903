using System.Buffers.Binary;
using Runnel.Protocol;
using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.RecordTestData;

namespace Runnel.Protocol.Tests.RecordTests;

public class ValidatorTests
{
    private static RecordBatchValidation Validate(byte[] blob) => RecordBatchValidator.Validate(blob);

    private static void AssertFails(byte[] blob, RecordValidationFailure failure, RecordValidationStatus status)
    {
        RecordBatchValidation result = Validate(blob);
        Assert.Equal(failure, result.Failure);
        Assert.Equal(status, result.Status);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void EmptyBlobIsAnInvalidRecord()
    {
        RecordBatchValidation result = Validate([]);
        Assert.Equal(RecordValidationFailure.Empty, result.Failure);
        Assert.Equal(ErrorCode.InvalidRecord, result.Error);
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Gzip)]
    public void EveryTruncationIsCorrupt(CompressionCodec codec)
    {
        byte[] batch = SampleBatch(4, codec);
        for (int length = 1; length < batch.Length; length++)
        {
            RecordBatchValidation result = Validate(batch[..length]);
            Assert.False(result.IsValid, $"accepted a batch cut at {length}");
            Assert.Equal(RecordValidationStatus.CorruptMessage, result.Status);
            Assert.Equal(ErrorCode.CorruptMessage, result.Error);
            Assert.Equal(0, result.FailedBatchOffset);
        }
    }

    [Fact]
    public void EveryTruncationOfTwoBatchesFailsExceptAtTheBoundary()
    {
        byte[] a = SampleBatch(2);
        byte[] blob = Concat(a, SampleBatch(3));
        for (int length = 1; length < blob.Length; length++)
        {
            RecordBatchValidation result = Validate(blob[..length]);
            if (length == a.Length)
            {
                Assert.True(result.IsValid);
                Assert.Equal(1, result.BatchCount);
            }
            else
            {
                Assert.Equal(RecordValidationStatus.CorruptMessage, result.Status);
                Assert.Equal(length > a.Length ? a.Length : 0, result.FailedBatchOffset);
                Assert.Equal(length > a.Length ? 1 : 0, result.BatchCount);
            }
        }
    }

    [Fact]
    public void TrailingBytesAfterTheLastBatchAreCorrupt()
    {
        byte[] batch = SampleBatch(2);
        AssertFails(Concat(batch, [0, 0, 0]), RecordValidationFailure.Truncated, RecordValidationStatus.CorruptMessage);
        Assert.Equal(RecordValidationFailure.TrailingBytes, RecordBatchValidator.ValidateBatch(Concat(batch, [0])));
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Gzip)]
    public void EveryFlippedByteInTheCrcCoveredRegionIsCaught(CompressionCodec codec)
    {
        byte[] batch = SampleBatch(4, codec);
        for (int i = RecordBatchHeader.CrcOffset; i < batch.Length; i++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] copy = (byte[])batch.Clone();
                copy[i] ^= mask;
                RecordBatchValidation result = Validate(copy);
                Assert.Equal(RecordValidationFailure.CrcMismatch, result.Failure);
                Assert.Equal(ErrorCode.CorruptMessage, result.Error);
            }
        }
    }

    [Fact]
    public void BytesOutsideTheCrcAreNotChecked()
    {
        byte[] batch = SampleBatch(2);
        for (int i = 0; i < RecordBatchHeader.BatchLengthOffset; i++)
        {
            batch[i] ^= 0x5A;
        }

        for (int i = RecordBatchHeader.PartitionLeaderEpochOffset; i < RecordBatchHeader.MagicOffset; i++)
        {
            batch[i] ^= 0x5A;
        }

        Assert.True(Validate(batch).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(0xFF)]
    public void WrongMagicIsUnsupported(byte magic)
    {
        byte[] batch = SampleBatch(2);
        batch[RecordBatchHeader.MagicOffset] = magic;
        RecordBatchValidation result = Validate(batch);
        Assert.Equal(RecordValidationStatus.UnsupportedMagic, result.Status);
        Assert.Equal(ErrorCode.UnsupportedForMessageFormat, result.Error);
    }

    [Fact]
    public void LegacyMessageSetIsUnsupportedMagic()
    {
        // A v1 message: offset(8) size(4) crc(4) magic(1)=1 attributes(1) timestamp(8) key(-1) value(-1).
        var legacy = new byte[8 + 4 + 4 + 1 + 1 + 8 + 4 + 4];
        BinaryPrimitives.WriteInt32BigEndian(legacy.AsSpan(8), legacy.Length - 12);
        legacy[16] = 1;
        BinaryPrimitives.WriteInt32BigEndian(legacy.AsSpan(26), -1);
        BinaryPrimitives.WriteInt32BigEndian(legacy.AsSpan(30), -1);
        AssertFails(legacy, RecordValidationFailure.UnsupportedMagic, RecordValidationStatus.UnsupportedMagic);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void LastOffsetDeltaMismatchIsAnInvalidRecord(int lastOffsetDelta)
    {
        byte[] batch = WithInt32(SampleBatch(3), RecordBatchHeader.LastOffsetDeltaOffset, lastOffsetDelta);
        AssertFails(batch, RecordValidationFailure.LastOffsetDeltaMismatch, RecordValidationStatus.InvalidRecord);
        Assert.Equal(ErrorCode.InvalidRecord, Validate(batch).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void NoRecordsIsAnInvalidRecord(int recordCount)
    {
        byte[] batch = WithInt32(SampleBatch(1), RecordBatchHeader.RecordCountOffset, recordCount);
        AssertFails(batch, RecordValidationFailure.NoRecords, RecordValidationStatus.InvalidRecord);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void RecordCountThatDisagreesWithTheRecordsIsCorrupt(int recordCount)
    {
        byte[] batch = SampleBatch(3);
        batch = WithInt32(batch, RecordBatchHeader.RecordCountOffset, recordCount);
        batch = WithInt32(batch, RecordBatchHeader.LastOffsetDeltaOffset, recordCount - 1);
        AssertFails(batch, RecordValidationFailure.RecordCountMismatch, RecordValidationStatus.CorruptMessage);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void UnknownCodecIsAnInvalidRecord(int codec)
    {
        byte[] batch = SampleBatch(2);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset), (short)codec);
        RecordBatchHeader.WriteCrc(batch);
        AssertFails(batch, RecordValidationFailure.UnknownCompression, RecordValidationStatus.InvalidRecord);
    }

    [Theory]
    [InlineData(-1, RecordValidationFailure.NegativeBatchLength)]
    [InlineData(int.MinValue, RecordValidationFailure.NegativeBatchLength)]
    [InlineData(int.MaxValue, RecordValidationFailure.Truncated)]
    [InlineData(0, RecordValidationFailure.BatchLengthTooSmall)]
    [InlineData(4, RecordValidationFailure.BatchLengthTooSmall)]
    [InlineData(48, RecordValidationFailure.BatchLengthTooSmall)]
    public void InsaneBatchLengthsAreCorrupt(int batchLength, RecordValidationFailure failure)
    {
        byte[] batch = SampleBatch(2);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), batchLength);
        AssertFails(batch, failure, RecordValidationStatus.CorruptMessage);
    }

    [Fact]
    public void BatchLengthOneShortOrLongIsCaught()
    {
        byte[] batch = SampleBatch(2);
        int length = batch.Length - RecordBatchHeader.LogOverhead;
        byte[] shorter = (byte[])batch.Clone();
        BinaryPrimitives.WriteInt32BigEndian(shorter.AsSpan(RecordBatchHeader.BatchLengthOffset), length - 1);
        Assert.Equal(RecordValidationStatus.CorruptMessage, Validate(shorter).Status);
        byte[] longer = Concat(batch, [0]);
        BinaryPrimitives.WriteInt32BigEndian(longer.AsSpan(RecordBatchHeader.BatchLengthOffset), length + 1);
        Assert.Equal(RecordValidationStatus.CorruptMessage, Validate(longer).Status);
    }

    public static TheoryData<byte[], int> BadRecords => new()
    {
        // length, attributes, tsDelta, offsetDelta, keyLen, [key], valueLen, [value], headerCount, [headers]
        { [0x0C, 0, 0, 0, 0x03, 0, 0], 1 }, // key length -2
        { [0x0C, 0, 0, 0, 0x01, 0x03, 0], 1 }, // value length -2
        { [0x0C, 0, 0, 0, 0x01, 0x01, 0x01], 1 }, // header count -1
        { [0x0C, 0, 0, 0, 0x01, 0x01, 0x02, 0x00, 0x00], 1 }, // one header, but the record length says 6 bytes
        { [0x12, 0, 0, 0, 0x01, 0x01, 0x02, 0x01, 0x00, 0x00], 1 }, // header key length -1
        { [0x12, 0, 0, 0, 0x01, 0x01, 0x02, 0x00, 0x03, 0x00], 1 }, // header value length -2
        { [0x0E, 0, 0, 0, 0x01, 0x01, 0, 0], 1 }, // record length 7, body holds 6 + 1 stray byte
        { [0x0A, 0, 0, 0, 0x01, 0x01, 0], 1 }, // record length 5: too small
        { [0x01, 0, 0, 0, 0x01, 0x01, 0], 1 }, // record length -1
        { [0x0E, 0, 0, 0, 0x01, 0x01, 0], 1 }, // record length 7 runs past the batch
        { [0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0, 0x01, 0x01, 0], 1 }, // record length int.MaxValue
        { [0x0C, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0], 1 }, // overlong timestamp varlong
        { [0x0C, 0, 0, 0, 0x20, 0x01, 0], 1 }, // key length 16 past the record
        { [0x0C, 0, 0, 0, 0x01, 0x01, 0x7E], 1 }, // header count 63 with no bytes
    };

    [Theory]
    [MemberData(nameof(BadRecords))]
    public void BadRecordFramingIsCorruptAndTheReaderThrows(byte[] records, int count)
    {
        byte[] batch = ForgeBatch(records, count);
        RecordBatchValidation result = Validate(batch);
        Assert.Equal(RecordValidationStatus.CorruptMessage, result.Status);
        Assert.True(result.Failure is RecordValidationFailure.RecordFraming or RecordValidationFailure.RecordCountMismatch, result.ToString());
        Assert.Throws<InvalidDataException>(() => ReadAll(batch));
    }

    [Fact]
    public void ForgedButWellFramedRecordsAreAccepted()
    {
        // The minimal record (7 bytes) and one with a header: proves the forge helper makes valid batches.
        byte[] batch = ForgeBatch([0x0C, 0, 0, 0, 0x01, 0x01, 0, 0x10, 0, 0, 0x02, 0x01, 0x01, 0x02, 0x00, 0x01], 2);
        Assert.True(Validate(batch).IsValid, Validate(batch).ToString());
        Assert.Equal(2, ReadAll(batch));
    }

    [Fact]
    public void AFailureInALaterBatchReportsItsOffset()
    {
        byte[] a = SampleBatch(2);
        byte[] b = SampleBatch(2);
        b[^1] ^= 1;
        RecordBatchValidation result = Validate(Concat(a, a, b, a));
        Assert.Equal(RecordValidationFailure.CrcMismatch, result.Failure);
        Assert.Equal(2 * a.Length, result.FailedBatchOffset);
        Assert.Contains("CRC", result.Message, StringComparison.Ordinal);
        Assert.Contains((2 * a.Length).ToString(System.Globalization.CultureInfo.InvariantCulture), result.Message, StringComparison.Ordinal);
        Assert.Equal(2, result.BatchCount);
        Assert.Equal(4, result.RecordCount);
    }

    [Fact]
    public void ReaderRejectsShortSpans()
    {
        byte[] batch = SampleBatch(2);
        Assert.Throws<InvalidDataException>(() => new RecordReader(batch.AsSpan(0, 60)));
        Assert.Throws<InvalidDataException>(() => new RecordReader(batch.AsSpan(0, batch.Length - 1)));
    }
}
