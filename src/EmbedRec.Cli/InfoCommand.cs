using System.CommandLine;
using System.Text.Json;

namespace EmbedRec.Cli;

/// <summary><c>embedrec info</c>: version, BLAS backend, SIMD width and threads.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the information as JSON." };
        var cmd = new Command("info", "Show the version, the BLAS backend in use, the SIMD width and the thread count.") { json };
        cmd.SetAction(parse =>
        {
            var e = LibraryInfo.Engine();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    version = LibraryInfo.Version,
                    runtime = Environment.Version.ToString(),
                    blas = new { backend = e.BlasBackend, description = e.BlasDescription, threads = e.BlasThreads, native_unavailable = e.NativeUnavailableReason },
                    managed_gemm = e.ManagedKernel,
                    simd_bits = e.SimdBits,
                    instruction_sets = e.InstructionSets,
                    threads = e.Threads,
                    processors = e.ProcessorCount,
                }, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            Console.WriteLine($"EmbedRec {LibraryInfo.Version} (.NET {Environment.Version})");
            Console.WriteLine($"BLAS:     {e.BlasDescription}");
            if (e.NativeUnavailableReason is { } why) Console.WriteLine($"          native BLAS not used: {why}");
            Console.WriteLine($"Managed:  {e.ManagedKernel}");
            Console.WriteLine($"SIMD:     {e.SimdBits}-bit vectors ({string.Join(", ", e.InstructionSets)})");
            Console.WriteLine($"Threads:  {e.Threads} (of {e.ProcessorCount} processors; set EMBEDREC_THREADS to change)");
            return 0;
        });
        return cmd;
    }
}
