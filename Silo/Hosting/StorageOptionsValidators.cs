using Microsoft.Extensions.Options;
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
