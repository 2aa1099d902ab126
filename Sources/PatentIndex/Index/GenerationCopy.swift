import Foundation

/// An index generation copied from elsewhere (many machines: a generation published to
/// object storage and pulled by another node). The caller places the generation's files in
/// the folder first, under their names; `install` then makes its manifest the folder's
/// current generation — checked to be an index of this version, marked as pulled, written
/// atomically and durably, so a reader sees the old generation or the new one — and removes
/// the segment files it no longer names (readers holding them open keep them until they close).
public enum GenerationCopy {
    /// The manifest of the folder's current generation, as bytes, and the files it names
    /// besides itself; nil when the folder holds no index.
    public static func current(in path: String) throws -> (manifest: [UInt8], files: [String])? {
        let directory = FileSystemDirectory(existing: path)
        guard let bytes = try directory.contents(of: IndexManifest.fileName) else { return nil }
        let manifest = try IndexManifest.load(from: directory)
        return (bytes, manifest.files.subtracting([IndexManifest.fileName]).sorted())
    }

    /// The files a manifest names besides itself; throws when it is not an index manifest of
    /// this version (`IndexError.oldFormat`, `.corrupt`).
    public static func files(of manifest: [UInt8]) throws -> [String] {
        return try IndexManifest.load(from: MemoryDirectory(files: [IndexManifest.fileName: manifest])).files.subtracting([IndexManifest.fileName]).sorted()
    }

    /// Makes `manifest` — published generation `generation` — the current generation of the
    /// index in `path`, whose files are in place, marked as pulled (`pulledGeneration`);
    /// removes the segment files it does not name.
    public static func install(manifest bytes: [UInt8], generation: Int, in path: String) throws {
        var manifest = try IndexManifest.load(from: MemoryDirectory(files: [IndexManifest.fileName: bytes]))
        manifest.pulledGeneration = generation
        let keep = manifest.files.subtracting([IndexManifest.fileName])
        let missing = keep.filter { !FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent($0)) }
        guard missing.isEmpty else { throw IndexError.corrupt("generation copy: missing \(missing.sorted().joined(separator: ", "))") }
        let directory = try FileSystemDirectory(path)
        try manifest.save(to: directory)
        for name in try directory.fileNames() where name.hasPrefix("seg-") && !keep.contains(name) {
            try? directory.remove(name)
        }
    }
}
