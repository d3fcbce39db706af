namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// Groups GEMM shapes so a calibration timed on one shape per group can decide for all of them: by work
/// (m·n·k: small below 2^21 ≈ 128³, large from 2^28 ≈ 645³, medium between, and huge-square for square products
/// from 2^32 (1626³), where the two backends' relative speed changes again) and, above small, by aspect:
/// <c>deep</c> (k ≥ 4·max(m, n), e.g. a weight gradient summed over a batch), <c>wide</c> (n ≥ 4·max(m, k), e.g. a
/// batch of users scored against all items), <c>tall</c> (m ≥ 4·max(n, k), e.g. a batch through a small layer),
/// <c>flat</c> (4·k ≤ min(m, n), a low-rank outer product) and <c>square</c> (the rest).
/// </summary>
public static class GemmShapeClass
{
    /// <summary>Work below which a product is small.</summary>
    public const long SmallWork = 1L << 21;

    /// <summary>Work from which a product is large.</summary>
    public const long LargeWork = 1L << 28;

    /// <summary>Work from which a square product is huge.</summary>
    public const long HugeWork = 1L << 32;

    /// <summary>The class of op(A)[m, k] · op(B)[k, n], e.g. "medium-wide".</summary>
    public static string Of(int m, int n, int k)
    {
        long work = (long)m * n * k;
        if (work < SmallWork) return "small";
        string aspect = Aspect(m, n, k);
        if (work >= HugeWork && aspect == "square") return "huge-square";
        return $"{(work < LargeWork ? "medium" : "large")}-{aspect}";
    }

    private static string Aspect(long m, long n, long k)
    {
        if (k >= 4 * Math.Max(m, n)) return "deep";
        if (n >= 4 * Math.Max(m, k)) return "wide";
        if (m >= 4 * Math.Max(n, k)) return "tall";
        if (4 * k <= Math.Min(m, n)) return "flat";
        return "square";
    }

    /// <summary>
    /// One shape per class, the one calibration times: medium shapes do about 2^26 multiply-adds (the models' scoring
    /// and layer shapes, with k = 64 as in the embedding size), large ones about 2^30, the huge one 2^32.1.
    /// </summary>
    public static IReadOnlyList<(string Class, int M, int N, int K)> Representatives { get; } =
    [
        ("small", 64, 128, 128),
        ("medium-square", 400, 400, 400),
        ("medium-wide", 256, 4096, 64),
        ("medium-tall", 16384, 64, 64),
        ("medium-deep", 64, 64, 16384),
        ("medium-flat", 1024, 1024, 64),
        ("large-square", 1024, 1024, 1024),
        ("large-wide", 256, 16384, 256),
        ("large-tall", 16384, 256, 256),
        ("large-deep", 256, 256, 16384),
        ("large-flat", 2048, 2048, 256),
        ("huge-square", 1664, 1664, 1664),
    ];
}
