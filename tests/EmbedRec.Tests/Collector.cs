namespace EmbedRec.Tests;

/// <summary>Hands each report to an action at once, on the reporting thread (Progress&lt;T&gt; would post it to the thread pool).</summary>
internal sealed class Collector<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
