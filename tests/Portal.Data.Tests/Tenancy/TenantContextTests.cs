using Portal.Data.Tenancy;

namespace Portal.Data.Tests.Tenancy;

/// <summary>The tenant of a request is set once: the same tenant again is fine, another one is refused.</summary>
public sealed class TenantContextTests
{
    [Fact]
    public void TenantId_NotSet_IsNull()
    {
        Assert.Null(new TenantContext().TenantId);
    }

    [Fact]
    public void Set_SameTenantTwice_KeepsIt()
    {
        var context = new TenantContext();
        var tenantId = Guid.NewGuid();

        context.Set(tenantId);
        context.Set(tenantId);

        Assert.Equal(tenantId, context.TenantId);
    }

    [Fact]
    public void Set_AnotherTenantLater_ThrowsAndKeepsTheFirst()
    {
        var context = new TenantContext();
        var first = Guid.NewGuid();
        context.Set(first);

        Assert.Throws<InvalidOperationException>(() => context.Set(Guid.NewGuid()));
        Assert.Equal(first, context.TenantId);
    }

    [Fact]
    public void Set_EmptyTenant_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TenantContext().Set(Guid.Empty));
    }
}
