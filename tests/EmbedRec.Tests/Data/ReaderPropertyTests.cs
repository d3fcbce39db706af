using System.Globalization;
using System.Text;
using CsCheck;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using Xunit;

namespace EmbedRec.Tests.Data;

/// <summary>
/// Random logs written in every layout the detector knows (separators, headers, column orders,
/// optional rating and time) read back unchanged, without a --format; the same files with one line
/// broken (a field too many or too few, text where a number belongs, binary bytes) fail with a
/// <see cref="DataFormatException"/> naming that line.
/// </summary>
public sealed class ReaderPropertyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public enum Shape { Columns, Pairs, UserLines, CountFirst, Atomic }

    public enum Breakage { ExtraField, MissingField, NotANumber, Binary }

    /// <summary>One interaction: rating = Half / 2, time = 10⁹ + Time.</summary>
    public sealed record Row(int User, int Item, int Half, int Time);

    /// <summary>How a log is written: separator, header, which optional columns, their order, id style.</summary>
    public sealed record Layout(Shape Shape, string Delimiter, bool Header, bool Rating, bool Time, bool TimeFirst, bool TextIds, int NameSeed);

    /// <summary>A file as lines of bytes, the rows it holds, where the data lines start, the separator, and which fields are numbers.</summary>
    private sealed record Written(List<byte[]> Lines, List<(string User, string Item, float? Rating, long? Time)> Rows, int FirstDataLine, string Sep, int[] Numeric);

    private static readonly Gen<Row> GenRow = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 25], Gen.Int[1, 10], Gen.Int[0, 900_000_000], (u, i, h, t) => new Row(u, i, h, t));

    // Mostly small files; some longer than the detector's 1,000-line sample, so the readers' own checks run too.
    private static readonly Gen<Row[]> GenRows = Gen.Frequency((9, GenRow.Array[3, 40]), (1, GenRow.Array[LayoutDetector.SampleLines + 1, LayoutDetector.SampleLines + 40]));

    private static readonly Gen<Layout> GenLayout = Gen.Select(Gen.Enum<Shape>(), Gen.OneOf(",", "\t", ";", "|", "::", " "), Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Int[0, 1000],
        (s, d, h, r, t, tf, ids, seed) => new Layout(s, d, h, r, t, tf, ids, seed));

    private static readonly string[][] Names =
    [
        ["user", "user_id", "userId", "uid"],
        ["item", "item_id", "itemId", "movieId"],
        ["rating", "score", "stars"],
        ["time", "timestamp", "ts"],
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    [Fact]
    public void ValidFilesRoundTrip()
    {
        Gen.Select(GenRows, GenLayout).Sample((rows, layout) =>
        {
            var w = Write(rows, layout);
            var path = Save(w.Lines);
            var log = DatasetLoader.LoadPath(path).Log;
            Assert.Equal(w.Rows.Select(r => r.User), log.User.Select(u => log.Users[u]));
            Assert.Equal(w.Rows.Select(r => r.Item), log.Item.Select(i => log.Items[i]));
            Assert.Equal(w.Rows[0].Rating is null ? null : w.Rows.Select(r => r.Rating!.Value), log.Rating);
            Assert.Equal(w.Rows[0].Time is null ? null : w.Rows.Select(r => r.Time!.Value), log.Timestamp);
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void BrokenFilesNameTheLine()
    {
        Gen.Select(GenRows, GenLayout, Gen.Enum<Breakage>(), Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 12]).Sample((rows, layout, breakage, where, junk) =>
        {
            var w = Write(rows, layout);
            int dataLines = w.Lines.Count - w.FirstDataLine + 1;
            int line = w.FirstDataLine + where % dataLines; // 1-based
            var broken = w.Lines.ToList();
            string? format = null;
            var fields = Encoding.UTF8.GetString(broken[line - 1]);
            string sep = w.Sep;
            if (layout.Shape is Shape.UserLines) breakage = Breakage.Binary; // any field count is valid there
            if (layout.Shape is Shape.CountFirst && breakage != Breakage.Binary)
            {
                // A count-first file with a wrong count is a valid user-lines file; only --format tells them apart.
                format = "count-first";
                breakage = breakage == Breakage.NotANumber ? Breakage.ExtraField : breakage;
            }
            if (breakage == Breakage.NotANumber && w.Numeric.Length == 0) breakage = Breakage.ExtraField;
            broken[line - 1] = breakage switch
            {
                Breakage.ExtraField => Encoding.UTF8.GetBytes(fields + sep + "extra"),
                Breakage.MissingField => Encoding.UTF8.GetBytes(fields[..fields.LastIndexOf(sep, StringComparison.Ordinal)]),
                Breakage.NotANumber => Encoding.UTF8.GetBytes(string.Join(sep, fields.Split(sep).Select((f, k) => k == w.Numeric[where % w.Numeric.Length] ? "abc" : f))),
                _ => Junk(junk),
            };
            var path = Save(broken);
            var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(path, format));
            Assert.True(e.Line == line && e.Message.StartsWith($"{path}:{line}: ", StringComparison.Ordinal),
                $"{breakage} on line {line} of {layout}: got line {e.Line}: {e.Message}");
        }, iter: 500, threads: 1);
    }

    // Random bytes without line breaks, with one NUL or one byte that never occurs in UTF-8.
    private static byte[] Junk(byte[] random)
    {
        var b = random.Select(x => x is (byte)'\n' or (byte)'\r' ? (byte)'x' : x).ToArray();
        b[random[0] % b.Length] = random[0] % 2 == 0 ? (byte)0 : (byte)0xFF;
        return b;
    }

    private string Save(List<byte[]> lines)
    {
        var path = System.IO.Path.Combine(_dir.Path, Guid.NewGuid().ToString("N") + ".txt");
        using var f = File.Create(path);
        foreach (var l in lines) { f.Write(l); f.WriteByte((byte)'\n'); }
        return path;
    }

    private static Written Write(Row[] rows, Layout l)
    {
        string User(int u) => l.TextIds ? $"u{u}" : (100_000 + u).ToString(Inv);
        string Item(int i) => l.TextIds ? $"i{i}" : (200_000 + i).ToString(Inv);
        var lines = new List<string>();
        var expected = new List<(string, string, float?, long?)>();
        rows = [.. rows];
        rows[1] = rows[1] with { User = rows[0].User }; // users repeat, as in any interaction log
        switch (l.Shape)
        {
            case Shape.Pairs:
            {
                string sep = l.Delimiter == "\t" ? "\t" : " ";
                foreach (var r in rows) { lines.Add(User(r.User) + sep + Item(r.Item)); expected.Add((User(r.User), Item(r.Item), null, null)); }
                return new([.. lines.Select(Encoding.UTF8.GetBytes)], expected, 1, sep, []);
            }
            case Shape.UserLines or Shape.CountFirst:
            {
                // Lines of different lengths (a file whose lines are all alike cannot be told from columns).
                var groups = rows.GroupBy(r => r.User).Select(g => g.Select(r => r.Item).ToList()).ToList();
                if (groups.Count == 1) groups.Add([rows[0].Item]);
                if (groups.All(g => g.Count == groups[0].Count)) groups[0].Add(rows[^1].Item);
                string sep = l.Delimiter == "\t" ? "\t" : " ";
                for (int k = 0; k < groups.Count; k++)
                {
                    string user = l.Shape == Shape.CountFirst ? k.ToString(Inv) : User(1000 + k);
                    string head = l.Shape == Shape.CountFirst ? groups[k].Count.ToString(Inv) : user;
                    lines.Add(head + sep + string.Join(sep, groups[k].Select(Item)));
                    expected.AddRange(groups[k].Select(i => (user, Item(i), (float?)null, (long?)null)));
                }
                return new([.. lines.Select(Encoding.UTF8.GetBytes)], expected, 1, sep, []);
            }
            case Shape.Atomic:
            {
                lines.Add("user_id:token\titem_id:token" + (l.Rating ? "\trating:float" : "") + (l.Time ? "\ttimestamp:float" : ""));
                foreach (var r in rows)
                {
                    var (rating, time) = Values(r);
                    lines.Add(User(r.User) + "\t" + Item(r.Item) + (l.Rating ? "\t" + rating : "") + (l.Time ? "\t" + time : ""));
                    expected.Add((User(r.User), Item(r.Item), l.Rating ? r.Half / 2f : null, l.Time ? 1_000_000_000L + r.Time : null));
                }
                return new([.. lines.Select(Encoding.UTF8.GetBytes)], expected, 2, "\t", [.. new[] { 2, 3 }.Take((l.Rating ? 1 : 0) + (l.Time ? 1 : 0))]);
            }
            default:
            {
                // Roles 0..3 = user, item, rating, time; without a header user and item come first.
                var roles = new List<int> { 0, 1 };
                if (l.Rating) roles.Add(2);
                if (l.Time) roles.Insert(l.TimeFirst ? 2 : roles.Count, 3);
                var rng = new Random(l.NameSeed);
                if (l.Header)
                {
                    roles = [.. roles.OrderBy(_ => rng.Next())];
                    lines.Add(string.Join(l.Delimiter, roles.Select(role => Names[role][rng.Next(Names[role].Length)])));
                }
                foreach (var r in rows)
                {
                    var (rating, time) = Values(r);
                    lines.Add(string.Join(l.Delimiter, roles.Select(role => role switch { 0 => User(r.User), 1 => Item(r.Item), 2 => rating, _ => time })));
                    expected.Add((User(r.User), Item(r.Item), l.Rating ? r.Half / 2f : null, l.Time ? 1_000_000_000L + r.Time : null));
                }
                return new([.. lines.Select(Encoding.UTF8.GetBytes)], expected, l.Header ? 2 : 1, l.Delimiter,
                    [.. roles.Select((role, k) => (role, k)).Where(x => x.role >= 2).Select(x => x.k)]);
            }
        }
    }

    private static (string Rating, string Time) Values(Row r) =>
        ((r.Half / 2.0).ToString("R", Inv), (1_000_000_000L + r.Time).ToString(Inv));
}
