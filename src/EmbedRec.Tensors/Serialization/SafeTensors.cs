using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace EmbedRec.Tensors.Serialization;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON
/// header mapping each name to dtype, shape and byte offsets, then the raw little-endian data.
/// Files written here load in Python with <c>safetensors.torch.load_file</c>. Writes go to a
/// temporary file renamed into place, so a failed write never leaves a truncated file behind.
/// Every file written here carries a SHA-256 checksum of its metadata, tensor table and data in the
/// metadata entry <see cref="ChecksumKey"/>; <see cref="Read(string, Checks)"/> verifies it whenever it is
/// present (and can require it, and finite values), so a flipped or missing byte is refused at load.
/// </summary>
public static class SafeTensors
{
    /// <summary>The metadata key holding the checksum (hex SHA-256 of a canonical text of the metadata and tensor table, then the data); not returned by <see cref="Read(string, Checks)"/>.</summary>
    public const string ChecksumKey = "embedrec.sha256";

    /// <summary>Writes float32 tensors (in the given order) and optional string metadata.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, tensors, [], metadata);

    /// <summary>Writes float32 tensors, then int32 vectors (dtype I32), and optional string metadata.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IEnumerable<KeyValuePair<string, int[]>> ints,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(ints);
        var list = tensors.ToList();
        var intList = ints.ToList();
        if (metadata is not null && metadata.ContainsKey(ChecksumKey)) throw new ArgumentException($"SafeTensors.Save: the metadata key '{ChecksumKey}' is reserved for the checksum.");
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) meta[k] = v;
        header["__metadata__"] = meta;
        var table = new List<TableEntry>();
        long offset = 0;
        var seen = new HashSet<string>();
        foreach (var (name, t) in list)
        {
            if (!seen.Add(name)) throw new ArgumentException($"SafeTensors.Save: the name '{name}' appears twice.");
            long bytes = 4L * t.Size;
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.ShapeArray.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            table.Add(new TableEntry(name, "F32", t.ShapeArray, offset, offset + bytes));
            offset += bytes;
        }
        foreach (var (name, v) in intList)
        {
            if (!seen.Add(name)) throw new ArgumentException($"SafeTensors.Save: the name '{name}' appears twice.");
            long bytes = 4L * v.Length;
            header[name] = new JsonObject
            {
                ["dtype"] = "I32",
                ["shape"] = new JsonArray(JsonValue.Create(v.Length)),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            table.Add(new TableEntry(name, "I32", [v.Length], offset, offset + bytes));
            offset += bytes;
        }
        using (var hash = StartDigest(metadata ?? new Dictionary<string, string>(), table))
        {
            WriteData(list, intList, hash.AppendData);
            meta[ChecksumKey] = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8;
        var headerBytes = new byte[json.Length + pad];
        json.CopyTo(headerBytes, 0);
        headerBytes.AsSpan(json.Length).Fill((byte)' ');

        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
                fs.Write(len);
                fs.Write(headerBytes);
                WriteData(list, intList, fs.Write);
                fs.Flush(true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            throw;
        }
    }

    private delegate void ByteSink(ReadOnlySpan<byte> bytes);

    /// <summary>Passes the data section (float32 tensors, then int32 vectors, little-endian) to <paramref name="sink"/>.</summary>
    private static void WriteData(List<KeyValuePair<string, Tensor>> tensors, List<KeyValuePair<string, int[]>> ints, ByteSink sink)
    {
        var word = new byte[4];
        foreach (var (_, t) in tensors)
        {
            if (BitConverter.IsLittleEndian) sink(MemoryMarshal.AsBytes<float>(t.Span));
            else foreach (float v in t.Span) { BinaryPrimitives.WriteSingleLittleEndian(word, v); sink(word); }
        }
        foreach (var (_, v) in ints)
        {
            if (BitConverter.IsLittleEndian) sink(MemoryMarshal.AsBytes<int>(v));
            else foreach (int x in v) { BinaryPrimitives.WriteInt32LittleEndian(word, x); sink(word); }
        }
    }

    /// <summary>One row of the tensor table, as the checksum sees it.</summary>
    private sealed record TableEntry(string Name, string DType, int[] Shape, long Begin, long End);

    /// <summary>
    /// A SHA-256 fed with a canonical text of the metadata (sorted, length-prefixed, the checksum itself
    /// left out) and of the tensor table (in file order); the caller appends the data section. Canonical
    /// rather than the header's bytes, so the checksum does not depend on how a JSON writer escapes text.
    /// </summary>
    private static IncrementalHash StartDigest(IReadOnlyDictionary<string, string> metadata, IEnumerable<TableEntry> table)
    {
        var text = new StringBuilder("embedrec-safetensors-digest/1\n");
        foreach (var (k, v) in metadata.Where(kv => kv.Key != ChecksumKey).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"m\t{k.Length}:{k}\t{v.Length}:{v}\n");
        foreach (var e in table)
            text.Append(CultureInfo.InvariantCulture, $"t\t{e.Name.Length}:{e.Name}\t{e.DType}\t{string.Join(",", e.Shape)}\t{e.Begin}\t{e.End}\n");
        text.Append("d\n");
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        return hash;
    }

    /// <summary>A tensor entry read from a file: F32 data in <see cref="Tensor"/>, I32 data in <see cref="Ints"/>.</summary>
    public sealed record Entry(string Name, string DType, int[] Shape, Tensor? Tensor, int[]? Ints = null);

    /// <summary>What <see cref="Read(string, Checks)"/> requires beyond a well-formed file.</summary>
    [Flags]
    public enum Checks
    {
        /// <summary>A checksum is verified when the file has one (files written by other tools have none).</summary>
        None = 0,

        /// <summary>The file must carry a checksum (every file EmbedRec writes does).</summary>
        Checksum = 1,

        /// <summary>Every F32 value must be finite (no NaN or infinity).</summary>
        Finite = 2,
    }

    /// <summary>Reads every tensor; F32 and I32 entries are loaded, other dtypes are listed without data. A checksum, when present, is verified.</summary>
    public static (IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata) Read(string path) => Read(path, Checks.None);

    /// <summary>
    /// Reads every tensor as <see cref="Read(string)"/> does, and refuses (<see cref="InvalidDataException"/>, naming the
    /// file) a checksum that does not match, a missing one when <paramref name="checks"/> has <see cref="Checks.Checksum"/>,
    /// and a NaN or infinite value when it has <see cref="Checks.Finite"/>. The checksum is not among the returned metadata.
    /// </summary>
    public static (IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata) Read(string path, Checks checks)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"'{path}' is not a safetensors file: {bytes.Length} bytes.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"'{path}': header length {n} exceeds the file size {bytes.Length}.");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n))!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new InvalidDataException($"'{path}': the header is not valid JSON: {e.Message}", e);
        }
        int dataStart = 8 + (int)n;
        var meta = new Dictionary<string, string>();
        var table = new List<TableEntry>();
        foreach (var (name, node) in header)
        {
            try
            {
                if (name == "__metadata__")
                {
                    foreach (var (k, v) in node!.AsObject()) meta[k] = v?.GetValue<string>() ?? "";
                    continue;
                }
                var o = node!.AsObject();
                var offs = o["data_offsets"]!.AsArray();
                table.Add(new TableEntry(name, o["dtype"]!.GetValue<string>(), o["shape"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(),
                    offs[0]!.GetValue<long>(), offs[1]!.GetValue<long>()));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentOutOfRangeException)
            {
                throw new InvalidDataException($"'{path}': the header entry '{name}' is malformed ({e.Message}).", e);
            }
        }
        if (meta.Remove(ChecksumKey, out var expected))
        {
            using var hash = StartDigest(meta, table);
            hash.AppendData(bytes.AsSpan(dataStart));
            if (!string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), expected, StringComparison.Ordinal))
                throw new InvalidDataException($"'{path}' is damaged: its contents do not match the checksum written with it.");
        }
        else if ((checks & Checks.Checksum) != 0)
            throw new InvalidDataException($"'{path}' carries no checksum, so its contents cannot be verified (it was not written by this version of EmbedRec, or its header is damaged).");
        var entries = new List<Entry>();
        foreach (var (name, dtype, shape, begin, end) in table)
        {
            if (begin < 0 || end < begin || dataStart + end > bytes.Length)
                throw new InvalidDataException($"'{path}': tensor '{name}' has data offsets [{begin}, {end}) outside the file.");
            Tensor? t = null;
            if (dtype == "F32")
            {
                int size = ShapeUtil.Size(shape);
                if (end - begin != 4L * size)
                    throw new InvalidDataException($"'{path}': tensor '{name}' of shape {ShapeUtil.Format(shape)} has {end - begin} bytes, expected {4L * size}.");
                var data = new float[size];
                var src = bytes.AsSpan(dataStart + (int)begin, 4 * size);
                for (int i = 0; i < size; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(4 * i, 4));
                int bad = (checks & Checks.Finite) != 0 ? Array.FindIndex(data, v => !float.IsFinite(v)) : -1;
                if (bad >= 0)
                    throw new InvalidDataException($"'{path}': tensor '{name}' holds {data[bad].ToString(CultureInfo.InvariantCulture)} at index {bad}; a usable state has only finite values.");
                t = Tensor.FromArray(data, shape);
                t.Name = name;
            }
            int[]? ints = null;
            if (dtype == "I32")
            {
                int size = ShapeUtil.Size(shape);
                if (end - begin != 4L * size)
                    throw new InvalidDataException($"'{path}': tensor '{name}' of shape {ShapeUtil.Format(shape)} has {end - begin} bytes, expected {4L * size}.");
                ints = new int[size];
                var src = bytes.AsSpan(dataStart + (int)begin, 4 * size);
                for (int i = 0; i < size; i++) ints[i] = BinaryPrimitives.ReadInt32LittleEndian(src.Slice(4 * i, 4));
            }
            entries.Add(new Entry(name, dtype, shape, t, ints));
        }
        return (entries, meta);
    }
}
