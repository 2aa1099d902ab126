import PatentModel

/// Maps one parsed XML document of a known format into patent records.
protocol PatentFormatReader: Sendable {
    /// Local names of the root elements this reader understands.
    static var rootNames: Set<String> { get }
    /// The records the document holds (OPS answers hold several).
    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent]
}

/// Why a document was not imported. Reported with its file; never fatal for the rest.
public enum ImportProblem: Error, Equatable, Hashable, CustomStringConvertible {
    case brokenXML(String)
    case brokenJSON(String)
    case unknownFormat(String)
    case missing(String)
    case noPatent
    case unreadable(String)
    /// Not a patent document, and known to be what it is.
    case notPatent(NonPatentDocument)

    public var description: String {
        switch self {
        case .brokenXML(let detail): return detail
        case .brokenJSON(let detail): return "broken JSON: \(detail)"
        case .unknownFormat(let root): return "unknown format (root element \(root))"
        case .missing(let what): return "missing \(what)"
        case .noPatent: return "holds no patent record"
        case .unreadable(let detail): return "unreadable: \(detail)"
        case .notPatent(let kind): return "not a patent document: \(kind.rawValue)"
        }
    }

    /// A short reason class for summaries ("broken XML", "unknown format", …).
    public var reason: String {
        switch self {
        case .brokenXML: return "broken XML"
        case .brokenJSON: return "broken JSON"
        case .unknownFormat(let root): return "unknown format \(root)"
        case .missing(let what): return "missing \(what)"
        case .noPatent: return "no patent record"
        case .unreadable: return "unreadable file"
        case .notPatent(let kind): return kind.rawValue
        }
    }
}
