import PatentModel

/// One document as read from an input: where it came from and its bytes.
public struct SourceDocument: Sendable {
    /// `path`, `path#3` for the third document of a bundle, `archive.zip!entry.xml`.
    public let origin: String
    public let bytes: [UInt8]
    public init(origin: String, bytes: [UInt8]) {
        self.origin = origin
        self.bytes = bytes
    }
}

/// Detects a document's format from its content and maps it into patent records.
public enum DocumentDecoder {
    static let xmlReaders: [any PatentFormatReader] = [
        USPTOICEReader(), EPPublicationReader(), OPSReader(), MARECReader(),
        CNIPABusinessReader(), CNPatentDocumentReader(), JPOReader(),
        USPTOApplicationPublicationReader(), USPTOGrantST32Reader(), ST96Reader(),
    ]

    private static let readersByRoot: [String: any PatentFormatReader] = {
        var map: [String: any PatentFormatReader] = [:]
        for reader in xmlReaders {
            for name in type(of: reader).rootNames { map[name] = reader }
        }
        return map
    }()

    /// HTML pages are not XML: PatFT/AppFT patent pages have a reader of their own;
    /// other pages (search results) are reported as an unknown format.
    static func looksLikeHTML(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(512)
        return containsIgnoringASCIICase(head, "<html") || containsIgnoringASCIICase(head, "<!doctype html")
    }

    private static func containsIgnoringASCIICase(_ haystack: ArraySlice<UInt8>, _ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard haystack.count >= pattern.count else { return false }
        let lastStart = haystack.endIndex - pattern.count
        var start = haystack.startIndex
        while start <= lastStart {
            var k = 0
            while k < pattern.count, haystack[start + k] | (haystack[start + k] &- 0x41 < 26 ? 0x20 : 0) == pattern[k] { k += 1 }
            if k == pattern.count { return true }
            start += 1
        }
        return false
    }

    /// The records of one document, or why there are none.
    public static func decode(_ original: [UInt8]) -> Result<[Patent], ImportProblem> {
        decodeReporting(original).result
    }

    /// A document's records and the repairs its XML needed (`XMLReader.parseRecovering`:
    /// broken office XML is mended and imported, never silently dropped).
    public struct Decoded: Sendable {
        public var result: Result<[Patent], ImportProblem>
        /// Each repair with its line and column, empty for well-formed documents.
        public var repairs: [String] = []
    }

    /// As `decode`, telling the repairs. A document in another encoding than UTF-8 is
    /// converted first (`TextEncoding`); XML that is not well-formed is read as
    /// libxml2's recover mode would.
    public static func decodeReporting(_ original: [UInt8]) -> Decoded {
        var repairs: [String] = []
        let result = decodeDocument(original, repairs: &repairs)
        return Decoded(result: result, repairs: repairs)
    }

    private static func decodeDocument(_ original: [UInt8], repairs: inout [String]) -> Result<[Patent], ImportProblem> {
        let bytes: [UInt8]
        do throws(ImportProblem) {
            bytes = try TextEncoding.utf8(original).bytes
        } catch {
            return .failure(error)
        }
        guard let first = bytes.first(where: { !DocumentSplitter.isBlankByte($0) }) else {
            return .failure(.unknownFormat("(empty)"))
        }
        do throws(ImportProblem) {
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                return .success(try PPUBSReader().read(bytes))
            }
            switch DocumentSplitter.detect(bytes) {
            case .aps: return .success(try APSReader().read(bytes))
            case .tsv: return .success(try EPOFullTextTSVReader().read(bytes))
            default: break
            }
            if BRSReader.detect(bytes) { return .success(try BRSReader().read(bytes)) }
            guard first == UInt8(ascii: "<") else { return .failure(.notPatent(.plainText)) }
            if looksLikeHTML(bytes) { return .success(try PatFTReader().read(bytes)) }
            let root: XMLElement
            do {
                root = try XMLReader.parse(bytes)
            } catch {
                do {
                    let recovered = try XMLReader.parseRecovering(bytes)
                    root = recovered.root
                    repairs = recovered.repairs.map(\.description)
                } catch {
                    return .failure(.brokenXML(error.description))
                }
            }
            guard let reader = readersByRoot[root.name] else {
                return .failure(NonPatentDocument.byRoot[root.name].map(ImportProblem.notPatent) ?? .unknownFormat(root.name))
            }
            let patents = try reader.read(root)
            return patents.isEmpty ? .failure(.noPatent) : .success(patents)
        } catch {
            return .failure(error)
        }
    }
}
