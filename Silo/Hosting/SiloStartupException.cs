namespace Runnel.Silo.Hosting;

/// <summary>The silo could not start; <see cref="Exception.Message"/> is one line that says why, for the user.</summary>
public sealed class SiloStartupException : Exception
{
    public SiloStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SiloStartupException()
    {
    }

    public SiloStartupException(string message)
        : base(message)
    {
    }
}
