using System.Text.Json.Nodes;
using Portal.Detection.Events;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Components.Shared;

public sealed class AttributeColumnsTests
{
    [Fact]
    public void Parse_UrlParameter_KeepsEachNamedAttributeOnceInOrder()
    {
        Assert.Equal(["usr.name", "network.client.ip", "Logon Type"], AttributeColumns.Parse(" @usr.name,@network.client.ip ,, host,@usr.name,@Logon Type,@"));
        Assert.Empty(AttributeColumns.Parse(null));
        Assert.Empty(AttributeColumns.Parse(""));
        Assert.Equal(AttributeColumns.Max, AttributeColumns.Parse(string.Join(',', Enumerable.Range(0, 20).Select(i => $"@a{i}"))).Count);
        Assert.Empty(AttributeColumns.Parse("@" + new string('a', AttributeColumns.MaxPathLength + 1)));
    }

    [Fact]
    public void Format_Columns_ParseBackToThemselves()
    {
        List<string> columns = ["usr.name", "http.url_details.path", "Logon Type"];

        Assert.Equal("@usr.name,@http.url_details.path,@Logon Type", AttributeColumns.Format(columns));
        Assert.Equal(columns, AttributeColumns.Parse(AttributeColumns.Format(columns)));
        Assert.Null(AttributeColumns.Format([]));
    }

    [Fact]
    public void Toggle_AddsLastRemovesShownAndRefusesWhatCannotBeOne()
    {
        var columns = new List<string> { "a" };

        Assert.True(AttributeColumns.Toggle(columns, "b"));
        Assert.True(AttributeColumns.Toggle(columns, "a"));
        Assert.Equal(["b"], columns);
        // A comma would split the URL's list.
        Assert.False(AttributeColumns.Toggle(columns, "x,y"));
        var full = Enumerable.Range(0, AttributeColumns.Max).Select(i => $"c{i}").ToList();
        Assert.False(AttributeColumns.Toggle(full, "one.more"));
        Assert.True(AttributeColumns.Toggle(full, "c0"));
        Assert.Equal(AttributeColumns.Max - 1, full.Count);
    }

    [Fact]
    public void Cell_EventsValues_TheValueAnArraysValuesOrNothing()
    {
        var e = new LogEvent
        {
            Id = "e1", Timestamp = DateTimeOffset.UnixEpoch, Message = "m",
            Attributes = new JsonObject
            {
                ["usr"] = new JsonObject { ["name"] = "root" },
                ["ids"] = new JsonArray(1, 22),
                ["resources"] = new JsonArray(new JsonObject { ["arn"] = "arn:1" }, new JsonObject { ["arn"] = "arn:2" }),
            },
        };

        Assert.Equal("root", AttributeColumns.Cell(e, "usr.name"));
        Assert.Equal("1, 22", AttributeColumns.Cell(e, "ids"));
        Assert.Equal("arn:1, arn:2", AttributeColumns.Cell(e, "resources.arn"));
        Assert.Equal("", AttributeColumns.Cell(e, "absent"));
    }
}
