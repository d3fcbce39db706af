namespace EmbedRec.Cli;

/// <summary>
/// Hands each report to <paramref name="report"/> at once, on the reporting thread, so lines come out in the order the
/// library reported them (Progress&lt;T&gt; would post them to the thread pool, where they may run out of order or at once).
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
