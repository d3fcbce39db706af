namespace EmbedRec.Data.Registry;

/// <summary>How a dataset's files are laid out.</summary>
public enum DatasetLayout
{
    /// <summary>A MovieLens folder (u.data, or ratings.dat with movies.dat).</summary>
    MovieLens,

    /// <summary>One <c>user item</c> pair per line, chronological.</summary>
    Pairs,

    /// <summary>One <c>user item item ...</c> line per user.</summary>
    UserLines,

    /// <summary>CiteULike's <c>n item ... item</c> lines, user = line number.</summary>
    CountFirst,

    /// <summary>Delimited text with a header.</summary>
    Csv,

    /// <summary>RecBole atomic <c>.inter</c>.</summary>
    Atomic,

    /// <summary>Predefined split, LightGCN <c>train.txt</c>/<c>test.txt</c>.</summary>
    SplitUserLines,

    /// <summary>Predefined split, CSV <c>train.csv</c>/<c>test.csv</c> with header user,item.</summary>
    SplitCsv,

    /// <summary>A folder written by <c>embedrec data prepare</c>.</summary>
    Prepared,
}

/// <summary>One way of reading a dataset: a layout and its files (relative to the dataset folder).</summary>
/// <param name="Layout">The layout.</param>
/// <param name="Files">Files, in the order the layout needs (train before test).</param>
public sealed record LayoutOption(DatasetLayout Layout, params string[] Files);

/// <summary>A file to download, with what verifies it.</summary>
/// <param name="Url">The publisher's public URL.</param>
/// <param name="FileName">Local name (for an archive: the archive's name; it is deleted after extraction).</param>
/// <param name="Sha256">Expected SHA-256 (hex), if known.</param>
/// <param name="Md5">Expected MD5 (hex), if known (GroupLens publishes MD5s).</param>
/// <param name="Size">Expected size in bytes, if known.</param>
/// <param name="Members">For a zip archive: member path → local file name; null for a plain file.</param>
public sealed record RemoteFile(string Url, string FileName, string? Sha256 = null, string? Md5 = null, long? Size = null,
    IReadOnlyDictionary<string, string>? Members = null)
{
    /// <summary>Whether any check verifies the download.</summary>
    public bool Verifiable => Sha256 is not null || Md5 is not null || Size is not null;
}

/// <summary>A dataset the registry knows by name.</summary>
/// <param name="Name">Registry name, e.g. <c>amazon-beauty</c>.</param>
/// <param name="Description">One line.</param>
/// <param name="Folder">Folder under the data root.</param>
/// <param name="Layouts">Ways to read it, tried in order (the first whose files exist wins).</param>
/// <param name="Sources">Files <c>data fetch</c> downloads.</param>
/// <param name="Filters">Default filters (protocol syntax).</param>
/// <param name="Split">Default split (protocol syntax; <c>predefined</c> for shipped splits).</param>
/// <param name="Citation">Where the data comes from.</param>
public sealed record DatasetEntry(string Name, string Description, string Folder, IReadOnlyList<LayoutOption> Layouts,
    IReadOnlyList<RemoteFile> Sources, string Filters, string Split, string Citation)
{
    /// <summary>The default protocol.</summary>
    public Protocol DefaultProtocol() => Protocol.Parse(Filters, Split);
}
