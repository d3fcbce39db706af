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

/// <summary>The byte streams the fingerprints hash: lengths first, so no two different inputs give the same bytes.</summary>
internal static class Fingerprints
{
    public static void AppendIds(IncrementalHash h, IdMap ids)
    {
        Append(h, ids.Count);
        foreach (var id in ids.External)
        {
            var bytes = Encoding.UTF8.GetBytes(id);
            Append(h, bytes.Length);
            h.AppendData(bytes);
        }
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

    private static void AppendLittleEndian(IncrementalHash h, ReadOnlySpan<int> values)
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

    private static void Append(IncrementalHash h, int value)
    {
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b, value);
        h.AppendData(b);
    }
}
