using BenchmarkDotNet.Running;
using EmbedRec.Benchmarks;

// `quick ...` runs the side-by-side timers that bench/compare.py uses; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "quick") return QuickRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == "seq") return SeqRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == "dlr2") return Dlr2Runner.Run(args[1..]);
if (args.Length > 0 && args[0] == "diag") return DiagnosticsRunner.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(QuickRunner).Assembly).Run(args);
return 0;
