using Microsoft.Data.Sqlite;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>A fresh data directory for a <see cref="PortalProcess"/> under the system temp directory, deleted on dispose.</summary>
public sealed class PortalDataDirectory(string purpose) : IDisposable
{
    /// <summary>The directory's path.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vigil-{purpose}-{Guid.NewGuid():N}");

    /// <inheritdoc />
    public void Dispose()
    {
        // Pooled SQLite connections keep the database file open.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // left to the OS temp cleaner
        }
    }
}
