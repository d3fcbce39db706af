using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using EmbedRec.Data.Splits;

namespace EmbedRec.Data;

/// <summary>A fingerprint of an interaction log as read: its size and the SHA-256 of its ids and rows, in order.</summary>
/// <param name="Rows">Interactions.</param>
/// <param name="Users">Users.</param>
/// <param name="Items">Items.</param>
/// <param name="Sha256">SHA-256 (hex) over the external user and item ids in dense order, then every row's user, item, rating and timestamp in file order.</param>
public sealed record DataFingerprint(int Rows, int Users, int Items, string Sha256)
{
    /// <summary>The fingerprint of <paramref name="log"/>.</summary>
    public static DataFingerprint Of(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Fingerprints.AppendIds(h, log.Users);
        Fingerprints.AppendIds(h, log.Items);
        Fingerprints.AppendRows(h, log);
        return new DataFingerprint(log.Count, log.UserCount, log.ItemCount, Convert.ToHexStringLower(h.GetHashAndReset()));
    }

    /// <summary>The sizes, for messages.</summary>
    public string Size => string.Create(CultureInfo.InvariantCulture, $"{Rows:N0} rows of {Users:N0} users and {Items:N0} items");
}

/// <summary>A fingerprint of a split: its part sizes and the SHA-256 of its id maps and of each part's rows.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Valid">Validation rows.</param>
/// <param name="Test">Test rows.</param>
/// <param name="Users">Users in the id space.</param>
/// <param name="Items">Items in the id space.</param>
/// <param name="Sha256">SHA-256 (hex) over the external ids in dense order (which the checkpoint's rows follow), then the train, validation and test rows.</param>
public sealed record SplitFingerprint(int Train, int Valid, int Test, int Users, int Items, string Sha256)
{
    /// <summary>The fingerprint of <paramref name="split"/>.</summary>
    public static SplitFingerprint Of(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Fingerprints.AppendIds(h, split.Train.Users);
        Fingerprints.AppendIds(h, split.Train.Items);
        foreach (var part in new[] { split.Train, split.Valid, split.Test }) Fingerprints.AppendRows(h, part);
        return new SplitFingerprint(split.Train.Count, split.Valid.Count, split.Test.Count, split.UserCount, split.ItemCount,
            Convert.ToHexStringLower(h.GetHashAndReset()));
    }

    /// <summary>The sizes, for messages.</summary>
    public string Size => string.Create(CultureInfo.InvariantCulture, $"train/valid/test {Train:N0}/{Valid:N0}/{Test:N0} over {Users:N0} users and {Items:N0} items");
}

/// <summary>
/// A fingerprint of a split's item categories (e.g. MovieLens genres), which the <c>category</c> SEvo graph and
/// <c>recommend</c>'s output read: the category names and each item's categories, in the split's dense item order
/// (which <see cref="SplitFingerprint"/> pins). Data without categories has one too (<see cref="Categories"/> 0), so
/// that adding or removing a categories file is a change.
/// </summary>
/// <param name="Categories">Category names (0 when the data has none).</param>
/// <param name="Items">Items the table covers.</param>
/// <param name="Assignments">(item, category) pairs.</param>
/// <param name="Sha256">SHA-256 (hex) over the names, then every item's category ids.</param>
public sealed record CategoriesFingerprint(int Categories, int Items, int Assignments, string Sha256)
{
    /// <summary>The fingerprint of <paramref name="categories"/>; of "no categories" when null.</summary>
    public static CategoriesFingerprint Of(ItemCategories? categories)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (categories is null)
        {
            Fingerprints.Append(h, 0);
            return new CategoriesFingerprint(0, 0, 0, Convert.ToHexStringLower(h.GetHashAndReset()));
        }
        Fingerprints.Append(h, categories.Names.Count);
        foreach (var name in categories.Names) Fingerprints.AppendString(h, name);
        Fingerprints.Append(h, categories.ItemCount);
        Fingerprints.AppendLittleEndian(h, categories.Offsets);
        Fingerprints.AppendLittleEndian(h, categories.Ids);
        return new CategoriesFingerprint(categories.Names.Count, categories.ItemCount, categories.Ids.Length, Convert.ToHexStringLower(h.GetHashAndReset()));
    }

    /// <summary>The sizes, for messages.</summary>
    public string Size => Categories == 0 ? "no item categories"
        : string.Create(CultureInfo.InvariantCulture, $"{Categories:N0} categories on {Items:N0} items ({Assignments:N0} assignments)");
}

/// <summary>The byte streams the fingerprints hash: lengths first, so no two different inputs give the same bytes.</summary>
internal static class Fingerprints
{
    public static void AppendIds(IncrementalHash h, IdMap ids)
    {
        Append(h, ids.Count);
        foreach (var id in ids.External) AppendString(h, id);
    }

    public static void AppendString(IncrementalHash h, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Append(h, bytes.Length);
        h.AppendData(bytes);
    }

    public static void AppendRows(IncrementalHash h, InteractionLog log)
    {
        Append(h, log.Count);
        AppendLittleEndian(h, log.User.AsSpan());
        AppendLittleEndian(h, log.Item.AsSpan());
        Append(h, log.Rating is null ? 0 : 1);
        if (log.Rating is { } r) AppendLittleEndian(h, MemoryMarshal.Cast<float, int>(r.AsSpan()));
        Append(h, log.Timestamp is null ? 0 : 1);
        if (log.Timestamp is { } t) AppendLittleEndian(h, t.AsSpan());
    }

    public static void AppendLittleEndian(IncrementalHash h, ReadOnlySpan<int> values)
    {
        if (BitConverter.IsLittleEndian) { h.AppendData(MemoryMarshal.AsBytes(values)); return; }
        var swapped = new int[values.Length];
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(values, swapped);
        h.AppendData(MemoryMarshal.AsBytes(swapped.AsSpan()));
    }

    private static void AppendLittleEndian(IncrementalHash h, ReadOnlySpan<long> values)
    {
        if (BitConverter.IsLittleEndian) { h.AppendData(MemoryMarshal.AsBytes(values)); return; }
        var swapped = new long[values.Length];
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(values, swapped);
        h.AppendData(MemoryMarshal.AsBytes(swapped.AsSpan()));
    }

    public static void Append(IncrementalHash h, int value)
    {
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b, value);
        h.AppendData(b);
    }
}
