using EmbedRec.Tensors;

namespace EmbedRec.Models;

/// <summary>What the rows of an embedding table stand for.</summary>
public enum TableKind
{
    /// <summary>User rows only.</summary>
    User,

    /// <summary>Item rows only (possibly after padding or mask rows).</summary>
    Item,

    /// <summary>User rows and item rows in one table (e.g. LightGCN's [users; items]).</summary>
    Joint,
}

/// <summary>
/// An embedding table of a model with its row map: which rows hold users (from <see cref="FirstUserRow"/>,
/// <see cref="UserRows"/> of them, user id u at row FirstUserRow + u) and which hold items. Rows outside
/// both ranges (padding, mask tokens) are explicit by being outside them. Initializers fill tables through
/// the map; SEvo places its graph's nodes on the mapped rows; everything else in the table is isolated.
/// </summary>
/// <param name="Name">The parameter's name in the model's network (e.g. "item.weight").</param>
/// <param name="Weight">The parameter [rows, d].</param>
/// <param name="FirstUserRow">Row of user 0.</param>
/// <param name="UserRows">Users in the table (0 for an item table).</param>
/// <param name="FirstItemRow">Row of item 0.</param>
/// <param name="ItemRows">Items in the table (0 for a user table).</param>
public sealed record EmbeddingTable(string Name, Tensor Weight, int FirstUserRow, int UserRows, int FirstItemRow, int ItemRows)
{
    /// <summary>The kind, from which ranges are present.</summary>
    public TableKind Kind => UserRows > 0 && ItemRows > 0 ? TableKind.Joint : UserRows > 0 ? TableKind.User : TableKind.Item;

    /// <summary>
    /// True for an output layer's weight that is listed for SEvo to smooth (BERT4Rec's item scorer) but is not an
    /// embedding an initializer should fill.
    /// </summary>
    public bool OutputLayer { get; init; }

    /// <summary>Embedding size.</summary>
    public int Dim => Weight.Dim(1);

    /// <summary>Rows of the table.</summary>
    public int Rows => Weight.Dim(0);

    /// <summary>A table of users, user u at row <paramref name="first"/> + u.</summary>
    public static EmbeddingTable Users(string name, Tensor weight, int count, int first = 0) => Checked(new(name, weight, first, count, 0, 0));

    /// <summary>A table of items, item i at row <paramref name="first"/> + i (rows before it: padding and the like).</summary>
    public static EmbeddingTable Items(string name, Tensor weight, int count, int first = 0) => Checked(new(name, weight, 0, 0, first, count));

    /// <summary>One table of [users; items]: users from row 0, items after them.</summary>
    public static EmbeddingTable Joint(string name, Tensor weight, int users, int items) => Checked(new(name, weight, 0, users, users, items));

    private static EmbeddingTable Checked(EmbeddingTable t)
    {
        ArgumentNullException.ThrowIfNull(t.Weight);
        if (t.Weight.Rank != 2) throw new ArgumentException($"Embedding table '{t.Name}' has shape [{string.Join(", ", t.Weight.Shape.ToArray())}], not 2-D.");
        if (t.FirstUserRow < 0 || t.FirstItemRow < 0 || t.UserRows < 0 || t.ItemRows < 0 || t.UserRows + t.ItemRows == 0
            || t.FirstUserRow + t.UserRows > t.Rows || t.FirstItemRow + t.ItemRows > t.Rows)
            throw new ArgumentException($"Embedding table '{t.Name}' has {t.Rows} rows; users at {t.FirstUserRow}+{t.UserRows} and items at {t.FirstItemRow}+{t.ItemRows} do not fit.");
        return t;
    }
}

/// <summary>A model whose parameters include embedding tables (what initializers fill and SEvo smooths).</summary>
public interface IEmbeddingTables
{
    /// <summary>The tables with their row maps.</summary>
    IReadOnlyList<EmbeddingTable> Tables { get; }
}
