using Portal.Web.Components.Layout;

namespace Portal.Web.Tests.Components.Layout;

/// <summary>The console preferences' cookie: each choice written is read back, and a value the browser mangled reads as the defaults.</summary>
public sealed class ConsolePreferencesTests
{
    [Theory]
    [InlineData(false, false, false, "default")]
    [InlineData(true, false, false, "dark")]
    [InlineData(false, true, false, "collapsed")]
    [InlineData(false, false, true, "nofacets")]
    [InlineData(true, true, true, "dark.collapsed.nofacets")]
    public void EachChoice_IsWrittenAndReadBack(bool dark, bool collapsed, bool facetsHidden, string cookie)
    {
        Assert.Equal(cookie, new ConsolePreferences(dark, collapsed, facetsHidden).Write());
        var read = ConsolePreferences.Read(cookie);
        Assert.Equal((dark, collapsed, facetsHidden), (read.Dark, read.NavigationCollapsed, read.FacetsHidden));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("darker.facets")]
    public void AnythingElse_ReadsAsTheDefaults(string? cookie)
    {
        var read = ConsolePreferences.Read(cookie);
        Assert.Equal((false, false, false), (read.Dark, read.NavigationCollapsed, read.FacetsHidden));
    }
}
