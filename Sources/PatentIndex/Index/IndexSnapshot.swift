import Foundation

/// One generation of the index opened for reading: its segments (memory-mapped) and
/// their deletions. It stays valid and unchanged while writers commit new generations.
public final class IndexSnapshot: @unchecked Sendable {
    public let directory: any IndexDirectory
    public let manifest: IndexManifest
    public let segments: [Segment]
    public let deletions: [DeletionSet]

    init(directory: any IndexDirectory, manifest: IndexManifest, segments: [Segment], deletions: [DeletionSet]) {
        self.directory = directory
        self.manifest = manifest
        self.segments = segments
        self.deletions = deletions
    }

    public var generation: Int { manifest.generation }

    /// Documents that are not deleted, over all segments.
    public var liveDocuments: Int { zip(segments, deletions).reduce(0) { $0 + $1.0.documentCount - $1.1.count } }

    /// Opens the current generation of the index in the folder `directory` (an empty
    /// index when there is none yet).
    public static func open(directory: String) throws -> IndexSnapshot {
        try open(FileSystemDirectory(existing: directory))
    }

    /// Opens the current generation of the index in `directory` (an empty index when
    /// there is none yet). A generation replaced while opening is retried.
    public static func open(_ directory: any IndexDirectory) throws -> IndexSnapshot {
        var lastError: Error?
        for _ in 0..<5 {
            do {
                let manifest = try IndexManifest.load(from: directory)
                return try open(directory: directory, manifest: manifest)
            } catch let error as IndexError {
                lastError = error
                usleep(20_000)
            }
        }
        throw lastError ?? IndexError.io("cannot open the index in \(directory)")
    }

    static func open(directory: any IndexDirectory, manifest: IndexManifest) throws -> IndexSnapshot {
        var segments: [Segment] = []
        var deletions: [DeletionSet] = []
        for entry in manifest.segments {
            let segment = try Segment(directory: directory, id: entry.id)
            guard segment.documentCount == entry.documents else {
                throw IndexError.corrupt("segment \(entry.id) has \(segment.documentCount) documents, manifest says \(entry.documents)")
            }
            segments.append(segment)
            if let file = entry.deletions {
                guard let data = try directory.contents(of: file), data.count == (entry.documents + 7) / 8 else {
                    throw IndexError.io("deletions \(file) missing or incomplete")
                }
                deletions.append(DeletionSet(bits: data))
            } else {
                deletions.append(DeletionSet(documents: entry.documents))
            }
        }
        return IndexSnapshot(directory: directory, manifest: manifest, segments: segments, deletions: deletions)
    }

    /// Lets the pages read so far go from resident memory (`Segment.releasePages`).
    func releasePages() {
        for segment in segments { segment.releasePages() }
    }

    /// Verifies every segment file's checksum (`Segment.verifyChecksums`).
    public func verifyChecksums() throws {
        for segment in segments { try segment.verifyChecksums() }
    }

    /// Where a publication is live in this generation: (segment index, document).
    public func locate(_ pn: String) -> (segment: Int, doc: Int)? {
        for (index, segment) in segments.enumerated().reversed() {
            guard let dictionary = segment.dictionary(.publicationNumber), let term = dictionary.find(pn) else { continue }
            var postings = dictionary.postings(term, positional: false)
            while (try? postings.next()) == true {
                if !deletions[index].contains(postings.doc), (try? segment.pn(postings.doc)) == pn {
                    return (index, postings.doc)
                }
            }
        }
        return nil
    }
}
