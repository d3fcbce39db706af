using YamlDotNet.RepresentationModel;

namespace EmbedRec.Config;

/// <summary>
/// A run configuration as written: values by dotted key (<c>epochs</c>, <c>model.n_layers</c>,
/// <c>optimizer.sevo.beta</c>) with where each was set, from YAML files or text, <c>--set key=value</c>
/// and flags. It knows no keys: which keys exist, their types and defaults are declared by the options
/// records of the trainer, models, objectives, initializers and optimizers, and checked when the
/// configuration is resolved against them (unknown keys and bad values are errors that name the key,
/// the value and where it came from).
/// </summary>
public sealed class RunConfig
{
    /// <summary>The sections that take a scalar shorthand for their name (<c>model: mf</c> = <c>model: { name: mf }</c>).</summary>
    public static readonly IReadOnlyList<string> NamedSections = ["model", "objective", "init", "optimizer"];

    private readonly Dictionary<string, ConfigValue> _values = [];

    /// <summary>Raw values by dotted key, in the order first set.</summary>
    public IReadOnlyDictionary<string, ConfigValue> Values => _values;

    /// <summary>Sets <paramref name="key"/> (a named section alone means its name: "model" → "model.name").</summary>
    public void Set(string key, string value, string where = "--set")
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        key = key.Trim();
        if (key.Length == 0 || key.StartsWith('.') || key.EndsWith('.') || key.Contains("..", StringComparison.Ordinal))
            throw new FormatException($"{where}: '{key}' is not a key.");
        if (NamedSections.Contains(key)) key += ".name";
        _values[key] = new ConfigValue(value, where);
    }

    /// <summary>Parses and applies a <c>key=value</c> assignment.</summary>
    public void Assign(string assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new FormatException($"--set '{assignment}': expected key=value.");
        Set(assignment[..eq].Trim(), assignment[(eq + 1)..].Trim(), $"--set {assignment[..eq].Trim()}");
    }

    /// <summary>Applies a YAML file of key: value pairs (nested mappings are sections; lists allowed).</summary>
    public void LoadYaml(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Config file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        Load(reader, path);
    }

    /// <summary>Applies YAML text (<paramref name="origin"/> names it in messages).</summary>
    public void LoadYamlText(string yaml, string origin = "config")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        using var reader = new StringReader(yaml);
        Load(reader, origin);
    }

    private void Load(TextReader reader, string origin)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"{origin}:{e.Start.Line}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"{origin}: not valid YAML (an unclosed bracket or quote?): {e.Message}", e);
        }
        if (yaml.Documents.Count == 0) return;
        if (yaml.Documents[0].RootNode is not YamlMappingNode root) throw new FormatException($"{origin}: the top level must be a mapping of key: value.");
        Apply(root, "", origin);
    }

    private void Apply(YamlMappingNode mapping, string prefix, string origin)
    {
        foreach (var (kn, vn) in mapping.Children)
        {
            string where = $"{origin}:{kn.Start.Line}";
            if (kn is not YamlScalarNode { Value: { Length: > 0 } name })
                throw new FormatException($"{where}: a key must be a plain name, not a list or mapping.");
            var key = prefix + name;
            if (vn is YamlMappingNode nested)
            {
                Apply(nested, key + ".", origin);
                continue;
            }
            string value = vn switch
            {
                YamlScalarNode s => s.Value ?? "",
                YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => c is YamlScalarNode s ? s.Value : throw new FormatException($"{where}: '{key}' must be a list of values."))),
                _ => throw new FormatException($"{where}: '{key}' must be a value or a list."),
            };
            Set(key, value, where);
        }
    }

    /// <summary>The text of <paramref name="key"/> as set, or null.</summary>
    public string? Get(string key) => _values.TryGetValue(key, out var v) ? v.Text : null;

    /// <summary>The keys directly under <paramref name="section"/> ("" for the top level), sub-sections excluded.</summary>
    public IReadOnlyDictionary<string, ConfigValue> Section(string section, params string[] excluding)
    {
        string prefix = section.Length == 0 ? "" : section + ".";
        var result = new Dictionary<string, ConfigValue>();
        foreach (var (k, v) in _values)
        {
            if (!k.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = k[prefix.Length..];
            if (excluding.Contains(rest)) continue;
            int dot = rest.IndexOf('.');
            if (dot >= 0 && excluding.Contains(rest[..dot])) continue;
            result[rest] = v;
        }
        return result;
    }

    /// <summary>A copy.</summary>
    public RunConfig Clone()
    {
        var c = new RunConfig();
        foreach (var (k, v) in _values) c._values[k] = v;
        return c;
    }
}
