using System.Reflection;

namespace EmbedRec.Training;

/// <summary>What a run's numbers depend on besides its config and data: the engine's BLAS backend and kernel, threads, and the library's version and commit.</summary>
public static class RunEngine
{
    /// <summary>A record for metrics.json.</summary>
    public static IReadOnlyDictionary<string, object?> Describe()
    {
        var e = LibraryInfo.Engine();
        var informational = typeof(RunEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        int plus = informational.IndexOf('+');
        return new Dictionary<string, object?>
        {
            ["version"] = LibraryInfo.Version,
            ["commit"] = plus >= 0 ? informational[(plus + 1)..] : null,
            ["blas"] = e.BlasBackend,
            ["blas_detail"] = e.BlasDescription,
            ["managed_kernel"] = e.ManagedKernel,
            ["threads"] = e.Threads,
            ["simd_bits"] = e.SimdBits,
            ["processors"] = e.ProcessorCount,
        };
    }
}
