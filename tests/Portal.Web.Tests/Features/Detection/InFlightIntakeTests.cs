using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Rules;
using Portal.Detection.Evaluation;
using Portal.Detection.Intake;
using Portal.Search;
using Portal.Web.Features.Intake;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Detection;

/// <summary>
/// A scheduled run never judges past an intake request that has been received but not yet acknowledged: its events, stamped
/// with its arrival, would otherwise fall behind the watermark before they are durable and searchable, and never be judged.
/// </summary>
[Collection("portal")]
public sealed class InFlightIntakeTests(PortalFixture portal)
{
    [Fact]
    public async Task Evaluation_WhileARequestIsInFlight_StopsAtItsArrival_ThenCatchesUpOnceAnswered()
    {
        var tenant = await portal.CreateTenantAsync();
        var other = await portal.CreateTenantAsync();
        var inFlight = portal.Services.GetRequiredService<IntakeInFlight>();

        DateTimeOffset receivedAt;
        using (var receipt = inFlight.Receive(tenant.Id))
        {
            receivedAt = receipt.ReceivedAt;
            // Time passes while the request is journaled (the tests evaluate with no delay for late events).
            await Task.Delay(50);

            await LogShipper.EvaluateAsync(portal, tenant);
            await LogShipper.EvaluateAsync(portal, other);

            Assert.All(await WatermarksAsync(tenant.Id), w => Assert.True(w <= receivedAt, $"watermark {w:O} passed the request in flight, received {receivedAt:O}"));
            // Another organisation's runs do not wait for this one's requests.
            Assert.All(await WatermarksAsync(other.Id), w => Assert.True(w > receivedAt));
        }

        await LogShipper.EvaluateAsync(portal, tenant);

        Assert.All(await WatermarksAsync(tenant.Id), w => Assert.True(w > receivedAt));
    }

    /// <summary>
    /// A run that ends at a request in flight, one tick after events already durable (the same millisecond, which is the
    /// store's unit of time ranges, unless the receipt fell on a millisecond's first tick): the open signal counts every
    /// event once, across that run and the next.
    /// </summary>
    [Fact]
    public async Task EventsInTheMillisecondARunEndsIn_AreCountedByTheNextRun()
    {
        var tenant = await portal.CreateTenantAsync();
        using var client = portal.CreateClient();
        using (var first = await LogShipper.PostAsync(client, tenant, LogShipper.SshFailures("198.51.100.41", 14)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, first.StatusCode);
        }
        await LogShipper.EvaluateAsync(portal, tenant);
        var inFlight = portal.Services.GetRequiredService<IntakeInFlight>();

        using (var receipt = inFlight.Receive(tenant.Id))
        {
            // Durable events of the tick before the request in flight, then a run, which ends at the request.
            var events = LogShipper.SshFailures("198.51.100.41", 3).Select(raw => IntakeNormalizer.Normalize(raw!.AsObject(), receipt.ReceivedAt.AddTicks(-1))).ToList();
            await portal.Services.GetRequiredService<ILogStore>().AppendAsync(tenant.Id, events, CancellationToken.None);
            await LogShipper.EvaluateAsync(portal, tenant);
        }
        await LogShipper.EvaluateAsync(portal, tenant);

        var found = await LogShipper.SearchSignalsAsync(client, tenant, "@network.client.ip:198.51.100.41");
        Assert.Equal(17, Assert.Single(found["data"]!.AsArray())!["attributes"]!["custom"]!["events_matched"]!.GetValue<long>());
    }

    [Fact]
    public async Task Bound_IsTheOldestRequestInFlight_AndForgetsAnsweredOnes()
    {
        var tenantId = Guid.NewGuid();
        var inFlight = portal.Services.GetRequiredService<IntakeInFlight>();

        var first = inFlight.Receive(tenantId);
        await Task.Delay(10);
        using var second = inFlight.Receive(tenantId);
        Assert.Equal(first.ReceivedAt, inFlight.Bound(tenantId, TimeSpan.Zero));

        first.Dispose();
        first.Dispose(); // answered once, however often disposed
        Assert.Equal(second.ReceivedAt, inFlight.Bound(tenantId, TimeSpan.Zero));
        // A delay longer than the request's age bounds the run by itself.
        Assert.True(inFlight.Bound(tenantId, TimeSpan.FromHours(1)) < second.ReceivedAt - TimeSpan.FromMinutes(59));
    }

    /// <summary>The watermarks of the organisation's scheduled rules (single-event rules are judged as events are indexed).</summary>
    private async Task<List<DateTimeOffset>> WatermarksAsync(Guid tenantId)
    {
        var scheduled = (await portal.Services.GetRequiredService<RuleService>().ListAsync(tenantId))
            .Where(r => r.IsEnabled && !RealTimeRules.IsRealTime(r)).Select(r => r.Id).ToHashSet();
        await using var db = portal.Services.GetRequiredService<TenantDbFactory>().Create(tenantId);
        var watermarks = (await db.RuleRunStates.ToListAsync()).Where(s => scheduled.Contains(s.RuleId)).Select(s => s.Watermark).ToList();
        Assert.NotEmpty(watermarks);
        return watermarks;
    }
}
