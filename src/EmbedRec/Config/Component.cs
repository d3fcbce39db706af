namespace EmbedRec.Config;

/// <summary>
/// What every registered component (model, objective, initializer, optimizer) declares: the name a
/// config selects it by, other accepted names, one line of meaning, and the options record its section binds.
/// </summary>
public abstract record Component
{
    /// <summary>Declares the component.</summary>
    protected Component(string name, IReadOnlyList<string> aliases, string description, IOptionsBinder binder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Aliases = aliases ?? [];
        Description = description ?? "";
        Binder = binder ?? throw new ArgumentNullException(nameof(binder));
    }

    /// <summary>The name configs use.</summary>
    public string Name { get; }

    /// <summary>Other names accepted for it.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>One line: what it is (and the paper).</summary>
    public string Description { get; }

    /// <summary>The keys of its config section, bound to its options record.</summary>
    public IOptionsBinder Binder { get; }

    /// <summary>Whether <paramref name="name"/> selects it (case-insensitive).</summary>
    public bool Answers(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
}
