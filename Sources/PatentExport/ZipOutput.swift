import Foundation
import Glibc
import ZIPFoundation

/// A ZIP file written entry by entry with ZIPFoundation, deflated. Entries come from
/// memory or are streamed from parts (bytes and files) without loading them whole.
/// `finish` forces the archive to disk.
final class ZipOutput {
    let path: String
    private let archive: Archive
    private var names: Set<String> = []

    init(path: String) throws(ExportError) {
        self.path = path
        try? FileManager.default.removeItem(atPath: path)
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        } catch {
            throw ExportError.io("cannot create \(path): \(error)")
        }
    }

    /// A name not used yet in this archive: `stem.ext`, else `stem_2.ext`, `stem_3.ext`, …
    func uniqueName(_ stem: String, extension ext: String) -> String {
        var name = "\(stem).\(ext)"
        var counter = 2
        while names.contains(name) {
            name = "\(stem)_\(counter).\(ext)"
            counter += 1
        }
        names.insert(name)
        return name
    }

    func add(_ name: String, _ data: Data) throws(ExportError) {
        try add(name, parts: [.bytes(data)])
    }

    enum Part {
        case bytes(Data)
        case file(String, size: Int)

        var size: Int {
            switch self {
            case .bytes(let data): return data.count
            case .file(_, let size): return size
            }
        }
    }

    /// An entry made of parts in order, read on demand.
    func add(_ name: String, parts: [Part]) throws(ExportError) {
        names.insert(name)
        let total = parts.reduce(0) { $0 + $1.size }
        let handles = parts.map { part -> FileHandle? in
            if case .file(let path, _) = part { return FileHandle(forReadingAtPath: path) }
            return nil
        }
        defer { for handle in handles { try? handle?.close() } }
        errno = 0
        do {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(total), compressionMethod: .deflate) { position, size in
                var out = Data()
                var offset = Int(position)
                var wanted = size
                var start = 0
                for (index, part) in parts.enumerated() {
                    defer { start += part.size }
                    guard wanted > 0, offset < start + part.size else { continue }
                    let local = offset - start
                    let count = min(wanted, part.size - local)
                    switch part {
                    case .bytes(let data):
                        out.append(data.subdata(in: data.startIndex + local..<data.startIndex + local + count))
                    case .file:
                        guard let handle = handles[index] else { throw ExportError.io("cannot read a part of \(name)") }
                        try handle.seek(toOffset: UInt64(local))
                        out.append(try handle.read(upToCount: count) ?? Data())
                    }
                    offset += count
                    wanted -= count
                }
                return out
            }
        } catch {
            // ZIPFoundation reports `unwritableFile` without the cause; the failed write's
            // errno (ENOSPC, EDQUOT, EIO) is what an operator needs to read.
            let cause = errno
            throw ExportError.io("cannot add \(name) to \(path): \(error)\(cause == 0 ? "" : ", \(ExportError.reason(cause))")")
        }
    }

    func finish() throws(ExportError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ExportError.io("cannot reopen \(path)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ExportError.io("cannot sync \(path): \(ExportError.reason(errno))") }
    }
}
