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

    /// <summary>
    /// A read overtaken by a newer one (cancelled, or no longer current when it ends) changes nothing the page says: its
    /// fault is not shown, and its success does not hide the newer read's fault.
    /// </summary>
    [Fact]
    public async Task RunAsync_OvertakenRead_ChangesNothingShown()
    {
        var reads = new GuardedReads(new Captured(), "signals search");
        var (tenant, run) = (Guid.NewGuid(), 1);
        var older = new TaskCompletionSource();
        var running = reads.RunAsync(() => older.Task, tenant, current: () => run == 1);

        run = 2;
        Assert.False(await reads.RunAsync(() => throw new IOException("Input/output error"), tenant, current: () => run == 2));
        older.SetResult();
        Assert.True(await running);
        Assert.NotNull(reads.Error);

        Assert.True(await reads.RunAsync(() => Task.CompletedTask, tenant, current: () => run == 2));
        using var newer = new CancellationTokenSource();
        var failing = new TaskCompletionSource();
        running = reads.RunAsync(() => failing.Task, tenant, cancellation: newer.Token);
        await newer.CancelAsync();
        failing.SetException(new ObjectDisposedException("index"));
        Assert.False(await running);
        Assert.False(await reads.RunAsync(() => throw new IOException("Input/output error"), tenant, current: () => false));
        Assert.Null(reads.Error);
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
