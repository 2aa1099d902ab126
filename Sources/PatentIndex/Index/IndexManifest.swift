import Foundation
import PatentModel

/// The index's table of contents for one generation. A commit writes every new file
/// first and then replaces `manifest.json` atomically (`IndexOutput`), so a reader
/// always sees one complete generation and `kill -9` at any moment leaves the previous
/// generation intact; files no manifest names are removed by the next writer.
public struct IndexManifest: Codable, Equatable, Sendable {
    public struct SegmentEntry: Codable, Equatable, Sendable {
        public var id: Int
        public var documents: Int
        /// Deletion bitmap file of this generation, nil when nothing is deleted.
        public var deletions: String?
        public var deleted: Int
        /// Per field of `IndexField.textFields`, the sum of its norms over every document of
        /// the segment (deleted ones too), written with the segment so that opening an
        /// index needs no pass over the norms; nil in manifests written before it.
        public var normSums: [Int]?

        public init(id: Int, documents: Int, deletions: String? = nil, deleted: Int = 0, normSums: [Int]? = nil) {
            self.id = id
            self.documents = documents
            self.deletions = deletions
            self.deleted = deleted
            self.normSums = normSums
        }
    }

    /// The segment format the index is written in (absent before format 4; 5: text fields
    /// hold `WordPairs`; 6: segments hold each document's `PNKey`, and norms at their
    /// narrowest width; 7: text fields' skip entries hold each block's impacts; 8: segments
    /// hold their documents in `DateOrder`; 9: sentence and paragraph starts at a fixed
    /// width in `FieldStructure`): an index in another format is rebuilt from the store,
    /// never read (`IndexError.oldFormat`).
    public var format: Int? = IndexManifest.currentFormat
    static let currentFormat = 9
    /// The fields and columns the segments were written with (`IndexSchema`): an index
    /// written under another table (or before the table was stored) is rebuilt from the
    /// store like one of an earlier format.
    public var schema: IndexSchema? = .current

    public var generation: Int = 0
    /// The store revision the index reflects: patents with a higher one are not in it yet.
    public var storeRevision: Int = 0
    public var nextSegment: Int = 1
    /// The shard of a sharded index this one holds (`ShardRouting`); nil: every patent.
    public var shard: ShardRouting?
    /// Set on a generation copied from object storage (`GenerationCopy.install`): the
    /// published generation it is. Such an index counts the publisher's store revisions, so
    /// it is updated by pulling again, never from this folder's store (`IndexError.pulled`).
    public var pulledGeneration: Int?
    public var segments: [SegmentEntry] = []

    public init() {}

    static let fileName = "manifest.json"

    static func segmentFile(_ id: Int) -> String { "seg-\(id).seg" }
    static func positionsFile(_ id: Int) -> String { "seg-\(id).pos" }
    static func deletionFile(_ id: Int, generation: Int) -> String { "seg-\(id).del-\(generation)" }

    /// The manifest of the index in the folder `path` (an empty one when it holds none),
    /// read without opening the index.
    public static func read(folder path: String) throws -> IndexManifest {
        try load(from: FileSystemDirectory(existing: path))
    }

    /// The current manifest, or an empty one when the folder holds no index yet.
    static func load(from directory: any IndexDirectory) throws -> IndexManifest {
        guard let data = try directory.contents(of: fileName) else { return IndexManifest() }
        let manifest: IndexManifest
        do {
            manifest = try JSONDecoder().decode(IndexManifest.self, from: Data(data))
        } catch {
            throw IndexError.corrupt("manifest.json: \(error)")
        }
        guard manifest.format == currentFormat, manifest.schema == .current else { throw IndexError.oldFormat }
        return manifest
    }

    func save(to directory: any IndexDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try directory.write(Array(try encoder.encode(self)), to: Self.fileName, beforeRename: { FaultPoint.reach(.manifestWritten) })
        FaultPoint.reach(.manifestRenamed)
    }

    /// Every file this generation needs.
    public var files: Set<String> {
        var names: Set<String> = [Self.fileName]
        for segment in segments {
            names.insert(Self.segmentFile(segment.id))
            names.insert(Self.positionsFile(segment.id))
            if let deletions = segment.deletions { names.insert(deletions) }
        }
        return names
    }
}

/// Which documents of a segment are deleted.
public struct DeletionSet: Sendable, Equatable {
    private(set) var bits: [UInt8]
    public private(set) var count: Int

    public init(documents: Int) {
        bits = Array(repeating: 0, count: (documents + 7) / 8)
        count = 0
    }

    init(bits: [UInt8]) {
        self.bits = bits
        count = bits.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    @inline(__always)
    public func contains(_ doc: Int) -> Bool { bits[doc >> 3] & (1 << UInt8(doc & 7)) != 0 }

    /// Calls `body` with each deleted document, in order.
    public func forEach(_ body: (Int) -> Void) {
        guard count > 0 else { return }
        for (index, byte) in bits.enumerated() where byte != 0 {
            for bit in 0..<8 where byte & (1 << UInt8(bit)) != 0 { body(index << 3 | bit) }
        }
    }

    public mutating func insert(_ doc: Int) {
        guard !contains(doc) else { return }
        bits[doc >> 3] |= 1 << UInt8(doc & 7)
        count += 1
    }
}
