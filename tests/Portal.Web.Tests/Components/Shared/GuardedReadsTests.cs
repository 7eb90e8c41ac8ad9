using Microsoft.Extensions.Logging;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Components.Shared;

public sealed class GuardedReadsTests
{
    /// <summary>A read that throws leaves its fault to show, logged once however often it is retried, until a read succeeds.</summary>
    [Fact]
    public async Task RunAsync_FaultShownAndLoggedOnceUntilARead_Succeeds()
    {
        var logger = new Captured();
        var reads = new GuardedReads(logger, "signals search");
        var tenant = Guid.NewGuid();

        Assert.False(await reads.RunAsync(() => throw new IOException("Input/output error"), tenant));
        Assert.False(await reads.RunAsync(() => Task.FromException(new IOException("Input/output error")), tenant));
        Assert.Equal("The signals search could not run: the store did not answer. Try again in a moment.", reads.Error);
        var logged = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains(tenant.ToString(), logged.Message, StringComparison.Ordinal);

        Assert.True(await reads.RunAsync(() => Task.CompletedTask, tenant));
        Assert.Null(reads.Error);
        Assert.False(await reads.RunAsync(() => throw new IOException("again"), tenant));
        Assert.Equal(2, logger.Entries.Count);
    }

    private sealed class Captured : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
