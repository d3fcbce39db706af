using System.Text;
using EmbedRec.Config;
using EmbedRec.Initializers;
using EmbedRec.Models;
using EmbedRec.Objectives;

namespace EmbedRec.Training;

/// <summary>A component chosen by a configuration with its bound options record.</summary>
/// <typeparam name="T">The registration type.</typeparam>
/// <param name="Registration">The registration.</param>
/// <param name="Options">Its options record, defaults overridden by the configuration.</param>
public sealed record Selected<T>(T Registration, object Options) where T : Component;

/// <summary>
/// A configuration resolved against a <see cref="Registry"/>: every key checked and bound to its typed
/// options record (data and trainer keys at the top level; <c>model:</c>, <c>objective:</c>, <c>init:</c>,
/// <c>optimizer:</c> and <c>optimizer.sevo:</c> sections to the chosen components' records). Resolution
/// loads no data, so a bad value fails before anything is read or written.
/// </summary>
public sealed record RunSpec
{
    /// <summary>The optimizer when the configuration names none (RecBole's default learner).</summary>
    public const string DefaultOptimizer = "adam";

    /// <summary>Data keys.</summary>
    public required DataOptions Data { get; init; }

    /// <summary>Trainer keys.</summary>
    public required TrainerOptions Trainer { get; init; }

    /// <summary>The model.</summary>
    public required Selected<ModelRegistration> Model { get; init; }

    /// <summary>The objective (null for fitted models).</summary>
    public Selected<ObjectiveRegistration>? Objective { get; init; }

    /// <summary>The initializer, or null to keep the model's own initialization.</summary>
    public Selected<InitializerRegistration>? Init { get; init; }

    /// <summary>The optimizer.</summary>
    public required Selected<OptimizerRegistration> Optimizer { get; init; }

    /// <summary>SEvo over the optimizer (graph none = off).</summary>
    public required SevoSettings Sevo { get; init; }

    /// <summary>The registry it was resolved against.</summary>
    public required Registry Registry { get; init; }

    /// <summary>
    /// The parameters kept fixed in training: the configuration's <c>freeze</c> list, then those a model that keeps
    /// initialized tables fixed (<see cref="IFreezesInitializedEmbeddings"/>, DLR2) adds for this run's initializer.
    /// <c>config.yaml</c> keeps the two apart (<c>freeze</c> and, for DLR2, <c>model.freeze_embeddings: auto</c>), so a
    /// configuration reused with another initializer decides again; <c>metrics.json</c> records the whole list.
    /// </summary>
    public IReadOnlyList<string> Frozen =>
        Model.Options is IFreezesInitializedEmbeddings freezing
            ? [.. Trainer.Freeze, .. freezing.FrozenParameters(Init?.Registration.FromData == true).Except(Trainer.Freeze, StringComparer.Ordinal)]
            : Trainer.Freeze;

    /// <summary>The run name: the <c>name</c> key, else model-dataset.</summary>
    public string RunName => Data.Name ?? $"{Model.Registration.Name}-{Path.GetFileNameWithoutExtension((Data.Dataset ?? "data").TrimEnd('/', '\\'))}";

    /// <summary>Checks and binds every key of <paramref name="config"/>; errors name the key, the value and where it was set.</summary>
    public static RunSpec Resolve(RunConfig config, Registry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var reg = registry ?? Registry.Default;
        var (data, trainer) = BindTopLevel(config);
        var modelName = config.Values.GetValueOrDefault("model.name")
            ?? throw new FormatException($"The configuration needs 'model' (one of {string.Join(", ", reg.Models.Select(m => m.Name))}).");
        var model = reg.Model(modelName.Text, modelName.Where);
        var modelOptions = model.Binder.Bind(config.Section("model", "name"), "model.", $"for model '{model.Name}'");

        Selected<ObjectiveRegistration>? objective = null;
        var objectiveKeys = config.Section("objective", "name");
        var objectiveName = config.Values.GetValueOrDefault("objective.name");
        if (model.DefaultObjective is null)
        {
            if (objectiveName is not null || objectiveKeys.Count > 0)
                throw new FormatException($"{(objectiveName ?? objectiveKeys.Values.First()).Where}: model '{model.Name}' is fitted in one pass; it takes no objective.");
        }
        else
        {
            var o = objectiveName is null ? reg.Objective(model.DefaultObjective, $"model '{model.Name}'") : reg.Objective(objectiveName.Text, objectiveName.Where);
            var keys = new Dictionary<string, ConfigValue>();
            var known = o.Binder.Keys.Select(k => k.Name).ToHashSet();
            foreach (var (k, v) in model.ObjectiveDefaults) if (known.Contains(k)) keys[k] = new ConfigValue(v, $"model '{model.Name}' default");
            foreach (var (k, v) in objectiveKeys) keys[k] = v;
            objective = new(o, o.Binder.Bind(keys, "objective.", $"for objective '{o.Name}'"));
        }

        Selected<InitializerRegistration>? init = null;
        var initName = config.Values.GetValueOrDefault("init.name");
        var initKeys = config.Section("init", "name");
        if (initName is null && initKeys.Count > 0) throw new FormatException($"{initKeys.Values.First().Where}: init keys need 'init.name' ({string.Join(", ", reg.Initializers.Select(i => i.Name))}).");
        if (initName is not null)
        {
            if (model.DefaultObjective is null) throw new FormatException($"{initName.Where}: model '{model.Name}' has no embeddings to initialize.");
            var i = reg.Initializer(initName.Text, initName.Where);
            init = new(i, i.Binder.Bind(initKeys, "init.", $"for initializer '{i.Name}'"));
        }

        var optName = config.Values.GetValueOrDefault("optimizer.name");
        var opt = reg.Optimizer(optName?.Text ?? DefaultOptimizer, optName?.Where ?? "default");
        var optOptions = opt.Binder.Bind(config.Section("optimizer", "name", "sevo"), "optimizer.", $"for optimizer '{opt.Name}'");
        var sevo = SevoSettings.Binder.Bind(config.Section("optimizer.sevo"), "optimizer.sevo.");
        if (model.DefaultObjective is null && config.Values.Keys.FirstOrDefault(k => k.StartsWith("optimizer.", StringComparison.Ordinal)) is { } optKey)
            throw new FormatException($"{config.Values[optKey].Where}: model '{model.Name}' is fitted in one pass; it takes no optimizer ('{optKey}').");
        if (sevo.Graph != SevoGraph.None && optOptions is Tensors.Optim.SgdOptions { Dampening: not 0f } or Tensors.Optim.SgdOptions { Nesterov: true })
            throw new FormatException($"{(config.Values.GetValueOrDefault("optimizer.dampening") ?? config.Values.GetValueOrDefault("optimizer.nesterov"))?.Where ?? "config"}: " +
                "SEvo over SGD smooths the plain momentum buffer; 'optimizer.dampening' and 'optimizer.nesterov' do not apply with 'optimizer.sevo'.");
        try
        {
            trainer.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
        return new RunSpec
        {
            Data = data, Trainer = trainer, Model = new(model, modelOptions), Objective = objective, Init = init,
            Optimizer = new(opt, optOptions), Sevo = sevo, Registry = reg,
        };
    }

    private static (DataOptions, TrainerOptions) BindTopLevel(RunConfig config)
    {
        var top = config.Section("", [.. RunConfig.NamedSections]);
        var dataKeys = DataOptions.Binder.Keys.Select(k => k.Name).ToHashSet();
        var trainerKeys = TrainerOptions.Binder.Keys.Select(k => k.Name).ToHashSet();
        var data = new Dictionary<string, ConfigValue>();
        var trainer = new Dictionary<string, ConfigValue>();
        foreach (var (k, v) in top)
        {
            if (dataKeys.Contains(k)) data[k] = v;
            else if (trainerKeys.Contains(k)) trainer[k] = v;
            else throw new FormatException($"{v.Where}: " + KeySuggestion.Unknown(k, dataKeys.Concat(trainerKeys).Concat(RunConfig.NamedSections),
                k.Contains('.', StringComparison.Ordinal) ? "(sections: model, objective, init, optimizer, optimizer.sevo)" : null));
        }
        return (DataOptions.Binder.Bind(data), TrainerOptions.Binder.Bind(trainer));
    }

    /// <summary>Every key with its resolved value (set or default), as YAML that resolves to this spec again.</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder("# resolved EmbedRec configuration\n");
        Write(sb, "", DataOptions.Binder.Describe(Data));
        Write(sb, "", TrainerOptions.Binder.Describe(Trainer));
        Section(sb, "model", Model.Registration.Name, Model.Registration.Binder.Describe(Model.Options));
        if (Objective is not null) Section(sb, "objective", Objective.Registration.Name, Objective.Registration.Binder.Describe(Objective.Options));
        if (Init is not null) Section(sb, "init", Init.Registration.Name, Init.Registration.Binder.Describe(Init.Options));
        if (Objective is null) return sb.ToString(); // a fitted model takes no optimizer
        Section(sb, "optimizer", Optimizer.Registration.Name, Optimizer.Registration.Binder.Describe(Optimizer.Options));
        sb.Append("  sevo:\n");
        Write(sb, "    ", SevoSettings.Binder.Describe(Sevo));
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string section, string name, IReadOnlyList<KeyValuePair<OptionKey, string?>> keys)
    {
        sb.Append(section).Append(":\n  name: ").Append(Quote(name)).Append('\n');
        Write(sb, "  ", keys);
    }

    private static void Write(StringBuilder sb, string indent, IReadOnlyList<KeyValuePair<OptionKey, string?>> keys)
    {
        foreach (var (k, v) in keys)
        {
            if (v is null) continue;
            string text = k.Type is ConfigType.IntList or ConfigType.StringList
                ? "[" + string.Join(", ", v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => Quote(x.Trim()))) + "]"
                : k.Type is ConfigType.String or ConfigType.Choice ? Quote(v) : v;
            sb.Append(indent).Append(k.Name).Append(": ").Append(text).Append('\n');
        }
    }

    private static string Quote(string s) => s.Length == 0 || s.Any(c => ":#[]{},&*!|>'\"%@`;=".Contains(c)) || s != s.Trim() || s is "null" or "true" or "false" or "~"
        ? "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" : s;
}
