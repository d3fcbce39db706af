using System.CommandLine;
using EmbedRec.Training;

namespace EmbedRec.Cli;

/// <summary><c>embedrec config keys [--model NAME]</c>: every configuration key with type, default and meaning, from the registry.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Only this model's section (and the shared ones)." };
        var markdown = new Option<bool>("--markdown") { Description = "Print the Markdown table of docs/training.md." };
        var keys = new Command("keys", "Print every configuration key with its type, default and meaning.") { model, markdown };
        keys.SetAction(p => Terminal.Guard(() =>
        {
            if (p.GetValue(markdown))
            {
                Console.Write(ConfigKeys.Markdown(Registry.Default));
                return 0;
            }
            foreach (var group in ConfigKeys.List(Registry.Default, p.GetValue(model)).GroupBy(k => k.Scope))
                Terminal.Table(group.Key, ["key", "type", "default", "meaning"], group.Select(k => (IReadOnlyList<string>)[k.Key, k.Type, k.Default, k.Meaning]));
            return 0;
        }));
        return new Command("config", "Configuration keys.") { keys };
    }
}
