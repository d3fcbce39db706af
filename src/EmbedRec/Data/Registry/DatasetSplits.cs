using EmbedRec.Data.Readers;
using EmbedRec.Data.Splits;

namespace EmbedRec.Data.Registry;

/// <summary>
/// A dataset and a protocol resolved into a split: the filters and split given, else the registered dataset's
/// own protocol, else its shipped split (with validation carved out as the protocol says). What training and
/// <c>data prepare</c> both do, written once.
/// </summary>
public static class DatasetSplits
{
    /// <summary>Loads <paramref name="name"/> (a registered name or a path) and splits it.</summary>
    public static DataSplit Resolve(DatasetRegistry registry, string name, string? format = null, ColumnMap? columns = null, string? filters = null, string? split = null) =>
        Load(registry, name, format, columns, filters, split).Split;

    /// <summary>Loads <paramref name="name"/> and splits it, keeping the log as read (what a run's data fingerprint covers).</summary>
    public static (LoadedDataset Dataset, DataSplit Split) Load(DatasetRegistry registry, string name, string? format = null, ColumnMap? columns = null,
        string? filters = null, string? split = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(name);
        var ds = registry.Load(name, format, columns);
        var entry = registry.Contains(name) ? registry.Get(name) : null;
        string filterText = filters ?? entry?.Filters ?? "";
        string splitText = split ?? entry?.Split ?? (ds.Predefined is not null ? "predefined" : null)
            ?? throw new FormatException($"Dataset '{name}' has no default protocol; set the split (loo, temporal, random, global).");
        var protocol = Protocol.Parse(filterText, splitText);
        if (protocol.Splitter is not null) return (ds, protocol.Apply(ds.Log));
        if (ds.Predefined is null) throw new FormatException($"Dataset '{name}' ships no split; set the split (loo, temporal, random, global).");
        if (protocol.FilterSteps.Count > 0) throw new FormatException($"Filters '{filterText}' cannot be applied to the predefined split of '{name}'.");
        return (ds, protocol.CarveValidation(ds.Predefined));
    }
}
