using System.Globalization;
using System.Text;
using EmbedRec.Evaluation;
using EmbedRec.Losses;
using EmbedRec.Training;
using YamlDotNet.RepresentationModel;

namespace EmbedRec.Config;

/// <summary>
/// A run configuration: values by key, from YAML files, <c>--set key=value</c> and flags, checked against
/// <see cref="ConfigSchema"/> (unknown keys and wrongly typed values are errors that name the key, the
/// value and where it came from), then mapped explicitly onto typed options.
/// </summary>
public sealed class RunConfig
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Dictionary<string, string> _values = [];

    /// <summary>Raw values by key (lists as comma-separated text).</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>Sets <paramref name="key"/> from text, checking key and type.</summary>
    public void Set(string key, string value, string where = "--set")
    {
        var k = ConfigSchema.Get(key, where);
        Check(k, value, where);
        _values[key] = value;
    }

    /// <summary>Parses and applies a <c>key=value</c> assignment.</summary>
    public void Assign(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new FormatException($"--set '{assignment}': expected key=value.");
        Set(assignment[..eq].Trim(), assignment[(eq + 1)..].Trim());
    }

    /// <summary>Applies a YAML file of key: value pairs (lists allowed).</summary>
    public void LoadYaml(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Config file '{path}' does not exist.", path);
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"{path}:{e.Start.Line}: {e.Message}", e);
        }
        if (yaml.Documents.Count == 0) return;
        if (yaml.Documents[0].RootNode is not YamlMappingNode root) throw new FormatException($"{path}: the top level must be a mapping of key: value.");
        Apply(root, "", path);
    }

    private void Apply(YamlMappingNode mapping, string prefix, string path)
    {
        foreach (var (kn, vn) in mapping.Children)
        {
            var key = prefix + (((YamlScalarNode)kn).Value ?? "");
            string where = $"{path}:{kn.Start.Line}";
            if (vn is YamlMappingNode nested)
            {
                Apply(nested, key + ".", path);
                continue;
            }
            if (key == "optimizer.name") key = "optimizer";
            string value = vn switch
            {
                YamlScalarNode s => s.Value ?? "",
                YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => c is YamlScalarNode s ? s.Value : throw new FormatException($"{where}: '{key}' must be a list of values."))),
                _ => throw new FormatException($"{where}: '{key}' must be a value or a list."),
            };
            Set(key, value, where);
        }
    }

    private static void Check(ConfigKey k, string value, string where)
    {
        bool ok = k.Type switch
        {
            ConfigType.Int => long.TryParse(value, NumberStyles.Integer, Inv, out _),
            ConfigType.Float => double.TryParse(value, NumberStyles.Float, Inv, out _),
            ConfigType.Bool => value is "true" or "false" or "True" or "False",
            ConfigType.IntList => value.Split(',', StringSplitOptions.RemoveEmptyEntries).All(v => int.TryParse(v.Trim(), NumberStyles.Integer, Inv, out _)),
            _ => true,
        };
        if (!ok) throw new FormatException($"{where}: '{k.Key}' must be {Describe(k.Type)}, got '{value}'.");
    }

    private static string Describe(ConfigType t) => t switch
    {
        ConfigType.Int => "an integer",
        ConfigType.Float => "a number",
        ConfigType.Bool => "true or false",
        ConfigType.IntList => "a list of integers",
        ConfigType.StringList => "a list",
        _ => "text",
    };

    /// <summary>Whether <paramref name="key"/> was set.</summary>
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>Text value or the schema default.</summary>
    public string? Get(string key) => _values.TryGetValue(key, out var v) ? v : ConfigSchema.Get(key, "config").Default;

    /// <summary>Required text value.</summary>
    public string Require(string key) => Get(key) ?? throw new FormatException($"The configuration needs '{key}' ({ConfigSchema.Get(key, "config").Description}).");

    /// <summary>Integer value.</summary>
    public int Int(string key, int fallback = 0) => Get(key) is { } v ? int.Parse(v, Inv) : fallback;

    /// <summary>Float value.</summary>
    public float Float(string key, float fallback = 0) => Get(key) is { } v ? float.Parse(v, Inv) : fallback;

    /// <summary>Optional float value.</summary>
    public float? OptionalFloat(string key) => Get(key) is { } v ? float.Parse(v, Inv) : null;

    /// <summary>Boolean value.</summary>
    public bool Bool(string key) => Get(key) is { } v && bool.Parse(v);

    /// <summary>Integer list value.</summary>
    public int[] IntList(string key) => (Get(key) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v.Trim(), Inv)).ToArray();

    /// <summary>Text list value.</summary>
    public string[] StringList(string key) => (Get(key) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The trainer options this configuration describes.</summary>
    public TrainerOptions TrainerOptions()
    {
        string model = Require("model").ToLowerInvariant();
        return new TrainerOptions
        {
            Epochs = Int("epochs"),
            BatchSize = Int("train_batch_size"),
            Negatives = Int("neg_samples", model == "neumf" ? 4 : 1),
            Loss = Get("loss_type") is { } l ? RecLoss.Parse(l) : null,
            Optimizer = Get("optimizer")!.ToLowerInvariant() switch
            {
                "adam" => OptimizerKind.Adam,
                "adamw" => OptimizerKind.AdamW,
                "sgd" => OptimizerKind.Sgd,
                var o => throw new FormatException($"optimizer '{o}' is not adam, adamw or sgd."),
            },
            LearningRate = Float("learning_rate"),
            WeightDecay = Float("weight_decay"),
            Momentum = Float("momentum"),
            Beta2 = Float("beta2"),
            Schedule = Get("lr_schedule")!.ToLowerInvariant() switch
            {
                "none" => ScheduleKind.None,
                "cosine" => ScheduleKind.Cosine,
                "step" => ScheduleKind.Step,
                "exponential" => ScheduleKind.Exponential,
                var s => throw new FormatException($"lr_schedule '{s}' is not none, cosine, step or exponential."),
            },
            ScheduleStep = Int("lr_step"),
            ScheduleGamma = Float("lr_gamma"),
            ClipGradNorm = OptionalFloat("clip_grad_norm"),
            EvalEvery = Int("eval_step"),
            ValidMetric = Get("valid_metric")!.ToLowerInvariant(),
            StoppingStep = Int("stopping_step"),
            TrackErank = Bool("track_erank"),
            Sampling = Get("sampling")?.ToLowerInvariant() switch
            {
                null => null,
                "interactions" => SamplingKind.Interactions,
                "users" => SamplingKind.Users,
                var v => throw new FormatException($"sampling '{v}' is not interactions or users."),
            },
            Sevo = Sevo(),
            Seed = (ulong)Int("seed"),
            Evaluation = new EvaluationOptions
            {
                Cutoffs = IntList("topk"),
                Metrics = StringList("metrics").Select(MetricNames.Parse).ToArray(),
                BlockSize = Int("eval_batch_size"),
            },
        };
    }

    /// <summary>SEvo settings, or null when <c>optimizer.sevo.graph</c> is none.</summary>
    public Training.SevoSettings? Sevo()
    {
        var graph = (Get("optimizer.sevo.graph") ?? "none").ToLowerInvariant();
        if (graph == "none") return null;
        var kind = graph switch
        {
            "ii" => Training.SevoGraph.ItemItem,
            "ui" => Training.SevoGraph.UserItem,
            "category" => Training.SevoGraph.Category,
            _ => throw new FormatException($"optimizer.sevo.graph '{graph}' is not none, ii, ui or category."),
        };
        var variant = (Get("optimizer.sevo.variant") ?? "rescaled").ToLowerInvariant() switch
        {
            "rescaled" => Tensors.Optim.SevoVariant.RescaledNeumann,
            "neumann" => Tensors.Optim.SevoVariant.Neumann,
            "iterative" => Tensors.Optim.SevoVariant.Iterative,
            var v => throw new FormatException($"optimizer.sevo.variant '{v}' is not rescaled, neumann or iterative."),
        };
        var sevo = new Tensors.Optim.SevoOptions
        {
            Beta = Float("optimizer.sevo.beta"),
            Layers = Int("optimizer.sevo.layers"),
            MomentCorrection = Bool("optimizer.sevo.correction"),
            Variant = variant,
        };
        sevo.Validate();
        var weighting = (Get("optimizer.sevo.weighting") ?? "distance").ToLowerInvariant();
        if (weighting is not ("distance" or "frequency")) throw new FormatException($"optimizer.sevo.weighting '{weighting}' is not distance or frequency.");
        return new Training.SevoSettings(kind, sevo, new Graphs.CoOccurrenceOptions
        {
            MaxLength = Has("optimizer.sevo.max_length") ? Int("optimizer.sevo.max_length") : null,
            MaxDistance = Int("optimizer.sevo.max_distance"),
            DistanceWeighting = weighting == "distance",
        });
    }

    /// <summary>Every key with its resolved value (set or default), as YAML.</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder("# resolved EmbedRec configuration\n");
        foreach (var k in ConfigSchema.Keys)
        {
            var v = Get(k.Key);
            if (v is null) continue;
            string text = k.Type is ConfigType.IntList or ConfigType.StringList
                ? "[" + string.Join(", ", v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => Quote(x.Trim()))) + "]"
                : k.Type is ConfigType.String ? Quote(v) : v;
            sb.Append(k.Key).Append(": ").Append(text).Append('\n');
        }
        return sb.ToString();
    }

    private static string Quote(string s) => s.Length == 0 || s.Any(c => ":#[]{},&*!|>'\"%@`;=".Contains(c)) || s != s.Trim() ? "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" : s;
}
