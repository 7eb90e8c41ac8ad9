using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Tenancy;

namespace Portal.Cli.Tests;

/// <summary>Instance administration through the real <c>vigil</c> executable, against a data directory of its own.</summary>
public sealed class AdminCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("vigil-cli-admin-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task TenantsDisableAndEnable_BySlug_ListShowsTheStateAndUnknownSlugFails()
    {
        var slug = await CreateTenantAsync();

        var disabled = await VigilAsync("tenants", "disable", "--slug", slug, "--reason", "unpaid");
        Assert.Equal(0, disabled.ExitCode);
        Assert.Contains($"'{slug}' is disabled", disabled.Output, StringComparison.Ordinal);
        Assert.NotNull(await ListedDisabledAtAsync(slug));

        var enabled = await VigilAsync("tenants", "enable", "--slug", slug);
        Assert.Equal(0, enabled.ExitCode);
        Assert.Null(await ListedDisabledAtAsync(slug));

        var unknown = await VigilAsync("tenants", "disable", "--slug", "no-such-org");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("--slug: there is no organisation 'no-such-org'", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminsGrantAndRevoke_Member_SetsTheInstanceAdministratorFlag()
    {
        var slug = await CreateTenantAsync();

        var granted = await VigilAsync("admins", "grant", "--org", slug, "--email", "Owner@Example.test");
        Assert.Equal(0, granted.ExitCode);
        Assert.True(await IsInstanceAdminAsync(slug));

        var revoked = await VigilAsync("admins", "revoke", "--org", slug, "--email", "owner@example.test");
        Assert.Equal(0, revoked.ExitCode);
        Assert.False(await IsInstanceAdminAsync(slug));

        var stranger = await VigilAsync("admins", "grant", "--org", slug, "--email", "nobody@example.test");
        Assert.Equal(1, stranger.ExitCode);
        Assert.Contains("has no member 'nobody@example.test'", stranger.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await VigilAsync("admins", "grant", "--org", slug)).ExitCode);
    }

    /// <summary><c>--option=value</c> is the option's value (it was read as a configuration switch and dropped).</summary>
    [Fact]
    public async Task TenantsCreate_OptionsWithEquals_AreTaken()
    {
        var created = await VigilAsync("tenants", "create", "--name", "Acme Corp", "--slug=acme-ops", "--email=owner@example.test", "--password=Correct-Horse-42");

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal("acme-ops", (string?)JsonNode.Parse(created.Output)!["slug"]);
    }

    /// <summary>A mistyped command prints the usage and touches no data: the database it names is not created.</summary>
    [Theory]
    [InlineData("tenant", "list")]
    [InlineData("admins")]
    [InlineData("--help")]
    public async Task UnknownCommand_ExitsTwoAndCreatesNoDatabase(params string[] args)
    {
        var run = await VigilAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Usage:", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data));
    }

    private async Task<string> CreateTenantAsync()
    {
        var created = await VigilAsync("tenants", "create", "--name", "Admin Tests", "--email", "owner@example.test", "--password", "Correct-Horse-42");
        Assert.True(created.ExitCode == 0, created.Error);
        return (string)JsonNode.Parse(created.Output)!["slug"]!;
    }

    private async Task<string?> ListedDisabledAtAsync(string slug)
    {
        var list = await VigilAsync("tenants", "list");
        Assert.Equal(0, list.ExitCode);
        var tenant = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).Single(t => (string?)t["slug"] == slug);
        return (string?)tenant["disabledAt"];
    }

    private async Task<bool> IsInstanceAdminAsync(string slug)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vigil:DataDirectory"] = _data }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddVigilData(configuration);
        await using var provider = services.BuildServiceProvider();
        var admin = provider.GetRequiredService<InstanceAdminService>();
        var tenant = (await provider.GetRequiredService<TenantProvisioner>().FindBySlugAsync(slug))!;
        var usage = (await admin.ListAsync()).Single(u => u.Id == tenant.Id);
        Assert.Equal(1, usage.Members);
        await using var db = provider.GetRequiredService<TenantDbFactory>().Create(tenant.Id);
        return db.Users.Single().IsInstanceAdmin;
    }

    private Task<(int ExitCode, string Output, string Error)> VigilAsync(params string[] args) => VigilProcess.RunAsync(_data, _data, args);
}
