using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Detection.Query;
using Portal.Search;
using Portal.Web.Features.Demo;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Demo;

[Collection("portal")]
public sealed class DemoServiceTests(PortalFixture portal)
{
    /// <summary>
    /// A customer signed up at the demo's address before demo mode was turned on: the demo stops there, and never writes its
    /// made-up logs (root console logins, stopped trails) into the customer's organisation.
    /// </summary>
    [Fact]
    public async Task Start_CustomerAtTheDemosAddress_WritesNothingThereAndStops()
    {
        var customer = await portal.CreateTenantAsync();
        var options = new VigilOptions { Demo = new DemoOptions { Enabled = true, Slug = customer.Slug } };
        using var demo = ActivatorUtilities.CreateInstance<DemoService>(portal.Services, options);

        await demo.StartAsync(CancellationToken.None);
        try
        {
            await demo.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await demo.StopAsync(CancellationToken.None);
        }

        var logs = await portal.Services.GetRequiredService<ILogStore>().SearchAsync(
            customer.Id, new SearchRequest(QueryParser.Parse("*"), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);
        Assert.Empty(logs.Items);
    }
}
