using System.Globalization;

namespace EmbedRec.Data.Readers;

/// <summary>
/// Which columns of a delimited file hold the user, item, rating and time, as given on the command
/// line (<c>--columns user=user_id,item=item_id,time=ts</c>) or in a config. Each column is a header
/// name or, for a file without a header, a 0-based field index.
/// </summary>
/// <param name="User">User column.</param>
/// <param name="Item">Item column.</param>
/// <param name="Rating">Rating column, or null.</param>
/// <param name="Time">Timestamp column, or null.</param>
public sealed record ColumnMap(string User, string Item, string? Rating = null, string? Time = null)
{
    /// <summary>Keys accepted by <see cref="Parse"/>.</summary>
    public const string Keys = "user, item, rating, time (or timestamp)";

    /// <summary>
    /// Parses <c>key=column</c> parts separated by commas; <c>user</c> and <c>item</c> are required.
    /// Errors name the part at fault.
    /// </summary>
    public static ColumnMap Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var map = new Dictionary<string, string>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            int eq = part.IndexOf('=');
            if (eq <= 0 || eq == part.Length - 1)
                throw new FormatException($"Column mapping '{text}': part '{part}' is not key=column (keys: {Keys}).");
            string key = part[..eq].Trim().ToLowerInvariant(), column = part[(eq + 1)..].Trim();
            if (key == "timestamp") key = "time";
            if (key is not ("user" or "item" or "rating" or "time"))
                throw new FormatException($"Column mapping '{text}': unknown key '{key}' in '{part}' (keys: {Keys}).");
            if (!map.TryAdd(key, column)) throw new FormatException($"Column mapping '{text}': '{part}' maps {key} a second time.");
            if (column.StartsWith('-') && int.TryParse(column, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                throw new FormatException($"Column mapping '{text}': '{part}' has a negative index; indices are 0-based.");
        }
        foreach (var required in new[] { "user", "item" })
            if (!map.ContainsKey(required)) throw new FormatException($"Column mapping '{text}' has no {required}=...; user and item are required.");
        return new ColumnMap(map["user"], map["item"], map.GetValueOrDefault("rating"), map.GetValueOrDefault("time"));
    }

    /// <summary>The mapping as <see cref="Parse"/> reads it.</summary>
    public override string ToString() =>
        $"user={User},item={Item}" + (Rating is null ? "" : $",rating={Rating}") + (Time is null ? "" : $",time={Time}");

    /// <summary>Columns in role order (user, item, rating, time), null where unmapped.</summary>
    internal IReadOnlyList<string?> ByRole => [User, Item, Rating, Time];

    /// <summary>Whether <paramref name="column"/> is a 0-based index rather than a header name.</summary>
    internal static bool IsIndex(string column, out int index) =>
        int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out index);
}
