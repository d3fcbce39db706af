namespace EmbedRec.Tensors;

/// <summary>
/// A row-sparse gradient of a [rows, width] parameter: a list of (row index, row values),
/// possibly with repeated rows until <see cref="Coalesce"/> sums them.
/// </summary>
public sealed class RowSparseGradient
{
    private int[] _rows = new int[16];
    private float[] _values;
    private int _count;

    /// <summary>Creates an empty gradient for a parameter with <paramref name="rowCount"/> rows of <paramref name="width"/> floats.</summary>
    public RowSparseGradient(int rowCount, int width)
    {
        RowCount = rowCount;
        Width = width;
        _values = new float[16 * Math.Max(1, width)];
    }

    /// <summary>Rows in the parameter.</summary>
    public int RowCount { get; }

    /// <summary>Floats per row.</summary>
    public int Width { get; }

    /// <summary>Number of stored (row, values) entries.</summary>
    public int Count => _count;

    /// <summary>Row index of each entry.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    /// <summary>Values of entry <paramref name="i"/>.</summary>
    public Span<float> Values(int i) => _values.AsSpan(i * Width, Width);

    /// <summary>Removes every entry (keeps capacity).</summary>
    public void Clear() => _count = 0;

    /// <summary>Adds <paramref name="values"/> to row <paramref name="row"/>.</summary>
    public void Add(int row, ReadOnlySpan<float> values)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index out of range [0, {RowCount}).");
        if (_count == _rows.Length)
        {
            Array.Resize(ref _rows, _count * 2);
            Array.Resize(ref _values, _count * 2 * Width);
        }
        _rows[_count] = row;
        values.CopyTo(_values.AsSpan(_count * Width, Width));
        _count++;
    }

    /// <summary>Sums repeated rows so each row appears once, in ascending row order.</summary>
    public void Coalesce()
    {
        if (_count <= 1) return;
        var order = new int[_count];
        for (int i = 0; i < _count; i++) order[i] = i;
        var rows = _rows;
        Array.Sort(order, (a, b) => rows[a] != rows[b] ? rows[a].CompareTo(rows[b]) : a.CompareTo(b));
        var newRows = new int[Math.Max(16, _count)];
        var newValues = new float[newRows.Length * Width];
        int n = -1;
        int prev = -1;
        foreach (int i in order)
        {
            var src = _values.AsSpan(i * Width, Width);
            if (rows[i] != prev)
            {
                n++;
                newRows[n] = rows[i];
                src.CopyTo(newValues.AsSpan(n * Width, Width));
                prev = rows[i];
            }
            else
            {
                TensorPrimitives.Add(newValues.AsSpan(n * Width, Width), src, newValues.AsSpan(n * Width, Width));
            }
        }
        _rows = newRows;
        _values = newValues;
        _count = n + 1;
    }

    /// <summary>Adds this gradient into a dense [RowCount, Width] buffer.</summary>
    public void AddTo(Span<float> dense)
    {
        if (dense.Length != RowCount * Width)
            throw new ArgumentException($"Dense buffer of {dense.Length} floats does not match [{RowCount}, {Width}].");
        for (int i = 0; i < _count; i++)
        {
            var dst = dense.Slice(_rows[i] * Width, Width);
            TensorPrimitives.Add(dst, Values(i), dst);
        }
    }
}
