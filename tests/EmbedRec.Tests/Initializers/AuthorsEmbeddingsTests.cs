using System.Text;
using EmbedRec.Graphs;
using EmbedRec.Initializers;
using Xunit;

namespace EmbedRec.Tests.Initializers;

/// <summary>
/// A structural check against the Leporid authors' shipped ML-1M embeddings (../shared/data/leporid-ml-1m): their vectors
/// and ours on any graph share the same properties. Their training split did not ship, so their graph cannot be
/// rebuilt and the values themselves cannot be compared (docs/leporid.md).
/// </summary>
public sealed class AuthorsEmbeddingsTests
{
    /// <summary>A minimal reader of a 2-D little-endian float64 .npy file (format 1.0 or 2.0), C or Fortran order, into row-major.</summary>
    private static (double[] Data, int Rows, int Cols) ReadNpy(string path)
    {
        var b = File.ReadAllBytes(path);
        Assert.True(b[0] == 0x93 && Encoding.ASCII.GetString(b, 1, 5) == "NUMPY", $"{path} is not a .npy file");
        int major = b[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(b, 8) : BitConverter.ToInt32(b, 8);
        int start = (major == 1 ? 10 : 12) + headerLength;
        var header = Encoding.ASCII.GetString(b, major == 1 ? 10 : 12, headerLength);
        Assert.Contains("'descr': '<f8'", header);
        bool fortran = header.Contains("'fortran_order': True", StringComparison.Ordinal);
        var shape = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        var dims = shape[..shape.IndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int rows = dims[0], cols = dims[1];
        var raw = new double[rows * cols];
        Buffer.BlockCopy(b, start, raw, 0, raw.Length * 8);
        if (!fortran) return (raw, rows, cols);
        var data = new double[raw.Length];
        for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) data[i * cols + j] = raw[j * rows + i];
        return (data, rows, cols);
    }

    private static double MaxGramError(double[] v, int n, int k)
    {
        double worst = 0;
        for (int a = 0; a < k; a++)
            for (int c = a; c < k; c++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += v[i * k + a] * v[i * k + c];
                worst = Math.Max(worst, Math.Abs(dot - (a == c ? 1 : 0)));
            }
        return worst;
    }

    private static bool SingleSigned(double[] v, int n, int k, int column)
    {
        var c = Enumerable.Range(0, n).Select(i => v[i * k + column]).ToArray();
        return c.All(x => x > 0) || c.All(x => x < 0);
    }

    [SharedDataFact]
    public void OurVectorsHaveThePropertiesOfTheAuthorsShippedOnes()
    {
        var folder = Path.Combine(SharedData.Root!, "leporid-ml-1m");
        foreach (var (side, n) in new[] { ("user", 6040), ("item", 3650) })
        {
            var (raw, rows, k) = ReadNpy(Path.Combine(folder, $"ml_1m_all_{side}64_k1000symjaccard.npy"));
            var (norm, normRows, normK) = ReadNpy(Path.Combine(folder, $"ml_1m_all_{side}64_k1000symjaccard_norm.npy"));
            Assert.Equal((n, 64, n, 64), (rows, k, normRows, normK));
            // Theirs: orthonormal columns, a single-signed first column, and _norm = the per-column population z-score.
            Assert.True(MaxGramError(raw, n, k) < 1e-9, $"{side}: |VᵀV − I| = {MaxGramError(raw, n, k)}");
            Assert.True(SingleSigned(raw, n, k, 0));
            var ours = SpectralRows.ZScore(raw.Select(x => (float)x).ToArray(), n, k, new HashSet<int>());
            for (int p = 0; p < ours.Length; p++) Assert.True(Math.Abs(ours[p] - norm[p]) < 1e-4 * Math.Max(1, Math.Abs(norm[p])), $"{side} z-score entry {p}: {ours[p]} vs {norm[p]}");
        }

        // Ours on a graph of the same kind (a K-nearest Jaccard graph, α = 0.5): the same properties, and ascending eigenvalues.
        var split = InitTestData.Split(users: 300, items: 150);
        var w = JaccardKnn.Items(split.Train, new JaccardKnnOptions { K = 1000 });
        var (r, _) = SpectralEmbedding.Smallest(w, 64, 0.5);
        Assert.True(MaxGramError(r.Vectors, r.Size, 64) < 1e-9);
        Assert.True(SingleSigned(r.Vectors, r.Size, 64, 0));
        for (int j = 1; j < 64; j++) Assert.True(r.Values[j] >= r.Values[j - 1]);
    }
}
