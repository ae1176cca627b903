namespace Runnel.Silo.Runtime;

/// <summary>Options of the grain runtime.</summary>
public sealed class GrainRuntimeOptions
{
    /// <summary>An activation with no call for this long is deactivated. Default 15 minutes, as grains are cheap to re-activate.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for. Default 30 seconds.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls queued per activation before callers wait (back-pressure instead of unbounded queues). Default 10,000.</summary>
    public int MailboxCapacity { get; set; } = 10_000;
}
