using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

/// <summary>The Lucene log store over tenant indexes in a temporary directory, for the store's tests; reopened as a restart would.</summary>
internal sealed class LogStoreOnDisk : IDisposable
{
    private readonly TempDirectory _directory = new();

    public LogStoreOnDisk() => (Indexes, Store) = Open();

    public TenantIndexes Indexes { get; private set; }

    public LuceneLogStore Store { get; private set; }

    /// <summary>Closes the indexes and opens them again from the same directory.</summary>
    public void Reopen()
    {
        Indexes.Dispose();
        (Indexes, Store) = Open();
    }

    private (TenantIndexes, LuceneLogStore) Open()
    {
        var indexes = new TenantIndexes(_directory.Path);
        return (indexes, new LuceneLogStore(indexes));
    }

    public void Dispose()
    {
        Indexes.Dispose();
        _directory.Dispose();
    }
}
