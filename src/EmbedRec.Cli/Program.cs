using System.CommandLine;
using System.Globalization;
using EmbedRec.Cli;

// Numbers on screen and in files read the same everywhere: 0.0123, not 0,0123 under a German locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

var root = new RootCommand("EmbedRec: recommender-system embeddings that capture structure (Leporid, SEvo, DirectSpec).");
var verbose = new Option<bool>("--verbose") { Description = "On an internal error (a bug in EmbedRec), print its stack trace.", Recursive = true };
root.Options.Add(verbose);
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(TrainCommands.Train());
root.Subcommands.Add(TrainCommands.Evaluate());
root.Subcommands.Add(TrainCommands.Recommend());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(DataCommands.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(ConfigCommand.Create());
return Terminal.Invoke(root, verbose, args);
