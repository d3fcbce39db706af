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
            var c = e.BlasChoice;
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    version = LibraryInfo.Version,
                    runtime = Environment.Version.ToString(),
                    blas = new
                    {
                        backend = e.BlasBackend, description = e.BlasDescription, threads = e.BlasThreads, native_unavailable = e.NativeUnavailableReason,
                        mode = c.Mode, why = c.Summary, cpu = c.CpuModel, cpu_features = c.CpuFeatures.ToString(),
                        coretype = c.CoreType is { } t ? new { value = t.CoreType, chosen_by = t.Source.ToString(), reason = t.Reason } : null,
                        calibration = c.Calibration?.Classes.Select(r => new
                        {
                            shape_class = r.ShapeClass, shape = $"[{r.M}x{r.K}]x[{r.K}x{r.N}]", managed_gflops = r.ManagedGflops,
                            openblas_gflops = r.NativeGflops, openblas_error = r.NativeError, backend = r.Backend,
                        }),
                        calibration_seconds = c.Calibration?.Seconds,
                        calibration_load_per_processor = c.Calibration?.LoadPerProcessor,
                        cache_file = c.CachePath, cache = c.CacheStatus,
                    },
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
            Console.WriteLine($"          EMBEDREC_BLAS={c.Mode}: {c.Summary}");
            if (e.NativeUnavailableReason is { } why && c.Calibration is null) Console.WriteLine($"          native BLAS not used: {why}");
            Console.WriteLine($"CPU:      {c.CpuModel} ({c.CpuFeatures})");
            if (c.CoreType is { } ct)
                Console.WriteLine($"          OpenBLAS core type {ct.CoreType ?? "(OpenBLAS's own detection)"}, chosen by {ct.Source}: {ct.Reason}");
            if (c.Calibration is { } cal)
            {
                string busy = cal.Busy ? $", busy machine: {cal.LoadPerProcessor:F2} other runnable threads per processor" : "";
                Console.WriteLine($"          calibration ({cal.Seconds:F2} s, {cal.Created:yyyy-MM-dd HH:mm} UTC{busy}, OpenBLAS {(cal.NativeCorrect ? "correct" : "INCORRECT")}): {c.CacheStatus}");
                if (c.CachePath is not null) Console.WriteLine($"          cache file {c.CachePath}");
                Console.WriteLine($"          {"shape class",-14} {"timed shape",-24} {"managed",8} {"OpenBLAS",9}  runs on   (GFLOP/s)");
                foreach (var r in cal.Classes)
                    Console.WriteLine($"          {r.ShapeClass,-14} {$"[{r.M}x{r.K}]x[{r.K}x{r.N}]",-24} {r.ManagedGflops,8:F1} {r.NativeGflops,9:F1}  {r.Backend}");
            }
            Console.WriteLine($"Managed:  {e.ManagedKernel}");
            Console.WriteLine($"SIMD:     {e.SimdBits}-bit vectors ({string.Join(", ", e.InstructionSets)})");
            Console.WriteLine($"Threads:  {e.Threads} (of {e.ProcessorCount} processors; set EMBEDREC_THREADS to change)");
            return 0;
        });
        return cmd;
    }
}
