using System.Text;
using Portal.Search.Journal;

namespace Portal.Search.Tests.Journal;

public sealed class WriteAheadJournalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void ReadFrom_AfterReopen_ReturnsRecordsInOrderFromAPosition()
    {
        JournalPosition afterFirst;
        using (var journal = new WriteAheadJournal(_directory.Path))
        {
            afterFirst = journal.Append(Bytes("one"));
            journal.Append(Bytes("two"));
            journal.Append(Bytes("three"));
            journal.Sync();
        }

        using var reopened = new WriteAheadJournal(_directory.Path);
        Assert.Equal(["one", "two", "three"], reopened.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
        Assert.Equal(["two", "three"], reopened.ReadFrom(afterFirst).Select(r => Text(r.Payload)));
    }

    [Fact]
    public void ReadFrom_TornTail_StopsAtLastValidRecordAndNewAppendsFollowIt()
    {
        using (var journal = new WriteAheadJournal(_directory.Path))
        {
            journal.Append(Bytes("acknowledged"));
            journal.Sync();
        }
        // A crash in the middle of the next write: a header promising more bytes than were written.
        var segment = Directory.GetFiles(_directory.Path, "*.wal").Single();
        File.AppendAllText(segment, "\u0040\u0000\u0000\u0000garbage");

        using var reopened = new WriteAheadJournal(_directory.Path);
        Assert.Equal(["acknowledged"], reopened.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
        reopened.Append(Bytes("after restart"));
        reopened.Sync();
        Assert.Equal(["acknowledged", "after restart"], reopened.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
    }

    [Fact]
    public void ReadFrom_CorruptPayload_IsNotReturned()
    {
        using (var journal = new WriteAheadJournal(_directory.Path))
        {
            journal.Append(Bytes("good"));
            journal.Append(Bytes("flipped"));
            journal.Sync();
        }
        var segment = Directory.GetFiles(_directory.Path, "*.wal").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);

        using var reopened = new WriteAheadJournal(_directory.Path);
        Assert.Equal(["good"], reopened.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
    }

    [Fact]
    public void Append_PastSegmentSize_RollsAndDeleteBeforeDropsOldSegments()
    {
        using var journal = new WriteAheadJournal(_directory.Path, segmentBytes: 64);
        var positions = Enumerable.Range(0, 10).Select(i => journal.Append(Bytes($"record number {i:D2}"))).ToList();
        journal.Sync();
        Assert.True(Directory.GetFiles(_directory.Path, "*.wal").Length > 3);

        journal.DeleteBefore(positions[^1]);

        Assert.Single(Directory.GetFiles(_directory.Path, "*.wal"));
        Assert.Contains("record number 09", journal.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
    }

    [Fact]
    public void Rewind_GroupThatRolledIntoANewSegment_NoneOfItIsReadBack_TheNextRecordsFollowTheAcknowledged()
    {
        using var journal = new WriteAheadJournal(_directory.Path, segmentBytes: 64);
        journal.Append(Bytes("acknowledged"));
        journal.Sync();
        var good = journal.End;
        // A group that failed after the journal had rolled (syncing the first segment, the group's first record in it).
        journal.Append(Bytes(new string('x', 80)));
        journal.Append(Bytes("refused"));

        journal.Rewind(good);
        journal.Append(Bytes("next"));
        journal.Sync();

        Assert.Equal(["acknowledged", "next"], journal.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
        using var reopened = new WriteAheadJournal(_directory.Path, segmentBytes: 64);
        Assert.Equal(["acknowledged", "next"], reopened.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
    }

    [Fact]
    public void Rewind_GroupStillBuffered_NoneOfItIsReadBack()
    {
        using (var journal = new WriteAheadJournal(_directory.Path))
        {
            journal.Append(Bytes("acknowledged"));
            journal.Sync();
            var good = journal.End;
            journal.Append(Bytes("refused"));

            journal.Rewind(good);
            journal.Append(Bytes("next"));
            journal.Sync();
        }

        using var reopened = new WriteAheadJournal(_directory.Path);
        Assert.Equal(["acknowledged", "next"], reopened.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
    }

    [Fact]
    public void Rewind_ThatFailed_IsTriedAgainByTheNextAppend_WhichSucceedsOnceTheFaultPassed()
    {
        using var journal = new WriteAheadJournal(_directory.Path);
        journal.Append(Bytes("acknowledged"));
        journal.Sync();
        var good = journal.End;
        journal.Append(Bytes("refused"));
        // The segment cannot be opened again while the fault lasts (here, a directory stands in its place).
        var segment = Directory.GetFiles(_directory.Path, "*.wal").Single();
        File.Move(segment, segment + ".aside");
        Directory.CreateDirectory(segment);

        journal.Rewind(good);

        Assert.ThrowsAny<IOException>(() => journal.Append(Bytes("while it lasts")));
        Directory.Delete(segment);
        File.Move(segment + ".aside", segment);
        journal.Append(Bytes("next"));
        journal.Sync();
        Assert.Equal(["acknowledged", "next"], journal.ReadFrom(JournalPosition.Start).Select(r => Text(r.Payload)));
    }

    [Theory]
    [InlineData("3:1024", 3, 1024)]
    [InlineData("", 0, 0)]
    [InlineData("junk", 0, 0)]
    public void JournalPosition_Parse_RoundTripsOrStartsOver(string text, long file, long offset)
    {
        Assert.Equal(new JournalPosition(file, offset), JournalPosition.Parse(text));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
