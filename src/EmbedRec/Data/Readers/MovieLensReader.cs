using System.Text;

namespace EmbedRec.Data.Readers;

/// <summary>
/// MovieLens files: ratings as <c>user::item::rating::timestamp</c> (ML-1M, ML-10M) or tab-separated
/// (ML-100K <c>u.data</c>), and item genres from <c>movies.dat</c> (<c>item::title::A|B</c>) or
/// <c>u.item</c> (<c>|</c>-separated with 19 genre flags named by <c>u.genre</c>). Metadata files are Latin-1.
/// </summary>
public static class MovieLensReader
{
    /// <summary>Reads a ratings file; the separator (<c>::</c> or tab) is detected from the first line.</summary>
    public static LogBuilder ReadRatings(string path)
    {
        var b = new LogBuilder();
        string? sep = null;
        foreach (var (line, text) in LineSource.Read(path))
        {
            sep ??= text.Contains("::") ? "::" : "\t";
            var f = text.Split(sep);
            if (f.Length != 4)
                throw new DataFormatException(path, line, $"expected 'user{sep}item{sep}rating{sep}timestamp' (4 fields), found {f.Length}: '{text}'.");
            b.Add(f[0].Trim(), f[1].Trim(), LineSource.ParseFloat(path, line, f[2], "rating"), LineSource.ParseLong(path, line, f[3], "timestamp"));
        }
        return b;
    }

    /// <summary>Reads genres from <c>movies.dat</c> (<c>::</c>) or <c>u.item</c> + <c>u.genre</c> (<c>|</c>).</summary>
    public static ItemCategoriesSource ReadGenres(string moviesPath, string? genreNamesPath = null)
    {
        var latin1 = Encoding.Latin1;
        var byItem = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (genreNamesPath is null)
        {
            var names = new List<string>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (line, text) in LineSource.Read(moviesPath, latin1))
            {
                var f = text.Split("::");
                if (f.Length != 3) throw new DataFormatException(moviesPath, line, $"expected 'item::title::genres' (3 fields), found {f.Length}.");
                var ids = new List<int>();
                foreach (var g in f[2].Split('|', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!index.TryGetValue(g, out int id)) { id = names.Count; index[g] = id; names.Add(g); }
                    ids.Add(id);
                }
                byItem[f[0].Trim()] = [.. ids];
            }
            return new ItemCategoriesSource(names, byItem);
        }
        var genreNames = new List<string>();
        foreach (var (line, text) in LineSource.Read(genreNamesPath, latin1))
        {
            var f = text.Split('|');
            if (f.Length != 2 || LineSource.ParseInt(genreNamesPath, line, f[1], "genre id") != genreNames.Count)
                throw new DataFormatException(genreNamesPath, line, $"expected 'name|{genreNames.Count}'.");
            genreNames.Add(f[0]);
        }
        foreach (var (line, text) in LineSource.Read(moviesPath, latin1))
        {
            var f = text.Split('|');
            if (f.Length != 5 + genreNames.Count)
                throw new DataFormatException(moviesPath, line, $"expected {5 + genreNames.Count} '|'-separated fields (5 + {genreNames.Count} genre flags), found {f.Length}.");
            var ids = new List<int>();
            for (int g = 0; g < genreNames.Count; g++)
            {
                var flag = f[5 + g];
                if (flag == "1") ids.Add(g);
                else if (flag != "0") throw new DataFormatException(moviesPath, line, $"genre flag {g} is '{flag}', expected 0 or 1.");
            }
            byItem[f[0].Trim()] = [.. ids];
        }
        return new ItemCategoriesSource(genreNames, byItem);
    }

    /// <summary>
    /// Reads a MovieLens folder: ML-100K (<c>u.data</c>, <c>u.item</c>, <c>u.genre</c>) or ML-1M style
    /// (<c>ratings.dat</c>, <c>movies.dat</c>), with genres when the metadata is present.
    /// </summary>
    public static InteractionLog ReadFolder(string folder)
    {
        string udata = Path.Combine(folder, "u.data"), ratings = Path.Combine(folder, "ratings.dat");
        if (File.Exists(udata))
        {
            string uitem = Path.Combine(folder, "u.item"), ugenre = Path.Combine(folder, "u.genre");
            var cats = File.Exists(uitem) && File.Exists(ugenre) ? ReadGenres(uitem, ugenre) : null;
            return ReadRatings(udata).Build(udata, cats);
        }
        if (File.Exists(ratings))
        {
            string movies = Path.Combine(folder, "movies.dat");
            var cats = File.Exists(movies) ? ReadGenres(movies) : null;
            return ReadRatings(ratings).Build(ratings, cats);
        }
        throw new FileNotFoundException($"'{folder}' has neither u.data (ML-100K) nor ratings.dat (ML-1M/10M).");
    }
}
