using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Runnel.Silo.Hosting;

/// <summary>
/// Turns what stops a silo from starting into one line a user can act on: a setting a validator refused, a port
/// already in use, a data folder that cannot be used, a blob store that cannot be reached or configured.
/// </summary>
internal static class StartupFailure
{
    /// <summary>The line for <paramref name="exception"/>; every start failure gets one, the known ones a precise one.</summary>
    public static string Describe(Exception exception)
    {
        foreach (Exception ex in Chain(exception))
        {
            switch (ex)
            {
                case OptionsValidationException invalid:
                    return string.Join(" ", invalid.Failures);
                case IOException when ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                    or Microsoft.AspNetCore.Connections.AddressInUseException:
                    return $"A port is already in use: {FirstLine(ex.Message).TrimEnd('.')} (--port, --http-port, --silo-port and --gateway-port choose them).";
                case UnauthorizedAccessException:
                    return $"The data folder cannot be used: {FirstLine(ex.Message)} (check --data and --blob-path).";
                case FormatException when ex.StackTrace?.Contains("BlobStorage", StringComparison.Ordinal) == true:
                    return $"The blob store settings are not usable: {FirstLine(ex.Message)}";
            }
        }

        return $"The silo could not start: {FirstLine(exception.GetBaseException().Message)}";
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? ex = exception; ex is not null; ex = ex.InnerException)
        {
            yield return ex;
            if (ex is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions)
                {
                    foreach (Exception nested in Chain(inner))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
