using System.CommandLine;
using EmbedRec.Cli;

var root = new RootCommand("EmbedRec: recommender-system embeddings that capture structure (Leporid, SEvo, DirectSpec).");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(DataCommands.Create());
return root.Parse(args).Invoke();
