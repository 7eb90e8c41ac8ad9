using Portal.Search.Lucene;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>A real Lucene log store of its own, in a fresh directory deleted with it: what page tests search.</summary>
public sealed class LogStoreDirectory : IDisposable
{
    private readonly PortalDataDirectory _directory;
    private readonly TenantIndexes _indexes;

    public LogStoreDirectory(string purpose)
    {
        _directory = new PortalDataDirectory(purpose);
        _indexes = new TenantIndexes(_directory.Path);
        Store = new LuceneLogStore(_indexes);
    }

    /// <summary>The store, one index per organisation and day.</summary>
    public LuceneLogStore Store { get; }

    /// <summary>Closes the indexes, then deletes the directory.</summary>
    public void Dispose()
    {
        _indexes.Dispose();
        _directory.Dispose();
    }
}
