namespace EmbedRec.Data.Registry;

/// <summary>
/// The datasets EmbedRec knows. Checksums are those the publishers give (GroupLens MD5s) or the SHA-256
/// of the published files; a source without any check needs <c>--allow-unverified</c>.
/// </summary>
public static class KnownDatasets
{
    private static string GitHub(string repo, string path) => $"https://raw.githubusercontent.com/{repo}/HEAD/{path}";

    private static Dictionary<string, string> Members(string prefix, params string[] files) =>
        files.ToDictionary(f => prefix + f, f => f);

    /// <summary>Every entry.</summary>
    public static IReadOnlyList<DatasetEntry> All { get; } =
    [
        new("ml-100k", "MovieLens 100K: 100,000 ratings, 943 users, 1,682 items, genres, timestamps", "ml-100k",
            [new(DatasetLayout.MovieLens, ".")],
            [new("https://files.grouplens.org/datasets/movielens/ml-100k.zip", "ml-100k.zip", Md5: "0e33842e24a9c977be4e0107933c0723",
                Members: Members("ml-100k/", "u.data", "u.item", "u.genre", "u.user", "README"))],
            "kcore=5", "loo", "Harper & Konstan, TiiS 2015 (GroupLens; research use, no redistribution)"),
        new("ml-1m", "MovieLens 1M: 1,000,209 ratings, 6,040 users, 3,706 items, genres, timestamps", "ml-1m",
            [new(DatasetLayout.MovieLens, ".")],
            [new("https://files.grouplens.org/datasets/movielens/ml-1m.zip", "ml-1m.zip", Md5: "c4d9eecfca2ab87c1945afe126590906",
                Members: Members("ml-1m/", "ratings.dat", "movies.dat", "users.dat", "README"))],
            "kcore=5", "loo", "Harper & Konstan, TiiS 2015 (GroupLens; research use, no redistribution)"),
        new("ml-1m-implicit", "MovieLens 1M implicit subset (920,193 interactions), LightGCN-format train/test", "ml-1m/implicit-920k",
            [new(DatasetLayout.SplitUserLines, "train.txt", "test.txt")], [], "", "predefined",
            "chenchongthu/Recommendation-Unlearning data/ml-1m (subset of ML-1M)"),
        new("amazon-beauty", "Amazon Beauty, 5-core (SASRec/ICLRec preprocessing), chronological", "amazon-beauty",
            [new(DatasetLayout.Pairs, "Beauty.txt"), new(DatasetLayout.UserLines, "Beauty_seq.txt")],
            [new(GitHub("salesforce/ICLRec", "data/Beauty.txt"), "Beauty_seq.txt", Sha256: "226cce9c3105299ca0db9615d7d3fb32b3175e90da43100ae352599f0f0107b8")],
            "kcore=5", "loo", "McAuley et al. SIGIR'15; He & McAuley WWW'16; file from salesforce/ICLRec"),
        new("amazon-toys", "Amazon Toys and Games, 5-core (SASRec/ICLRec preprocessing), chronological", "amazon-toys",
            [new(DatasetLayout.Pairs, "Toys.txt"), new(DatasetLayout.UserLines, "Toys_seq.txt")],
            [new(GitHub("salesforce/ICLRec", "data/Toys_and_Games.txt"), "Toys_seq.txt", Sha256: "176c680c688d497598c4a89a03b402c0fe78d795e5db335c2e78dd5f2d778a3f")],
            "kcore=5", "loo", "McAuley et al. SIGIR'15; He & McAuley WWW'16; file from salesforce/ICLRec"),
        new("citeulike-a", "CiteULike-a user–article pairs (5,551 users, 16,980 articles)", "citeulike-a",
            [new(DatasetLayout.CountFirst, "users.dat")],
            [new(GitHub("js05212/citeulike-a", "users.dat"), "users.dat", Sha256: "53211d82c14ff261e595634d285ed9fbf8049cf81dcb751d924d695b9612a02c")],
            "", "random=0.2,0.1;seed=0", "Wang & Blei, KDD'11; Wang, Chen & Li, IJCAI'13"),
        new("citeulike-directspec", "CiteULike with the DirectSpec authors' train/test split", "citeulike-directspec",
            [new(DatasetLayout.SplitCsv, "train.csv", "test.csv")],
            [
                new(GitHub("tanatosuu/directspec", "Datasets/citeulike/train.csv"), "train.csv", Sha256: "668d1011a83674cab98232bccd8343bdeadaa0d72c8d7e3664380874f681d3b5"),
                new(GitHub("tanatosuu/directspec", "Datasets/citeulike/test.csv"), "test.csv", Sha256: "b27b8daa397475492409e861a1e82ff01de6c10f74f3ff9f8fce0a812ce77671"),
            ],
            "", "predefined", "tanatosuu/directspec; CiteULike-a (Wang & Blei, KDD'11)"),
        new("gowalla", "Gowalla check-ins, NGCF/LightGCN train/test split", "gowalla",
            [new(DatasetLayout.SplitUserLines, "train.txt", "test.txt")],
            [
                new(GitHub("gusye1234/LightGCN-PyTorch", "data/gowalla/train.txt"), "train.txt"),
                new(GitHub("gusye1234/LightGCN-PyTorch", "data/gowalla/test.txt"), "test.txt", Sha256: "099a2a73924e4b754dc6efd730d764f492321b53c38eb93298850c83acf57be3"),
            ],
            "", "predefined", "SNAP loc-gowalla; split of Wang et al. (NGCF), SIGIR'19"),
        new("yelp2018", "Yelp 2018, NGCF/LightGCN train/test split", "yelp2018",
            [new(DatasetLayout.SplitUserLines, "train.txt", "test.txt")],
            [
                new(GitHub("gusye1234/LightGCN-PyTorch", "data/yelp2018/train.txt"), "train.txt", Size: 6_904_880),
                new(GitHub("gusye1234/LightGCN-PyTorch", "data/yelp2018/test.txt"), "test.txt", Sha256: "9cd9b37926cd1447a06625ffa7914527573fb097c10cb0bbdb1d1b8ded3742fe"),
            ],
            "", "predefined", "Yelp 2018 challenge; split of Wang et al. (NGCF), SIGIR'19"),
    ];
}
