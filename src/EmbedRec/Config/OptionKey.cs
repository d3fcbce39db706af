namespace EmbedRec.Config;

/// <summary>Value type of a configuration key.</summary>
public enum ConfigType
{
    /// <summary>Text.</summary>
    String,

    /// <summary>Integer.</summary>
    Int,

    /// <summary>Number.</summary>
    Float,

    /// <summary>true/false.</summary>
    Bool,

    /// <summary>One of a fixed set of names.</summary>
    Choice,

    /// <summary>List of integers ([5, 10] or "5,10").</summary>
    IntList,

    /// <summary>List of text.</summary>
    StringList,
}

/// <summary>One configuration key of an options record.</summary>
/// <param name="Name">Name within its section (RecBole's where it has one).</param>
/// <param name="Type">Value type.</param>
/// <param name="Default">The default as text (read from the options record), or null when unset by default.</param>
/// <param name="Description">What it sets.</param>
/// <param name="Choices">The accepted names of a <see cref="ConfigType.Choice"/> key, else empty.</param>
public sealed record OptionKey(string Name, ConfigType Type, string? Default, string Description, IReadOnlyList<string> Choices)
{
    /// <summary>The type as a reader would write it: "int", "float ≥ 0", "mf | lightgcn", ...</summary>
    public string TypeText => Type switch
    {
        ConfigType.Int => "int",
        ConfigType.Float => "float",
        ConfigType.Bool => "bool",
        ConfigType.Choice => string.Join(" | ", Choices),
        ConfigType.IntList => "int list",
        ConfigType.StringList => "list",
        _ => "text",
    };
}

/// <summary>A raw configuration value and where it was set ("file.yaml:12", "--set", "--model").</summary>
/// <param name="Text">The value as text (lists comma-separated).</param>
/// <param name="Where">Its origin, for error messages.</param>
public sealed record ConfigValue(string Text, string Where);
