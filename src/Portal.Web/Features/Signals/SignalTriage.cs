using Portal.Data.Audit;
using Portal.Detection.Signals;
using Portal.Search;
using Portal.Web.Features.Detection;

namespace Portal.Web.Features.Signals;

/// <summary>Changes a signal's triage state (open, under review, archived with a reason).</summary>
public sealed class SignalTriage(ISignalStore signals, RealTimeSignalLocks realTime, TimeProvider clock, AuditLog audit)
{
    /// <summary>Updates the state; null when the tenant has no such signal. Throws <see cref="ArgumentException"/> for an unknown state or reason.</summary>
    public async Task<SecuritySignal?> SetStateAsync(Guid tenantId, string signalId, string state, string? archiveReason, string? archiveComment, CancellationToken cancellationToken) =>
        (await SetStatesAsync(tenantId, [signalId], state, archiveReason, archiveComment, cancellationToken)).SingleOrDefault();

    /// <summary>
    /// Updates the state of each of <paramref name="signalIds"/> the tenant has, stored together and each audited; the
    /// signals updated, in the order asked (an id the tenant has no signal of is left out). A signal archived again without
    /// <paramref name="archiveComment"/> keeps its comment (an empty one clears it). Throws
    /// <see cref="ArgumentException"/> for an unknown state or reason, before changing any.
    /// </summary>
    public async Task<IReadOnlyList<SecuritySignal>> SetStatesAsync(
        Guid tenantId, IReadOnlyList<string> signalIds, string state, string? archiveReason, string? archiveComment, CancellationToken cancellationToken)
    {
        if (!TriageStates.All.Contains(state))
        {
            throw new ArgumentException($"'{state}' is not a triage state; use one of {string.Join(", ", TriageStates.All)}.", nameof(state));
        }
        if (archiveReason is not null && !TriageStates.ArchiveReasons.Contains(archiveReason))
        {
            throw new ArgumentException($"'{archiveReason}' is not an archive reason; use one of {string.Join(", ", TriageStates.ArchiveReasons)}.", nameof(archiveReason));
        }
        // The lock every signal write takes (the real-time stage, each window a run stores): a run that read this signal before
        // keeps the triage written here (it copies the stored triage under the same lock), and triage never waits for a run.
        using var held = await realTime.Locks.AcquireAsync(tenantId, cancellationToken);
        var changed = new List<(SecuritySignal Signal, object Before)>();
        foreach (var id in signalIds.Distinct(StringComparer.Ordinal))
        {
            if (await signals.GetAsync(tenantId, id, cancellationToken) is not { } signal)
            {
                continue;
            }
            changed.Add((signal, new { state = signal.TriageState, archive_reason = signal.ArchiveReason, archive_comment = signal.ArchiveComment }));
            // Archived again without a comment (a new reason, a bulk archive), it keeps the one it had.
            var comment = signal.TriageState == TriageStates.Archived ? signal.ArchiveComment : null;
            signal.TriageState = state;
            signal.ArchiveReason = state == TriageStates.Archived ? archiveReason ?? "none" : null;
            signal.ArchiveComment = state == TriageStates.Archived ? archiveComment is null ? comment : archiveComment.Length == 0 ? null : archiveComment : null;
            signal.UpdatedAt = clock.GetUtcNow();
        }
        if (changed.Count == 0)
        {
            return [];
        }
        // Not cancellable once the documents are written: a request cut short here would leave a change stored (at the
        // index's next commit) without its audit record.
        await signals.UpsertAsync(tenantId, [.. changed.Select(c => c.Signal)], CancellationToken.None);
        await audit.RecordAllAsync(tenantId, [.. changed.Select(c => new AuditRecord("signal.triaged", "signal", c.Signal.Id, c.Signal.Title)
        {
            Before = c.Before,
            After = new { state = c.Signal.TriageState, archive_reason = c.Signal.ArchiveReason, archive_comment = c.Signal.ArchiveComment },
        })], CancellationToken.None);
        return [.. changed.Select(c => c.Signal)];
    }
}
