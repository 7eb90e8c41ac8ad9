using System.Runtime.InteropServices;

namespace Portal.Search.Journal;

/// <summary>
/// Makes a directory's entries durable (Linux and macOS: fsync of the directory itself). A file's own fsync makes its
/// bytes durable, not its name: after a power cut, a journal segment created (or a checkpoint renamed into place) since the
/// directory was last synced may be missing, with every record it held. .NET has no call for it.
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>Syncs <paramref name="directory"/>; does nothing where directories are not synced this way (Windows).</summary>
    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"The directory {directory} could not be opened to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            // Some file systems (FUSE and network mounts) cannot sync a directory and say so: as PostgreSQL does, that is no
            // fault, for they keep no such entries to lose.
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is not (NotSupportedHere or InvalidHere or NotSupportedOnMac))
            {
                throw new IOException($"The directory {directory} could not be synced (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private const int ReadOnly = 0;

    /// <summary>EINVAL, EOPNOTSUPP (Linux) and ENOTSUP (macOS): the file system does not sync directories.</summary>
    private const int InvalidHere = 22, NotSupportedHere = 95, NotSupportedOnMac = 45;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
