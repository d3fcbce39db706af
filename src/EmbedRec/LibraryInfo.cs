using System.Reflection;
using EmbedRec.Tensors;

namespace EmbedRec;

/// <summary>Version of the EmbedRec library and the engine it runs on.</summary>
public static class LibraryInfo
{
    /// <summary>The informational version of the EmbedRec assembly, e.g. "0.1.0".</summary>
    public static string Version { get; } =
        (typeof(LibraryInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>The numeric engine's configuration.</summary>
    public static EngineInfo Engine() => EngineInfo.Current();
}
