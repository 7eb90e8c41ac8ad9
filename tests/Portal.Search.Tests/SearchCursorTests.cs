namespace Portal.Search.Tests;

public sealed class SearchCursorTests
{
    [Theory]
    [InlineData(1_772_546_400_123L, "01KBX|odd|id", false)]
    [InlineData(0L, "e1", true)]
    [InlineData(-5L, "before-the-epoch", true)]
    public void EncodeDecode_RoundTripsPositionAndOrder(long timestampMs, string id, bool oldestFirst)
    {
        var cursor = new SearchCursor(timestampMs, id, oldestFirst);

        Assert.True(SearchCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
    }

    /// <summary>Cursors handed out before the order was recorded (newest first, no mark) still page on.</summary>
    [Fact]
    public void TryDecode_UnmarkedCursor_IsNewestFirst()
    {
        var unmarked = System.Buffers.Text.Base64Url.EncodeToString("1772546400000|e09"u8);

        Assert.True(SearchCursor.TryDecode(unmarked, out var cursor));
        Assert.Equal(new SearchCursor(1_772_546_400_000, "e09", OldestFirst: false), cursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 !")]
    [InlineData("MTIzNDU")] // "12345": no id
    [InlineData("YXwx")] // "a|1": no time
    [InlineData("OTk5OTk5OTk5OTk5OTk5OTk5fGUx")] // "999999999999999999|e1": past the last time there is
    [InlineData("MjUzNDAyMzAwNzk5OTk5fHg")] // "253402300799999|x": the last millisecond there is, with nothing after it
    public void TryDecode_AnythingElse_IsNoCursor(string text)
    {
        Assert.False(SearchCursor.TryDecode(text, out _));
    }
}
