import Foundation
import PatentImport
import PatentModel
import Testing

/// The real office documents copied into `Tests/Fixtures` (see SOURCES in the shared data).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// Files only the readers' tests read (`Tests/ReaderFixtures`): kept out of the corpus
    /// every other suite imports, so adding one changes no count elsewhere.
    static func readerOnly(_ relative: String) -> String {
        ((root as NSString).deletingLastPathComponent as NSString).appendingPathComponent("ReaderFixtures/" + relative)
    }

    /// Every record of every document in a fixture file or folder, and the problems met.
    static func read(_ relative: String, readerOnly: Bool = false) throws -> (patents: [Patent], problems: [String: ImportProblem]) {
        var patents: [Patent] = []
        var problems: [String: ImportProblem] = [:]
        try DocumentSource(paths: [readerOnly ? Self.readerOnly(relative) : path(relative)]).forEach { event in
            switch event {
            case .document(let document):
                switch DocumentDecoder.decode(document.bytes) {
                case .success(let records): patents += records
                case .failure(let problem): problems[document.origin] = problem
                }
            case .unreadable(let origin, let reason): problems[origin] = .unreadable(reason)
            case .finishedFile, .originalPDF: break
            }
        }
        return (patents, problems)
    }

    /// The one record with this PN in a fixture.
    static func patent(_ pn: String, in relative: String) throws -> Patent {
        let found = try read(relative).patents.filter { $0.pn == pn }
        return try #require(found.first, "\(pn) not in \(relative)")
    }
}
