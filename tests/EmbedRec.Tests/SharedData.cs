using Xunit;

namespace EmbedRec.Tests;

/// <summary>Locates ../shared/data (beside the repository); tests that need it skip with a message when it is absent.</summary>
internal static class SharedData
{
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("EMBEDREC_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "shared", "papers"))) return candidate;
            candidate = Path.Combine(dir.FullName, "..", "shared", "data");
            if (File.Exists(Path.Combine(dir.FullName, "EmbedRec.sln")) && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }
}

/// <summary>A fact that runs only when ../shared/data is present.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Root is null) Skip = "../shared/data is not beside the repository (set EMBEDREC_SHARED_DATA to its path to run this test).";
    }
}

/// <summary>A temporary folder removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("embedrec-test-").FullName;

    public string File(string name, string content)
    {
        var p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, true);
    }
}

/// <summary>Fluent config edits for tests.</summary>
internal static class RunConfigWith
{
    public static EmbedRec.Config.RunConfig With(this EmbedRec.Config.RunConfig c, string key, string value)
    {
        c.Set(key, value);
        return c;
    }
}
