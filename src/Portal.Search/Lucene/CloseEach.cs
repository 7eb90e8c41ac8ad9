namespace Portal.Search.Lucene;

/// <summary>Closing many indexes so that one's fault (its files deleted under it) leaves none of the others open.</summary>
internal static class CloseEach
{
    /// <summary>Runs <paramref name="close"/> on each of <paramref name="items"/>, whichever fails; then throws what failed.</summary>
    public static void Of<T>(IEnumerable<T> items, Action<T> close)
    {
        List<Exception>? failures = null;
        foreach (var item in items)
        {
            try
            {
                close(item);
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }
        }
        if (failures is not null)
        {
            throw failures.Count == 1 ? failures[0] : new AggregateException(failures);
        }
    }
}
