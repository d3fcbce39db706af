namespace EmbedRec.Config;

/// <summary>The options record of a component that takes none.</summary>
public sealed record NoOptions
{
    /// <summary>A binder with no keys.</summary>
    public static readonly OptionsBinder<NoOptions> Binder = new(new NoOptions());
}
