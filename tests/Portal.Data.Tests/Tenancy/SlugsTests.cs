using Portal.Data.Tenancy;

namespace Portal.Data.Tests.Tenancy;

/// <summary>Organisation slugs: lower-case letters, digits and single hyphens, 3 to 40 characters.</summary>
public sealed class SlugsTests
{
    [Theory]
    [InlineData("Acme Corp.", "acme-corp")]
    [InlineData("acme", "acme")]
    [InlineData("  Acme   Corp  ", "acme-corp")]
    [InlineData("Ácme Çorp", "acme-corp")]
    [InlineData("Müller & Söhne GmbH", "muller-sohne-gmbh")]
    [InlineData("ACME_Security--Ops", "acme-security-ops")]
    [InlineData("R2-D2 Labs 2026", "r2-d2-labs-2026")]
    [InlineData("---", "")]
    [InlineData("東京", "")]
    [InlineData("", "")]
    public void FromName_Name_ReturnsSlug(string name, string expected)
    {
        Assert.Equal(expected, Slugs.FromName(name));
    }

    [Fact]
    public void FromName_LongName_CutsAt40WithoutTrailingHyphen()
    {
        // The 40th character falls on the hyphen before "y".
        var name = new string('x', 39) + " yyyy";

        var slug = Slugs.FromName(name);

        Assert.Equal(new string('x', 39), slug);
        Assert.Null(Slugs.Validate(slug));
    }

    [Theory]
    [InlineData("Acme Corp.")]
    [InlineData("Müller & Söhne GmbH")]
    [InlineData("A very long organisation name that goes on and on and on")]
    public void FromName_OrdinaryName_ReturnsValidSlug(string name)
    {
        Assert.Null(Slugs.Validate(Slugs.FromName(name)));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("acme-corp")]
    [InlineData("r2-d2")]
    [InlineData("123")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghij")]
    public void Validate_ValidSlug_ReturnsNull(string slug)
    {
        Assert.Null(Slugs.Validate(slug));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijk")]
    public void Validate_WrongLength_SaysSo(string? slug)
    {
        Assert.Equal("must be 3 to 40 characters", Slugs.Validate(slug));
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("acme corp")]
    [InlineData("acme_corp")]
    [InlineData("acme.corp")]
    [InlineData("-acme")]
    [InlineData("acme-")]
    [InlineData("acme--corp")]
    [InlineData("äcme")]
    public void Validate_WrongCharacters_SaysSo(string slug)
    {
        Assert.Equal("may contain only lower-case letters, digits and single hyphens", Slugs.Validate(slug));
    }
}
