using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.RecordTestData;

namespace Runnel.Protocol.Tests.RecordTests;

public class AllocationTests
{
    [Fact]
    public void ValidatingAndReadingAllocateNothing()
    {
        byte[] blob = Concat(SampleBatch(2000), SampleBatch(50, CompressionCodec.Gzip), SampleBatch(300));
        Assert.True(RecordBatchValidator.Validate(blob).IsValid); // warm up
        Assert.Equal(2000, ReadAll(blob.AsSpan(0, RecordBatchHeader.Read(blob).TotalSize)));

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordBatchValidation result = RecordBatchValidator.Validate(blob);
        int read = 0;
        foreach (RecordBatchEntry entry in new RecordBatchEnumerator(blob))
        {
            if (entry.Header.Compression == CompressionCodec.None)
            {
                foreach (RecordView record in new RecordReader(entry.Bytes))
                {
                    foreach (RecordHeader header in record.Headers)
                    {
                        read += header.Key.Length;
                    }

                    read++;
                }
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(result.IsValid);
        Assert.True(read > 2300);
        Assert.Equal(0, allocated);
    }
}
