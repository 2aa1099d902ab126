import Foundation

/// Free space on the file system that holds a data folder.
public enum DiskSpace {
    /// Bytes this process may still write at `path` (`f_bavail × f_frsize`, saturating),
    /// nil when the file system cannot be asked.
    public static func available(at path: String) -> Int? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let (bytes, overflow) = Int(info.f_bavail).multipliedReportingOverflow(by: Int(info.f_frsize))
        return overflow ? .max : bytes
    }
}
