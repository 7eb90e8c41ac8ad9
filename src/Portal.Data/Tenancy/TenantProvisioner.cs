using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Rules;

namespace Portal.Data.Tenancy;

/// <summary>What sign-up asks for.</summary>
public sealed record SignUpRequest(string? OrganizationName, string? Slug, string? Email, string? Password)
{
    /// <summary>Whether the owner's email starts unconfirmed (when the host can send the confirmation link). Default: false.</summary>
    public bool RequireEmailConfirmation { get; init; }
}

/// <summary>The outcome of sign-up: the new tenant and owner, or errors keyed by field (<c>OrganizationName</c>, <c>Slug</c>, <c>Email</c>, <c>Password</c>).</summary>
public sealed record SignUpResult(Tenant? Tenant, VigilUser? Owner, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Tenant is not null;
}

/// <summary>Creates organisations with their owner and out-of-the-box content. Used by sign-up, the CLI and demo seeding.</summary>
public sealed class TenantProvisioner(IServiceScopeFactory scopes, TenantDbFactory dbs, RuleService rules)
{
    /// <summary>Creates a tenant and its owner; nothing is stored when any field is invalid.</summary>
    public async Task<SignUpResult> SignUpAsync(SignUpRequest request, bool isDemo = false, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.OrganizationName?.Trim() ?? "";
        if (name.Length is < 2 or > 100)
        {
            errors[nameof(SignUpRequest.OrganizationName)] = ["Enter an organisation name of 2 to 100 characters."];
        }
        var slug = string.IsNullOrWhiteSpace(request.Slug) ? Slugs.FromName(name) : request.Slug.Trim().ToLowerInvariant();
        if (Slugs.Validate(slug) is { } slugError)
        {
            errors[nameof(SignUpRequest.Slug)] = [$"The organisation URL {slugError}."];
        }
        else if (await SlugTakenAsync(slug, cancellationToken))
        {
            errors[nameof(SignUpRequest.Slug)] = [$"'{slug}' is already taken; choose another organisation URL."];
        }
        var email = request.Email?.Trim() ?? "";
        if (!System.Net.Mail.MailAddress.TryCreate(email, out var address) || address.Address != email || email.Length > 256)
        {
            errors[nameof(SignUpRequest.Email)] = ["Enter a valid email address."];
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        var owner = new VigilUser { UserName = email, Email = email, Role = VigilRoles.Owner, EmailConfirmed = !request.RequireEmailConfirmation };
        var passwordErrors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, owner, request.Password ?? "");
            passwordErrors.AddRange(check.Errors.Select(e => e.Description));
        }
        if (passwordErrors.Count > 0)
        {
            errors[nameof(SignUpRequest.Password)] = [.. passwordErrors];
        }
        if (errors.Count > 0)
        {
            return new SignUpResult(null, null, errors);
        }

        var tenant = new Tenant { Name = name, Slug = slug, IsDemo = isDemo };
        await using (var db = dbs.Create(null))
        {
            db.Tenants.Add(tenant);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another sign-up took the slug between our check and this insert.
                return new SignUpResult(null, null, new Dictionary<string, string[]> { [nameof(SignUpRequest.Slug)] = [$"'{slug}' is already taken; choose another organisation URL."] });
            }
        }
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenant.Id);
        owner.TenantId = tenant.Id;
        var created = await users.CreateAsync(owner, request.Password!);
        if (!created.Succeeded)
        {
            await RemoveTenantAsync(tenant.Id, cancellationToken);
            return new SignUpResult(null, null, new Dictionary<string, string[]> { [nameof(SignUpRequest.Email)] = created.Errors.Select(e => e.Description).ToArray() });
        }
        await rules.InstallDefaultsAsync(tenant.Id, cancellationToken);
        return new SignUpResult(tenant, owner, errors);
    }

    /// <summary>The tenant with this slug, or null.</summary>
    public async Task<Tenant?> FindBySlugAsync(string? slug, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(slug))
        {
            return null;
        }
        var normalized = slug.Trim().ToLowerInvariant();
        await using var db = dbs.Create(null);
        return await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Slug == normalized, cancellationToken);
    }

    /// <summary>The tenant with this id, or null.</summary>
    public async Task<Tenant?> FindAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(null);
        return await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
    }

    /// <summary>Every tenant, for instance-level jobs.</summary>
    public async Task<List<Tenant>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(null);
        return await db.Tenants.AsNoTracking().ToListAsync(cancellationToken);
    }

    private async Task<bool> SlugTakenAsync(string slug, CancellationToken cancellationToken)
    {
        await using var db = dbs.Create(null);
        return await db.Tenants.AnyAsync(t => t.Slug == slug, cancellationToken);
    }

    private async Task RemoveTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = dbs.Create(null);
        await db.Tenants.Where(t => t.Id == tenantId).ExecuteDeleteAsync(cancellationToken);
    }
}
