namespace EmbedRec;

/// <summary>
/// Hands each report to an action at once, on the reporting thread (Progress&lt;T&gt; would post it to the thread pool,
/// where reports may run out of order): the library's adapters between one progress type and another.
/// </summary>
internal sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
