using Microsoft.Extensions.Options;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tiering;

namespace Runnel.Silo.Hosting;

/// <summary>Tiering options as IOptions validation: the same rules as <see cref="TieringOptions.Validate"/>.</summary>
internal sealed class TieringOptionsValidator : IValidateOptions<TieringOptions>
{
    public ValidateOptionsResult Validate(string? name, TieringOptions options) => Check(options.Validate);

    internal static ValidateOptionsResult Check(Action validate)
    {
        try
        {
            validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

/// <summary>Blob store options as IOptions validation, plus what only the silo knows: Azure needs a connection string.</summary>
internal sealed class BlobStoreOptionsValidator : IValidateOptions<BlobStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobStoreOptions options)
    {
        if (options.Kind == BlobStoreKind.Azure && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail("--blob-store azure needs --blob-connection-string (RUNNEL_BLOB_CONNECTION_STRING).");
        }

        return TieringOptionsValidator.Check(options.Validate);
    }
}
