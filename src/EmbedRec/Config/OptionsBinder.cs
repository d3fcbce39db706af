using System.Globalization;

namespace EmbedRec.Config;

/// <summary>The untyped face of an <see cref="OptionsBinder{T}"/>: its keys, and binding a section to an options record.</summary>
public interface IOptionsBinder
{
    /// <summary>The keys, in declaration order, with the defaults of the options record.</summary>
    IReadOnlyList<OptionKey> Keys { get; }

    /// <summary>The options record with the values of <paramref name="section"/> applied to its defaults.</summary>
    /// <param name="section">Values by key name (without the section prefix).</param>
    /// <param name="prefix">The section's prefix for messages ("model.", "" for the top level).</param>
    /// <param name="context">What the section belongs to, for unknown-key messages ("of model 'mf'").</param>
    object Bind(IReadOnlyDictionary<string, ConfigValue> section, string prefix, string? context = null);

    /// <summary>Each key's value in <paramref name="options"/> as configuration text (null when unset).</summary>
    IReadOnlyList<KeyValuePair<OptionKey, string?>> Describe(object options);
}

/// <summary>
/// Maps configuration keys onto an options record explicitly, one declaration per key (DESIGN decision 6):
/// the key's name, type, meaning and range, and how to read and set it on the record. Each default is
/// read from the record itself (<c>new T()</c>), so it is written once, where the record declares it.
/// Values are parsed with the invariant culture and range-checked; errors name the key, the value and
/// where it was set.
/// </summary>
/// <typeparam name="T">The options record.</typeparam>
public sealed class OptionsBinder<T> : IOptionsBinder where T : class
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly T _defaults;
    private readonly List<Entry> _entries = [];

    private sealed record Entry(OptionKey Key, Func<T, string, string, string, T> Apply, Func<T, string?> Format);

    /// <summary>Creates a binder whose defaults are <paramref name="defaults"/> (normally <c>new T()</c>).</summary>
    public OptionsBinder(T defaults) => _defaults = defaults ?? throw new ArgumentNullException(nameof(defaults));

    /// <inheritdoc />
    public IReadOnlyList<OptionKey> Keys => _entries.Select(e => e.Key).ToList();

    /// <summary>The defaults.</summary>
    public T Defaults => _defaults;

    private OptionsBinder<T> Add(string name, ConfigType type, string description, Func<T, string?> format, Func<T, string, string, string, T> apply, IReadOnlyList<string>? choices = null)
    {
        if (_entries.Any(e => e.Key.Name == name)) throw new ArgumentException($"Key '{name}' is declared twice.");
        _entries.Add(new Entry(new OptionKey(name, type, format(_defaults), description, choices ?? []), apply, format));
        return this;
    }

    /// <summary>An integer key in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public OptionsBinder<T> Int(string name, Func<T, int> get, Func<T, int, T> set, string description, int min = int.MinValue, int max = int.MaxValue) =>
        Add(name, ConfigType.Int, description, o => get(o).ToString(Inv), (o, text, where, key) => set(o, ParseInt(key, text, where, min, max)));

    /// <summary>A number key in [<paramref name="min"/>, <paramref name="max"/>] (or (min, max] when <paramref name="exclusiveMin"/>).</summary>
    public OptionsBinder<T> Float(string name, Func<T, float> get, Func<T, float, T> set, string description,
        float min = float.MinValue, float max = float.MaxValue, bool exclusiveMin = false) =>
        Add(name, ConfigType.Float, description, o => get(o).ToString("R", Inv), (o, text, where, key) => set(o, ParseFloat(key, text, where, min, max, exclusiveMin)));

    /// <summary>A number key that may be unset (null).</summary>
    public OptionsBinder<T> OptionalFloat(string name, Func<T, float?> get, Func<T, float?, T> set, string description,
        float min = float.MinValue, float max = float.MaxValue, bool exclusiveMin = false) =>
        Add(name, ConfigType.Float, description, o => get(o)?.ToString("R", Inv),
            (o, text, where, key) => set(o, text is "" or "null" or "none" ? null : ParseFloat(key, text, where, min, max, exclusiveMin)));

    /// <summary>An integer key that may be unset (null).</summary>
    public OptionsBinder<T> OptionalInt(string name, Func<T, int?> get, Func<T, int?, T> set, string description, int min = int.MinValue, int max = int.MaxValue) =>
        Add(name, ConfigType.Int, description, o => get(o)?.ToString(Inv),
            (o, text, where, key) => set(o, text is "" or "null" or "none" ? null : ParseInt(key, text, where, min, max)));

    /// <summary>A true/false key.</summary>
    public OptionsBinder<T> Bool(string name, Func<T, bool> get, Func<T, bool, T> set, string description) =>
        Add(name, ConfigType.Bool, description, o => get(o) ? "true" : "false", (o, text, where, key) => set(o, text.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new FormatException($"{where}: '{key}' must be true or false, got '{text}'."),
        }));

    /// <summary>A text key.</summary>
    public OptionsBinder<T> Text(string name, Func<T, string?> get, Func<T, string?, T> set, string description) =>
        Add(name, ConfigType.String, description, get, (o, text, _, _) => set(o, text));

    /// <summary>A key that names one of <paramref name="choices"/> (case-insensitive; the first name of a value is how it is written back).</summary>
    public OptionsBinder<T> Choice<TValue>(string name, Func<T, TValue> get, Func<T, TValue, T> set, string description, params (string Name, TValue Value)[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var names = choices.Select(c => c.Name).ToList();
        return Add(name, ConfigType.Choice, description,
            o => choices.Where(c => EqualityComparer<TValue>.Default.Equals(c.Value, get(o))).Select(c => c.Name).FirstOrDefault(),
            (o, text, where, key) =>
            {
                foreach (var c in choices) if (string.Equals(c.Name, text.Trim(), StringComparison.OrdinalIgnoreCase)) return set(o, c.Value);
                throw new FormatException($"{where}: '{key}' must be one of {string.Join(", ", names.Distinct())}, got '{text}'.");
            }, names.Distinct().ToList());
    }

    /// <summary>A list of integers, each in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public OptionsBinder<T> IntList(string name, Func<T, IReadOnlyList<int>> get, Func<T, int[], T> set, string description, int min = int.MinValue, int max = int.MaxValue) =>
        Add(name, ConfigType.IntList, description, o => string.Join(",", get(o).Select(v => v.ToString(Inv))),
            (o, text, where, key) => set(o, Split(text).Select(v => ParseInt(key, v, where, min, max)).ToArray()));

    /// <summary>A list of text.</summary>
    public OptionsBinder<T> TextList(string name, Func<T, IReadOnlyList<string>> get, Func<T, string[], T> set, string description) =>
        Add(name, ConfigType.StringList, description, o => string.Join(",", get(o)), (o, text, _, _) => set(o, Split(text)));

    /// <summary>A key whose text the caller parses (<paramref name="parse"/> throws <see cref="FormatException"/> naming what is wrong).</summary>
    public OptionsBinder<T> Custom(string name, ConfigType type, Func<T, string?> format, Func<T, string, T> parse, string description) =>
        Add(name, type, description, format, (o, text, where, key) =>
        {
            try { return parse(o, text); }
            catch (Exception e) when (e is FormatException or ArgumentException) { throw new FormatException($"{where}: '{key}': {e.Message}", e); }
        });

    /// <inheritdoc />
    object IOptionsBinder.Bind(IReadOnlyDictionary<string, ConfigValue> section, string prefix, string? context) => Bind(section, prefix, context);

    /// <summary>The defaults with the values of <paramref name="section"/> applied, in declaration order.</summary>
    public T Bind(IReadOnlyDictionary<string, ConfigValue> section, string prefix = "", string? context = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (var (key, value) in section)
            if (!_entries.Any(e => e.Key.Name == key))
                throw new FormatException($"{value.Where}: " + KeySuggestion.Unknown(prefix + key, _entries.Select(e => prefix + e.Key.Name), context));
        var o = _defaults;
        foreach (var e in _entries)
            if (section.TryGetValue(e.Key.Name, out var v)) o = e.Apply(o, v.Text, v.Where, prefix + e.Key.Name);
        return o;
    }

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<OptionKey, string?>> Describe(object options)
    {
        var o = options as T ?? throw new ArgumentException($"Expected {typeof(T).Name}, got {options?.GetType().Name ?? "null"}.");
        return _entries.Select(e => new KeyValuePair<OptionKey, string?>(e.Key, e.Format(o))).ToList();
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int ParseInt(string name, string text, string where, int min, int max)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, Inv, out long v))
            throw new FormatException($"{where}: '{name}' must be an integer, got '{text}'.");
        if (v < min || v > max)
            throw new FormatException($"{where}: '{name}' must be {Range(min, max)}, got {text.Trim()}.");
        return (int)v;
    }

    private static float ParseFloat(string name, string text, string where, float min, float max, bool exclusiveMin)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, Inv, out double v) || !double.IsFinite(v))
            throw new FormatException($"{where}: '{name}' must be a finite number, got '{text}'.");
        if (v < min || v > max || (exclusiveMin && v <= min))
            throw new FormatException($"{where}: '{name}' must be {(exclusiveMin ? $"> {min.ToString(Inv)}" : "")}{(exclusiveMin && max < float.MaxValue ? " and " : "")}{(exclusiveMin ? (max < float.MaxValue ? $"≤ {max.ToString(Inv)}" : "") : Range(min, max))}, got {text.Trim()}.");
        return (float)v;
    }

    private static string Range(double min, double max) =>
        min <= int.MinValue || min <= float.MinValue ? $"≤ {max.ToString(Inv)}"
        : max >= int.MaxValue || max >= float.MaxValue ? $"≥ {min.ToString(Inv)}"
        : $"in [{min.ToString(Inv)}, {max.ToString(Inv)}]";
}
