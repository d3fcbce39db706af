using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmbedRec.Tensors.Serialization;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON
/// header mapping each name to dtype, shape and byte offsets, then the raw little-endian data.
/// Files written here load in Python with <c>safetensors.torch.load_file</c>. Writes go to a
/// temporary file renamed into place, so a failed write never leaves a truncated file behind.
/// </summary>
public static class SafeTensors
{
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
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
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
            offset += bytes;
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
                var word = new byte[4];
                foreach (var (_, t) in list)
                {
                    var span = t.Span;
                    if (BitConverter.IsLittleEndian) fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(span));
                    else foreach (float v in span) { BinaryPrimitives.WriteSingleLittleEndian(word, v); fs.Write(word); }
                }
                foreach (var (_, v) in intList)
                {
                    if (BitConverter.IsLittleEndian) fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()));
                    else foreach (int x in v) { BinaryPrimitives.WriteInt32LittleEndian(word, x); fs.Write(word); }
                }
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

    /// <summary>A tensor entry read from a file: F32 data in <see cref="Tensor"/>, I32 data in <see cref="Ints"/>.</summary>
    public sealed record Entry(string Name, string DType, int[] Shape, Tensor? Tensor, int[]? Ints = null);

    /// <summary>Reads every tensor; F32 and I32 entries are loaded, other dtypes are listed without data.</summary>
    public static (IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"'{path}' is not a safetensors file: {bytes.Length} bytes.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"'{path}': header length {n} exceeds the file size {bytes.Length}.");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n))!.AsObject(); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}': the header is not valid JSON: {e.Message}", e); }
        int dataStart = 8 + (int)n;
        var entries = new List<Entry>();
        var meta = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) meta[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            var o = node!.AsObject();
            string dtype = o["dtype"]!.GetValue<string>();
            int[] shape = o["shape"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
            var offs = o["data_offsets"]!.AsArray();
            long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
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
