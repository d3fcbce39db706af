namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// <c>EMBEDREC_BLAS=auto</c> when the calibration splits the shape classes between backends: each call goes to
/// the backend its shape class was calibrated to (<see cref="BlasCalibration.BackendFor"/>). The table is fixed, so
/// a shape always runs on the same backend.
/// </summary>
public sealed class AutoBlas : IBlas
{
    private readonly IBlas _managed, _native;

    /// <summary>Dispatches between <paramref name="managed"/> and <paramref name="native"/> by <paramref name="calibration"/>.</summary>
    public AutoBlas(BlasCalibration calibration, IBlas managed, IBlas native)
    {
        Calibration = calibration ?? throw new ArgumentNullException(nameof(calibration));
        _managed = managed ?? throw new ArgumentNullException(nameof(managed));
        _native = native ?? throw new ArgumentNullException(nameof(native));
    }

    /// <summary>The backend for a whole calibration: the managed or native one when every class agrees, else an <see cref="AutoBlas"/>.</summary>
    public static IBlas For(BlasCalibration calibration, IBlas managed, IBlas native) =>
        calibration.All("managed") ? managed : calibration.All("openblas") ? native : new AutoBlas(calibration, managed, native);

    /// <summary>The table in use.</summary>
    public BlasCalibration Calibration { get; }

    /// <inheritdoc />
    public string Name => "auto";

    /// <inheritdoc />
    public int Threads => _managed.Threads;

    /// <inheritdoc />
    public string Description
    {
        get
        {
            var native = Calibration.Classes.Where(c => c.Backend == "openblas").Select(c => c.ShapeClass);
            return $"auto per shape class: OpenBLAS for {string.Join(", ", native)}, managed for the rest; {_native.Description}; {_managed.Description}";
        }
    }

    /// <summary>The backend that runs op(A)[m, k] · op(B)[k, n].</summary>
    public IBlas BackendFor(int m, int n, int k) => Calibration.BackendFor(m, n, k) == "openblas" ? _native : _managed;

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        BackendFor(m, n, k).Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
