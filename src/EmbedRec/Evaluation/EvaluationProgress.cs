namespace EmbedRec.Evaluation;

/// <summary>
/// How far a full-ranking evaluation has got, reported after each block of users it scores, so that an evaluation that
/// takes minutes (DLR2's critic over every user × item pair, a large catalog) can be watched.
/// </summary>
/// <param name="UsersDone">Users scored so far.</param>
/// <param name="UsersTotal">Users the evaluation ranks (those with a relevant item, within the requested subset).</param>
public readonly record struct EvaluationProgress(int UsersDone, int UsersTotal);
