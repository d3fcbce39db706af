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
    private int[] _keys = [];
    private bool[] _filled = [];
    private int[] _slot = [];
    private int[] _spareRows = [];
    private float[] _spareValues = [];

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

    /// <summary>The values of all entries, entry after entry (<see cref="Count"/> × <see cref="Width"/>).</summary>
    public ReadOnlySpan<float> AllValues => _values.AsSpan(0, _count * Width);

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
        var rows = _rows;
        bool sorted = true;
        for (int i = 1; i < _count && sorted; i++) sorted = rows[i - 1] < rows[i];
        if (sorted) return;
        // Distinct rows through a row → slot map (reset afterwards), only those sorted; entries are then summed
        // into their slot in the order they were added, so repeated rows add up in a fixed order.
        if (_slot.Length != RowCount) { _slot = new int[RowCount]; Array.Fill(_slot, -1); }
        if (_keys.Length < _count) { _keys = new int[Math.Max(_count, _keys.Length * 2)]; _filled = new bool[_keys.Length]; }
        var slot = _slot;
        var unique = _keys;
        int u = 0;
        for (int i = 0; i < _count; i++)
        {
            int r = rows[i];
            if (slot[r] == -1) { slot[r] = -2; unique[u++] = r; }
        }
        unique.AsSpan(0, u).Sort();
        for (int k = 0; k < u; k++) slot[unique[k]] = k;
        if (_spareRows.Length < _rows.Length) _spareRows = new int[_rows.Length];
        if (_spareValues.Length < _values.Length) _spareValues = new float[_values.Length];
        var newRows = _spareRows;
        var newValues = _spareValues;
        var filled = _filled.AsSpan(0, u);
        filled.Clear();
        int w = Width;
        for (int i = 0; i < _count; i++)
        {
            int k = slot[rows[i]];
            var src = _values.AsSpan(i * w, w);
            var dst = newValues.AsSpan(k * w, w);
            if (!filled[k]) { src.CopyTo(dst); filled[k] = true; }
            else TensorPrimitives.Add(dst, src, dst);
        }
        for (int k = 0; k < u; k++) { newRows[k] = unique[k]; slot[unique[k]] = -1; }
        (_spareRows, _rows) = (_rows, newRows);
        (_spareValues, _values) = (_values, newValues);
        _count = u;
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
