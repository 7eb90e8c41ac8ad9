using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on a loopback port that keeps every message it receives, so that tests read the emails the
/// portal sends (through MailKit, as in production) and follow their links.
/// </summary>
public sealed class MailCapture : IAsyncDisposable
{
    private readonly List<MimeMessage> _messages = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;

    private MailCapture(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Starts a server on a free loopback port.</summary>
    public static MailCapture Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new MailCapture(port);
    }

    /// <summary>The messages received so far for <paramref name="to"/>.</summary>
    public IReadOnlyList<MimeMessage> For(string to)
    {
        lock (_messages)
        {
            return [.. _messages.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, to, StringComparison.OrdinalIgnoreCase)))];
        }
    }

    /// <summary>Waits for the <paramref name="count"/>-th message to <paramref name="to"/> (10 s at most) and returns it.</summary>
    public async Task<MimeMessage> WaitForAsync(string to, int count = 1, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            var received = For(to);
            if (received.Count >= count)
            {
                return received[count - 1];
            }
            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No email number {count} to {to} arrived; received {received.Count}.");
            }
        }
    }

    /// <summary>The first link in a message's text that contains <paramref name="path"/>.</summary>
    public static string LinkIn(MimeMessage message, string path)
    {
        var text = message.TextBody ?? "";
        var match = System.Text.RegularExpressions.Regex.Match(text, @"https?://\S+");
        while (match.Success && !match.Value.Contains(path, StringComparison.Ordinal))
        {
            match = match.NextMatch();
        }
        Assert.True(match.Success, $"No link to {path} in: {text}");
        return match.Value;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopping is cancelling.
        }
        catch (SocketException)
        {
            // The listener closed under an accept in progress.
        }
        _stop.Dispose();
        _arrived.Dispose();
    }

    private sealed class Store(MailCapture capture) : IMessageStore
    {
        public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            lock (capture._messages)
            {
                capture._messages.Add(message);
            }
            capture._arrived.Release();
            return SmtpResponse.Ok;
        }
    }
}
