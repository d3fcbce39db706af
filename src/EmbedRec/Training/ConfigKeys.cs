using System.Text;
using EmbedRec.Config;

namespace EmbedRec.Training;

/// <summary>One documented configuration key.</summary>
/// <param name="Key">The dotted key ("epochs", "model.n_layers").</param>
/// <param name="Type">Its type as text.</param>
/// <param name="Default">Its default (empty when unset).</param>
/// <param name="Meaning">What it sets.</param>
/// <param name="Scope">Where it applies ("trainer", "model lightgcn", ...).</param>
public sealed record KeyDoc(string Key, string Type, string Default, string Meaning, string Scope);

/// <summary>
/// Every configuration key, generated from the registry's options records: what <c>embedrec config keys</c>
/// prints and what <c>docs/training.md</c>'s key table is (a test keeps the two in step).
/// </summary>
public static class ConfigKeys
{
    /// <summary>The keys: top level, then each model (or only <paramref name="model"/>), objective, initializer and optimizer section.</summary>
    public static IReadOnlyList<KeyDoc> List(Registry registry, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var list = new List<KeyDoc>();
        void Add(string prefix, string scope, IOptionsBinder binder) =>
            list.AddRange(binder.Keys.Select(k => new KeyDoc(prefix + k.Name, k.TypeText, k.Default ?? "", k.Description, scope)));
        Add("", "data", DataOptions.Binder);
        Add("", "trainer", TrainerOptions.Binder);
        var models = model is null ? registry.Models : [registry.Model(model, "--model")];
        foreach (var m in models)
        {
            list.Add(new KeyDoc("model.name", "text", "", m.Description + (m.DefaultObjective is null ? "; fitted in one pass" : $"; default objective {m.DefaultObjective}"), $"model {m.Name}"));
            Add("model.", $"model {m.Name}", m.Binder);
        }
        foreach (var o in registry.Objectives) Add("objective.", $"objective {o.Name}", o.Binder);
        foreach (var i in registry.Initializers) Add("init.", $"init {i.Name}", i.Binder);
        foreach (var o in registry.Optimizers) Add("optimizer.", $"optimizer {o.Name}", o.Binder);
        Add("optimizer.sevo.", "SEvo (any optimizer)", SevoSettings.Binder);
        return list;
    }

    /// <summary>The keys as a Markdown table grouped by scope.</summary>
    public static string Markdown(Registry registry)
    {
        var sb = new StringBuilder();
        foreach (var group in List(registry).GroupBy(k => k.Scope))
        {
            sb.Append("\n**").Append(group.Key).Append("**\n\n| key | type | default | meaning |\n|---|---|---|---|\n");
            foreach (var k in group)
                sb.Append("| `").Append(k.Key).Append("` | ").Append(k.Type.Replace("|", "\\|", StringComparison.Ordinal)).Append(" | ")
                  .Append(k.Default.Length == 0 ? "" : "`" + k.Default + "`").Append(" | ").Append(k.Meaning.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
        }
        return sb.ToString();
    }
}
